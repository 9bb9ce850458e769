package daemon

import (
	"net/http"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// Version is what /version and `mydocker version` report as the engine's.
var Version = "0.9.0"

func (s *Server) systemRoutes() {
	s.handle("GET /_ping", s.ping)
	s.handle("HEAD /_ping", s.ping)
	s.handle("GET /version", s.version)
}

// ping is the first request of every client: it reads Api-Version from the
// headers to choose the version it speaks (ServeHTTP sets them).
func (s *Server) ping(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Docker-Experimental", "false")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Length", "0")
		return nil
	}
	_, err := w.Write([]byte("OK"))
	return err
}

// versionInfo is /version's answer (Docker's SystemVersion).
type versionInfo struct {
	Platform      struct{ Name string }
	Components    []component `json:",omitempty"`
	Version       string
	APIVersion    string `json:"ApiVersion"`
	MinAPIVersion string `json:"MinAPIVersion"`
	GitCommit     string
	GoVersion     string
	Os            string
	Arch          string
	KernelVersion string
	BuildTime     string
}

type component struct {
	Name    string
	Version string
	Details map[string]string `json:",omitempty"`
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) error {
	v := versionInfo{
		Version:       Version,
		APIVersion:    APIVersion,
		MinAPIVersion: MinAPIVersion,
		GitCommit:     "mydocker",
		GoVersion:     goruntime.Version(),
		Os:            "linux",
		Arch:          goruntime.GOARCH,
		KernelVersion: kernelRelease(),
	}
	v.Platform.Name = "mydocker"
	v.Components = []component{{Name: "Engine", Version: Version, Details: map[string]string{
		"ApiVersion": APIVersion, "MinAPIVersion": MinAPIVersion, "Os": "linux", "Arch": goruntime.GOARCH,
		"GoVersion": goruntime.Version(), "KernelVersion": v.KernelVersion,
	}}}
	return writeJSON(w, http.StatusOK, v)
}

// kernelRelease is uname -r.
func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

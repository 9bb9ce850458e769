package daemon

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	goruntime "runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// Version is what /version and `mydocker version` report as the engine's.
var Version = "0.9.0"

func (s *Server) systemRoutes() {
	s.handle("GET /_ping", s.ping)
	s.handle("HEAD /_ping", s.ping)
	s.handle("GET /version", s.version)
	s.handle("GET /info", s.info)
	s.handle("GET /events", s.eventsHandler)
	s.handle("GET /system/df", s.df)
	// mydocker has no builder, so no build cache: `docker system prune`
	// asks to prune it all the same.
	s.handle("POST /build/prune", func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, map[string]any{"CachesDeleted": []string{}, "SpaceReclaimed": 0})
	})
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

// systemInfo is /info's answer: Docker's system.Info, the fields `docker
// info` prints and compose and the SDK read.
type systemInfo struct {
	ID                 string
	Containers         int
	ContainersRunning  int
	ContainersPaused   int
	ContainersStopped  int
	Images             int
	Driver             string
	DriverStatus       [][2]string
	Plugins            struct{ Volume, Network, Authorization, Log []string }
	MemoryLimit        bool
	SwapLimit          bool
	CPUCfsPeriod       bool `json:"CpuCfsPeriod"`
	CPUCfsQuota        bool `json:"CpuCfsQuota"`
	CPUShares          bool
	PidsLimit          bool
	IPv4Forwarding     bool
	Debug              bool
	NFd                int
	NGoroutines        int
	SystemTime         string
	LoggingDriver      string
	CgroupDriver       string
	CgroupVersion      string
	NEventsListener    int
	KernelVersion      string
	OperatingSystem    string
	OSVersion          string
	OSType             string
	Architecture       string
	IndexServerAddress string
	RegistryConfig     registryConfig
	NCPU               int
	MemTotal           int64
	DockerRootDir      string
	Name               string
	Labels             []string
	ExperimentalBuild  bool
	ServerVersion      string
	Runtimes           map[string]struct{ Path string }
	DefaultRuntime     string
	Swarm              struct{ LocalNodeState string }
	LiveRestoreEnabled bool
	Isolation          string
	InitBinary         string
	ContainerdCommit   commit
	RuncCommit         commit
	InitCommit         commit
	SecurityOptions    []string
	Warnings           []string
}

type commit struct{ ID, Expected string }

type registryConfig struct {
	InsecureRegistryCIDRs []string
	IndexConfigs          map[string]struct {
		Name     string
		Mirrors  []string
		Secure   bool
		Official bool
	}
	Mirrors []string
}

// info is GET /info (`docker info`): the containers by state, the images,
// and what this machine is.
func (s *Server) info(w http.ResponseWriter, r *http.Request) error {
	in := systemInfo{Driver: "overlay2", DriverStatus: [][2]string{{"Backing Filesystem", "overlayfs"}},
		MemoryLimit: true, CPUCfsPeriod: true, CPUCfsQuota: true, CPUShares: true, PidsLimit: true,
		IPv4Forwarding: readTrim("/proc/sys/net/ipv4/ip_forward") == "1", NGoroutines: goruntime.NumGoroutine(),
		SystemTime: time.Now().Format(time.RFC3339Nano), LoggingDriver: "json-file", CgroupDriver: "cgroupfs",
		CgroupVersion: "1", KernelVersion: kernelRelease(), OperatingSystem: osRelease("PRETTY_NAME"),
		OSVersion: osRelease("VERSION_ID"), OSType: "linux", Architecture: machine(),
		IndexServerAddress: "https://index.docker.io/v1/", NCPU: goruntime.NumCPU(), MemTotal: memTotal(),
		DockerRootDir: s.DataRoot, Name: hostname(), Labels: []string{}, ServerVersion: Version,
		Runtimes: map[string]struct{ Path string }{"mydocker": {Path: "mydocker"}}, DefaultRuntime: "mydocker",
		Isolation: "", InitBinary: "", SecurityOptions: []string{"name=seccomp,profile=none"}, Warnings: []string{}}
	in.Swarm.LocalNodeState = "inactive"
	in.ID = fmt.Sprintf("%X", sha256.Sum256([]byte("mydocker "+s.DataRoot)))[:36]
	in.RegistryConfig.InsecureRegistryCIDRs = append([]string{"127.0.0.0/8"}, s.Insecure...)
	in.RegistryConfig.Mirrors = []string{}
	s.events.mu.Lock()
	in.NEventsListener = len(s.events.subs)
	s.events.mu.Unlock()
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		in.NFd = len(fds)
	}
	if mode, err := cgroups.DetectMode(); err == nil && mode == cgroups.Unified {
		in.CgroupVersion = "2"
	}
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	all, err := containers.List()
	if err != nil {
		return err
	}
	for _, c := range all {
		in.Containers++
		switch c.State.Status {
		case engine.Running, engine.Restarting:
			in.ContainersRunning++
		case engine.Paused:
			in.ContainersPaused++
		default:
			in.ContainersStopped++
		}
	}
	images, err := s.summaries()
	if err != nil {
		return err
	}
	in.Images = len(images)
	if !in.IPv4Forwarding {
		in.Warnings = append(in.Warnings, "WARNING: IPv4 forwarding is disabled")
	}
	return writeJSON(w, http.StatusOK, in)
}

func readTrim(path string) string {
	data, _ := os.ReadFile(path)
	return strings.TrimSpace(string(data))
}

// osRelease reads a field of /etc/os-release ("Debian GNU/Linux 12 (bookworm)").
func osRelease(key string) string {
	for _, line := range strings.Split(readTrim("/etc/os-release"), "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "Linux"
}

// machine is uname -m (x86_64, aarch64), as Docker reports the architecture.
func machine() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return goruntime.GOARCH
	}
	return unix.ByteSliceToString(u.Machine[:])
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

func memTotal() int64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// dfContainer is a container as /system/df lists it (Docker's Container
// summary, the fields `docker system df` reads).
type dfContainer struct {
	ID         string `json:"Id"`
	Names      []string
	Image      string
	ImageID    string
	Command    string
	Created    int64
	State      string
	Status     string
	SizeRw     int64
	SizeRootFs int64
	Mounts     []any
}

// dfVolume is a volume with its usage, as /system/df lists it.
type dfVolume struct {
	*volume.Volume
	UsageData struct{ Size, RefCount int64 }
}

// df is GET /system/df (`docker system df`): the space images, containers
// and volumes take, and which of them are in use.
func (s *Server) df(w http.ResponseWriter, r *http.Request) error {
	images, err := s.summaries()
	if err != nil {
		return err
	}
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	all, err := containers.List()
	if err != nil {
		return err
	}
	uses := map[string]int64{}
	out := struct {
		LayersSize int64
		Images     []*imageSummary
		Containers []dfContainer
		Volumes    []dfVolume
		BuildCache []any
	}{Images: images, Containers: []dfContainer{}, Volumes: []dfVolume{}, BuildCache: []any{}}
	now := time.Now()
	for _, c := range all {
		uses[string(c.ImageID)]++
		out.Containers = append(out.Containers, dfContainer{ID: c.ID, Names: []string{"/" + strings.TrimPrefix(c.Name, "/")},
			Image: c.Image, ImageID: string(c.ImageID), Command: strings.Join(c.Config.Args, " "), Created: c.Created.Unix(),
			State: string(c.State.Status), Status: c.State.String(now, engine.HumanDuration), SizeRw: dirSize(containers.Dir(c.ID) + "/upper"),
			Mounts: []any{}})
	}
	for _, img := range images {
		img.Containers = uses[img.ID]
		out.LayersSize += img.Size
	}
	vols, err := volume.Open(s.DataRoot)
	if err != nil {
		return err
	}
	list, err := vols.List()
	if err != nil {
		return err
	}
	users, err := engine.VolumeUsers(containers)
	if err != nil {
		return err
	}
	for _, v := range list {
		dv := dfVolume{Volume: v}
		dv.UsageData.Size, dv.UsageData.RefCount = vols.Size(v.Name), int64(len(users[v.Name]))
		out.Volumes = append(out.Volumes, dv)
	}
	return writeJSON(w, http.StatusOK, out)
}

// dirSize is the bytes of the regular files under dir (a container's
// writable layer).
func dirSize(dir string) int64 {
	var n int64
	var walk func(string)
	walk = func(d string) {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			switch {
			case e.IsDir():
				walk(d + "/" + e.Name())
			case e.Type().IsRegular():
				if fi, err := e.Info(); err == nil {
					n += fi.Size()
				}
			}
		}
	}
	walk(dir)
	return n
}

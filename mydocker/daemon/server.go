package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/network"
	"github.com/mydocker/mydocker/mydocker/store"
	"github.com/mydocker/mydocker/mydocker/trace"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// The Engine API versions this daemon speaks: the newest is Docker 20.10's
// (what the Debian docker client speaks); a newer client negotiates down
// to it after /_ping, an older one names its own in the path.
const (
	APIVersion    = "1.41"
	MinAPIVersion = "1.24"
)

// DefaultSocket is where the daemon listens, and where the command line
// looks for it, unless told otherwise (-H, MYDOCKER_HOST).
const DefaultSocket = "/run/mydocker.sock"

// maxBody bounds every request body read as JSON: a client cannot make the
// daemon hold more (image loads and archives are streamed, not read whole).
const maxBody = 1 << 20

// Server serves the Engine API for one data root.
type Server struct {
	DataRoot string
	mux      *http.ServeMux
	started  time.Time
	events   *eventBus // what handlers did, for /events (events.go)
	// Insecure are the registries pulls and pushes may reach over plain
	// HTTP besides loopback ones (mydocker --insecure-registry daemon).
	Insecure []string
}

// New returns a server for the engine whose data lives in dataRoot.
func New(dataRoot string) *Server {
	s := &Server{DataRoot: dataRoot, mux: http.NewServeMux(), started: time.Now(), events: newEventBus()}
	s.systemRoutes()
	s.containerRoutes()
	s.execRoutes()
	s.imageRoutes()
	s.networkRoutes()
	s.volumeRoutes()
	s.commitRoutes()
	// Anything else: Docker's 404, as JSON, not the mux's text.
	s.handle("/", func(w http.ResponseWriter, r *http.Request) error {
		return notFound("page not found")
	})
	return s
}

// handler is an API endpoint: what it returns as an error becomes Docker's
// status and {"message": ...} body (see status), unless it has already
// written its answer.
type handler func(w http.ResponseWriter, r *http.Request) error

// handle registers h for pattern ("GET /containers/{name}/json"). The
// version prefix (/v1.41) is stripped before the pattern is matched.
func (s *Server) handle(pattern string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, err)
		}
	})
}

var versioned = regexp.MustCompile(`^/v([0-9]+\.[0-9]+)(/.*)$`)

// ServeHTTP strips and checks the /vX.Y prefix, then routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header().Set("Server", "mydocker/"+APIVersion+" (linux)")
	w.Header().Set("Api-Version", APIVersion)
	w.Header().Set("Ostype", "linux")
	if m := versioned.FindStringSubmatch(r.URL.Path); m != nil {
		if err := checkVersion(m[1]); err != nil {
			writeError(w, r, err)
			return
		}
		r.URL.Path, r.URL.RawPath = m[2], ""
	}
	s.mux.ServeHTTP(w, r)
	trace.Step("api %s %s (%v)", r.Method, r.URL.Path, time.Since(start).Round(time.Microsecond))
}

// checkVersion answers as Docker does for a version it does not speak.
func checkVersion(v string) error {
	if versionLess(APIVersion, v) {
		return badRequest("client version %s is too new. Maximum supported API version is %s", v, APIVersion)
	}
	if versionLess(v, MinAPIVersion) {
		return badRequest("client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", v, MinAPIVersion)
	}
	return nil
}

// versionLess compares two "major.minor" API versions.
func versionLess(a, b string) bool {
	am, an, _ := strings.Cut(a, ".")
	bm, bn, _ := strings.Cut(b, ".")
	ai, _ := strconv.Atoi(am)
	bi, _ := strconv.Atoi(bm)
	if ai != bi {
		return ai < bi
	}
	aj, _ := strconv.Atoi(an)
	bj, _ := strconv.Atoi(bn)
	return aj < bj
}

// apiError is an error with the status Docker answers it with.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string   { return e.msg }
func (e *apiError) HTTPStatus() int { return e.status }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &apiError{http.StatusConflict, fmt.Sprintf(format, args...)}
}

// status is the HTTP status Docker gives err: an error that names its own
// (engine's conflicts do), 404 for what does not exist, 500 otherwise.
func status(err error) int {
	var hs interface{ HTTPStatus() int }
	switch {
	case errors.As(err, &hs):
		return hs.HTTPStatus()
	case errors.Is(err, engine.ErrNotFound), errors.Is(err, store.ErrNotFound),
		errors.Is(err, network.ErrNotFound), errors.Is(err, volume.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, engine.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, network.ErrNoUserSubnet), errors.Is(err, network.ErrBadAddress),
		errors.Is(err, engine.ErrNotConnectable):
		return http.StatusBadRequest
	case errors.Is(err, engine.ErrEndpointExists), errors.Is(err, engine.ErrNotConnected):
		// libnetwork calls both forbidden, so dockerd answers 403.
		return http.StatusForbidden
	case errors.Is(err, network.ErrAddressInUse):
		// libnetwork's IPAM calls it forbidden, so dockerd answers 403.
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// writeError writes Docker's error body. A HEAD request gets the status only.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	trace.Step("api %s %s: %d %v", r.Method, r.URL.Path, code, err)
	if r.Method == http.MethodHead {
		w.WriteHeader(code)
		return
	}
	writeJSON(w, code, map[string]string{"message": err.Error()})
}

// writeJSON writes v as the answer's JSON body, with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}

// readJSON decodes the request's JSON body into v: at most maxBody bytes;
// malformed JSON or a wrong type is a 400 naming what was wrong. An empty
// body leaves v as it is (Docker accepts a POST without one where every
// field is optional).
func readJSON(r *http.Request, v any) error {
	body := http.MaxBytesReader(nil, r.Body, maxBody)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &tooLarge):
			return badRequest("request body is larger than %d bytes", maxBody)
		case errors.As(err, &typeErr):
			return badRequest("invalid JSON: field %s must be %s, not %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return badRequest("invalid JSON: %v", err)
	}
	return nil
}

// boolValue reads a query flag as Docker does: "1", "true" (any case) are
// true; absent, "", "0", "false" are false.
func boolValue(r *http.Request, name string) bool {
	v := strings.ToLower(r.URL.Query().Get(name))
	return v != "" && v != "0" && v != "false" && v != "no"
}

// Listen makes the unix socket at path: mode 0660, owned by the group
// "docker" if there is one (as dockerd's socket is), so that its members
// may use the daemon without sudo. A socket file left by a daemon that is
// gone (kill -9) is replaced; one that answers is a daemon already
// running, and an error.
func Listen(path string) (net.Listener, error) {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("a daemon is already listening on %s (stop it, or give another socket with -H unix://PATH)", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	// Only a socket left by a daemon that is gone is replaced: -H naming
	// any other file is a mistake, not something to delete.
	if fi, err := os.Lstat(path); err == nil && fi.Mode().Type() != os.ModeSocket {
		return nil, fmt.Errorf("%s exists and is not a socket: give another path with -H unix://PATH", path)
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	// The socket is born 0660 (umask 0117 while it is made): never, even
	// for a moment, open to everyone; and its owner is set without
	// following a symlink that someone who can write to the directory
	// might swap in meanwhile.
	old := unix.Umask(0o117)
	l, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, err
	}
	gid := 0
	if g, err := user.LookupGroup("docker"); err == nil {
		gid, _ = strconv.Atoi(g.Gid)
	}
	if err := os.Lchown(path, 0, gid); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// idleTimeout is how long a kept-alive connection may wait for its next
// request: a client cannot hold the daemon's descriptors by opening
// connections and sending nothing (hijacked ones, attach and exec, are
// the handlers' and unaffected).
var idleTimeout = 2 * time.Minute

// Serve serves the API on l until it is closed.
func (s *Server) Serve(l net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    1 << 20,
	}
	err := srv.Serve(l)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

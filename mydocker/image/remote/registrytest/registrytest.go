// Package registrytest starts a real registry for tests: the distribution
// project's own, as Debian packages it (docker-registry 2.8), the same code
// Docker Hub grew from. A fake would agree with our client about every
// mistake we both make; the real one refuses an OCI manifest asked for
// without the OCI type in Accept, checks every pushed blob against its
// digest, and answers errors in the spec's JSON.
//
// Start runs `docker-registry serve` with a config of its own (never the
// package's default, which listens on all interfaces) on a free loopback
// port, in one of three modes:
//
//	None      no authentication
//	Token     Bearer tokens: the registry's "silly" auth sends callers to a
//	          token server in the test process, which records what it was
//	          asked (the scope, the credentials) for the test to check
//	Htpasswd  Basic authentication against one bcrypt htpasswd entry
//
// tokenserver.go is Token mode's token server; NewFaultProxy
// (faultproxy.go) puts a reverse proxy in front that breaks things on cue;
// fixtures.go builds images to push; Names (names.go) gives test servers
// host names of their own, for the rules that depend on a host's name. The registry process is killed, by its
// PID, when the test ends.
package registrytest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Auth is how the registry wants callers to authenticate.
type Auth int

const (
	None     Auth = iota // no authentication
	Token                // Bearer tokens from the test's token server
	Htpasswd             // Basic authentication, one htpasswd user
)

// The account Htpasswd mode creates when Options names none. Its bcrypt
// hash is precomputed, so the common case needs no htpasswd tool.
const (
	DefaultUser     = "alice"
	DefaultPassword = "wonderland"
	defaultHtpasswd = "alice:$2y$05$YLeL2SAvw4Ss15cTUk5jO.k1S6XfWzPUkx.BUzgdwLyhi3bdfuzBK"
)

// Service is the Bearer challenge's service in Token mode.
const Service = "test-registry"

// Options choose the registry's mode.
type Options struct {
	Auth Auth
	// User and Password: in Htpasswd mode the one account (default
	// DefaultUser, DefaultPassword; others need the htpasswd tool, Debian's
	// apache2-utils). In Token mode, if set, the token server gives tokens
	// only to them; if not, to anyone.
	User, Password string
}

// Registry is a running registry.
type Registry struct {
	Addr   string       // where it listens: "127.0.0.1:PORT"
	Host   string       // its name in references; the same as Addr
	Dir    string       // its config, storage and log
	Tokens *TokenServer // Token mode only

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has been waited for
}

// Ref parses Host/name as a reference, failing the test if it cannot.
func (r *Registry) Ref(t testing.TB, name string) reference.Reference {
	t.Helper()
	return MustParse(t, r.Host+"/"+name)
}

// MustParse parses a reference, failing the test if it cannot.
func MustParse(t testing.TB, s string) reference.Reference {
	t.Helper()
	ref, err := reference.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// Need returns the path of a program the test needs. A missing one skips
// the test, saying which Debian package has it; under CI=true it fails the
// test instead, since CI must run everything.
func Need(t testing.TB, program, debianPackage string) string {
	t.Helper()
	return testenv.Program(t, program, debianPackage)
}

// Start runs a registry for the test, and stops it when the test ends.
func Start(t testing.TB, o Options) *Registry {
	t.Helper()
	bin := Need(t, "docker-registry", "docker-registry")
	r := &Registry{Dir: t.TempDir()}
	auth, err := r.authConfig(t, o)
	if err != nil {
		t.Fatal(err)
	}
	// A free port is found by listening on :0 and closing; someone may take
	// it before the registry binds it, so a lost race is retried.
	var last string
	for attempt := 0; attempt < 5; attempt++ {
		addr := freePort(t, "127.0.0.1")
		log, err := r.start(bin, addr, auth)
		if err == nil {
			r.Addr, r.Host = addr, addr
			t.Cleanup(r.Stop)
			return r
		}
		last = fmt.Sprintf("%v\n%s", err, log)
		if !strings.Contains(log, "address already in use") {
			break
		}
	}
	t.Fatalf("start docker-registry: %s", last)
	return nil
}

// authConfig writes what the mode needs and returns the config's auth
// section.
func (r *Registry) authConfig(t testing.TB, o Options) (string, error) {
	switch o.Auth {
	case Token:
		r.Tokens = startTokenServer(t, o.User, o.Password)
		return fmt.Sprintf("auth:\n  silly:\n    realm: %s/token\n    service: %s\n", r.Tokens.URL, Service), nil
	case Htpasswd:
		line := defaultHtpasswd
		if o.User != "" && (o.User != DefaultUser || o.Password != DefaultPassword) {
			htpasswd := Need(t, "htpasswd", "apache2-utils")
			out, err := exec.Command(htpasswd, "-nbB", o.User, o.Password).Output()
			if err != nil {
				return "", fmt.Errorf("htpasswd: %w", err)
			}
			line = strings.TrimSpace(string(out))
		}
		path := filepath.Join(r.Dir, "htpasswd")
		if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
			return "", err
		}
		return fmt.Sprintf("auth:\n  htpasswd:\n    realm: registrytest\n    path: %s\n", path), nil
	}
	return "", nil
}

// start runs the registry on addr and waits until /v2/ answers. On
// failure it returns the registry's log.
func (r *Registry) start(bin, addr, auth string) (string, error) {
	config := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: registrytest
%s`, filepath.Join(r.Dir, "data"), addr, auth)
	cfgPath := filepath.Join(r.Dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		return "", err
	}
	logPath := filepath.Join(r.Dir, "registry.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	// If the test binary dies, so does the registry: no orphan keeps a port.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	if err := waitReady(addr, done); err != nil {
		cmd.Process.Kill() // by PID: this process, no other
		<-done
		log, _ := os.ReadFile(logPath)
		return string(log), err
	}
	r.cmd, r.done = cmd, done
	return "", nil
}

// Stop kills the registry and waits for it. The test's cleanup calls it;
// calling it earlier shows what a dead registry looks like.
func (r *Registry) Stop() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Kill()
	<-r.done
	r.cmd = nil
}

func waitReady(addr string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("docker-registry exited at start")
		default:
		}
		if resp, err := client.Get("http://" + addr + "/v2/"); err == nil {
			resp.Body.Close()
			return nil // 200, or 401 with a challenge: it is serving
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("docker-registry did not answer on %s within 15s", addr)
}

// freePort picks a port on ip that is free now.
func freePort(t testing.TB, ip string) string {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

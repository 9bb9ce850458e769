// mydocker's daemon (chapter 09), for the tests that drive it with the real
// clients: StartDaemon starts `mydocker daemon` on a socket of the test's
// own, with the Env's data root, and Docker runs Debian's docker client
// (20.10, API 1.41) against it; DockerNewest runs the newest client on the
// machine, which must negotiate down to the daemon's version.

package harness

import (
	"bytes"
	"context"
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

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Daemon is a mydocker daemon of one test's own.
type Daemon struct {
	t      testing.TB
	env    *Env
	Socket string // unix socket path: DOCKER_HOST=unix://Socket
	Dir    string // holds the socket, the daemon's log, the clients' config
	Client string // Debian's docker client, /usr/bin/docker
	cmd    *exec.Cmd
	log    *os.File
}

// StartDaemon starts `mydocker daemon` for the Env, and stops it when the
// test ends (before the Env's leak check, which runs later: cleanups run
// last-in first-out); a failed test shows the daemon's log.
func (e *Env) StartDaemon() *Daemon {
	e.t.Helper()
	// The cgroup v2 VM is busybox and mydocker: no docker client, no
	// compose, no registry. `make test` ran these natively before it
	// boots the VM; nothing in them depends on the cgroup version.
	if os.Getenv(InVMEnv) == "1" {
		e.t.Skip("the cgroup v2 VM has no docker client: chapter 09's client tests ran natively in the same make test")
	}
	// A test that drives a daemon itself goes through one already: in the
	// daemon pass its other commands stay daemonless, not a second
	// daemon's on the same data root.
	e.stopAuto()
	e.viaDaemon = false
	d := e.newDaemon()
	d.Client = "/usr/bin/docker" // Debian's docker.io: the 20.10 client
	if _, err := os.Stat(d.Client); err != nil {
		d.Client = testenv.Program(e.t, "docker", "docker.io")
	}
	e.t.Cleanup(d.remove)
	d.Start()
	return d
}

// newDaemon is a daemon for the Env, not started yet, with a directory of
// its own. Not t.TempDir: a socket path must stay under 108 bytes.
func (e *Env) newDaemon() *Daemon {
	dir, err := os.MkdirTemp("", "mydockerd-")
	if err != nil {
		e.t.Fatal(err)
	}
	return &Daemon{t: e.t, env: e, Dir: dir, Socket: filepath.Join(dir, "mydocker.sock")}
}

// remove stops the daemon and removes its directory; on a failed test its
// log goes to the test's first, as the daemon's side of what went wrong.
func (d *Daemon) remove() {
	d.Stop()
	if d.t.Failed() {
		d.t.Logf("the daemon's log:\n%s", d.Log())
	}
	os.RemoveAll(d.Dir)
}

// Start starts the daemon (again, after Kill or Stop) and waits until it
// answers /_ping.
func (d *Daemon) Start() {
	d.t.Helper()
	log, err := os.OpenFile(filepath.Join(d.Dir, "daemon.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		d.t.Fatal(err)
	}
	d.log = log
	d.cmd = d.env.Cmd("daemon", "-H", "unix://"+d.Socket)
	d.cmd.Stdout, d.cmd.Stderr = log, log
	if err := d.cmd.Start(); err != nil {
		d.t.Fatalf("start mydocker daemon: %v", err)
	}
	for i := 0; i < 300; i++ {
		if d.Ping() == nil {
			return
		}
		if syscall.Kill(d.cmd.Process.Pid, 0) != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.t.Fatalf("mydocker daemon did not answer on %s; its log:\n%s", d.Socket, d.Log())
}

// Ping asks the daemon's /_ping.
func (d *Daemon) Ping() error {
	resp, err := d.HTTP().Get("http://mydocker/_ping")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/_ping: %s", resp.Status)
	}
	return nil
}

// HTTP is a client for raw requests to the daemon's socket (the host part
// of the URL is ignored).
func (d *Daemon) HTTP() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", d.Socket)
		},
	}, Timeout: 2 * time.Minute}
}

// Host is the daemon's address as -H and MYDOCKER_HOST take it: set an
// Env's Host to it and the Env's mydocker commands go through the daemon.
func (d *Daemon) Host() string { return "unix://" + d.Socket }

// Pid is the daemon's process ID.
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Kill kills the daemon with SIGKILL, as a crash would.
func (d *Daemon) Kill() {
	if d.cmd == nil || d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Kill()
	d.cmd.Wait()
	d.log.Close()
}

// Stop stops the daemon with SIGTERM (SIGKILL after 10 s).
func (d *Daemon) Stop() {
	if d.cmd == nil || d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	waitOrKill(d.cmd, 10*time.Second)
	if !d.cmd.ProcessState.Success() {
		// SIGTERM ends it with 0: anything else (a SIGKILL before the
		// test was done, a crash) belongs in the log shown on failure.
		fmt.Fprintf(d.log, "harness: the daemon ended with %v\n", d.cmd.ProcessState)
	}
	d.log.Close()
}

// Log is what the daemon wrote to stdout and stderr.
func (d *Daemon) Log() string {
	data, _ := os.ReadFile(filepath.Join(d.Dir, "daemon.log"))
	return tail(data, 40)
}

// ClientEnv is the environment a client of this daemon runs with: its
// DOCKER_HOST, a config of its own (nothing of the caller's ~/.docker),
// and the proxies that make any address past loopback unreachable.
func (d *Daemon) ClientEnv() []string {
	return append(os.Environ(), "DOCKER_HOST=unix://"+d.Socket,
		"DOCKER_CONFIG="+filepath.Join(d.Dir, "client"), "DOCKER_BUILDKIT=0",
		"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=")
}

// Docker runs Debian's docker client (20.10) against the daemon.
func (d *Daemon) Docker(args ...string) DockerResult {
	d.t.Helper()
	return d.run(d.Client, nil, args...)
}

// DockerInput runs the docker client with stdin read from in.
func (d *Daemon) DockerInput(in []byte, args ...string) DockerResult {
	d.t.Helper()
	return d.run(d.Client, in, args...)
}

// DockerNewest runs the newest docker client on the PATH (it may speak a
// newer API than the daemon, and must negotiate down).
func (d *Daemon) DockerNewest(args ...string) DockerResult {
	d.t.Helper()
	return d.run(testenv.Program(d.t, "docker", "docker.io"), nil, args...)
}

// MustDocker runs a docker command that must succeed, and returns its stdout.
func (d *Daemon) MustDocker(args ...string) string {
	d.t.Helper()
	r := d.Docker(args...)
	if r.Code != 0 {
		d.t.Fatalf("%v", r) // the daemon's log follows, from remove
	}
	return r.Stdout
}

// Command prepares a client program (docker-compose, python3) with this
// daemon's client environment.
func (d *Daemon) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = d.ClientEnv()
	return cmd
}

func (d *Daemon) run(client string, in []byte, args ...string) DockerResult {
	d.t.Helper()
	cmd := exec.Command(client, args...)
	cmd.Env = d.ClientEnv()
	if len(d.env.Wrap) > 0 { // NetHost: the client talks to published ports from the host's namespace
		cmd = exec.Command(d.env.Wrap[0], append(append(d.env.Wrap[1:], client), args...)...)
		cmd.Env = d.ClientEnv()
	}
	if in != nil {
		cmd.Stdin = bytes.NewReader(in)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		d.t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	if !waitOrKill(cmd, 2*time.Minute) {
		d.t.Fatalf("docker %s: still running after 2 minutes", strings.Join(args, " "))
	}
	return DockerResult{Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}}
}

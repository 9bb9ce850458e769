// Package harness runs mydocker the way a student does, for the chapters'
// black-box tests: it builds the binary once per test binary, runs
// `mydocker ...` with a private data root, and reports stdout, stderr and
// the exit code. It also enforces the project's test rules: root tests skip
// with a reason on a laptop but fail under CI=true, and every test ends
// with a check that nothing leaked (mounts, cgroups, records).
//
// The chapters' tests run twice in `make test`: daemonless, as chapters
// 01–08 tell it, and with ViaDaemonEnv=1 through a daemon of each Env's
// own (via_daemon_linux.go), the same commands as the daemon's clients
// (chapter 09). A test that checks what only a daemonless run can show
// says so with Env.Daemonless.
package harness

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/client"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// BinEnv names a prebuilt mydocker binary to test instead of building one
// (the cgroup v2 VM has no Go toolchain).
const BinEnv = "MYDOCKER_BIN"

var bin string

// Main builds mydocker and runs the tests: call it from TestMain.
func Main(m *testing.M) {
	code := func() int {
		if p := os.Getenv(BinEnv); p != "" {
			bin = p
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "mydocker-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "mydocker")
		build := exec.Command("go", "build", "-o", bin, "github.com/mydocker/mydocker/mydocker")
		build.Dir = moduleRoot()
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build mydocker:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// Bin is the mydocker binary under test.
func Bin() string { return bin }

// BuildFor builds mydocker for another CPU (GOARCH=goarch, as the Makefile
// builds: static, no cgo) into the test's temp dir, and returns its path.
// Only a source tree can: with a prebuilt binary (BinEnv) the test skips.
func BuildFor(t testing.TB, goarch string) string {
	t.Helper()
	Require(t, os.Getenv(BinEnv) == "", "building mydocker for "+goarch+" needs the source tree and Go, not a prebuilt "+BinEnv)
	out := filepath.Join(t.TempDir(), "mydocker-"+goarch)
	build := exec.Command("go", "build", "-o", out, "github.com/mydocker/mydocker/mydocker")
	build.Dir = moduleRoot()
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOARCH="+goarch)
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build mydocker for GOARCH=%s: %v\n%s", goarch, err, msg)
	}
	return out
}

// moduleRoot finds the directory holding go.mod, from this source file.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// InCI reports whether the tests run under CI, where a missing capability
// is a failure, never a skip.
func InCI() bool { return testenv.InCI() }

// Require skips the test (or fails it, under CI) unless ok.
func Require(t testing.TB, ok bool, why string) {
	t.Helper()
	testenv.Require(t, ok, why)
}

// NotShort skips a slow test under -short, which the cgroup v2 VM's
// run-tests.sh passes: what the test checks (an archive's handling, a
// scale) has nothing to do with the cgroup version, and it ran at full size
// natively in the same make test. A test with a size to shrink instead
// reads testing.Short() itself.
func NotShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short (the cgroup v2 VM): " + what + " does not depend on the cgroup version; it ran natively in the same make test")
	}
}

// RequireRoot skips unless running as root (fails under CI).
func RequireRoot(t testing.TB) {
	t.Helper()
	testenv.RequireRoot(t, "namespaces, mounts and cgroups: sudo make test")
}

// Env is one test's private mydocker world: a data root of its own.
type Env struct {
	t    testing.TB
	cmds []*exec.Cmd // every mydocker started, to be stopped if a test fails midway
	Root string
	// Extra environment for every mydocker run, KEY=VALUE.
	Environ []string
	// Bin, if set, is the mydocker binary this Env runs instead of Bin().
	Bin string
	// Wrap is put before every mydocker command line: NetHost sets it to
	// nsenter into the network namespace that plays the host.
	Wrap []string
	// Host, if set ("unix:///path.sock", Daemon.Host), makes every
	// mydocker this Env runs a client of that daemon (MYDOCKER_HOST),
	// `mydocker daemon` itself aside: the same commands, through the
	// API (chapter 09).
	Host string

	// The daemon pass (ViaDaemonEnv): viaDaemon says this Env's commands
	// go through auto, its own daemon, started at the first command and
	// started again when the environment it was given changes (NetHost).
	viaDaemon bool
	mu        sync.Mutex
	auto      *Daemon
	autoEnv   string // Wrap and Environ auto was started with
}

// New makes a fresh Env for a root test, and checks at the end of the test
// that nothing leaked.
func New(t testing.TB) *Env {
	t.Helper()
	RequireRoot(t)
	e := &Env{t: t, Root: t.TempDir(), viaDaemon: ViaDaemon()}
	before := Snapshot()
	t.Cleanup(func() {
		e.StopAll() // the Env's own daemon too, last
		// Every container a test makes, it removes (run --rm, or rm).
		// One left behind is a leak; a detached one may still run, under
		// its monitor: rm -f it before the other leaks are counted.
		e.Host = "" // the daemon has stopped by now: clean up daemonless
		e.viaDaemon = false
		entries, _ := os.ReadDir(filepath.Join(e.Root, "containers"))
		for _, d := range entries {
			if d.IsDir() {
				t.Errorf("leak after test: container record %s", d.Name())
				e.Cmd("rm", "-f", d.Name()).Run()
			}
		}
		// A monitor (chapter 06) names its data root in its argv. It
		// ends just after its last write to the record, which is when
		// rm -f answers: one still there after a few seconds is a leak.
		procs := ProcessesNaming(e.Root)
		for end := time.Now().Add(3 * time.Second); len(procs) > 0 && time.Now().Before(end); procs = ProcessesNaming(e.Root) {
			time.Sleep(20 * time.Millisecond)
		}
		for _, p := range procs {
			t.Errorf("leak after test: process %s", p)
		}
		after := Snapshot()
		for _, leak := range after.LeaksSince(before, e.Root) {
			t.Errorf("leak after test: %s", leak)
		}
	})
	return e
}

// StopAll stops every mydocker this Env started that still runs: a test
// that failed midway may leave a container running; its mydocker undoes
// its setup once stopped. The Env's own daemon (the daemon pass) stops
// last, after its clients.
func (e *Env) StopAll() {
	e.mu.Lock()
	auto := e.auto
	e.mu.Unlock()
	for _, cmd := range e.cmds {
		if cmd.Process == nil || cmd.ProcessState != nil || (auto != nil && cmd == auto.cmd) {
			continue
		}
		cmd.Process.Signal(syscall.SIGTERM) // relayed to the container
		waitOrKill(cmd, 5*time.Second)
	}
	e.stopAuto()
}

// Result is how one mydocker command ended.
type Result struct {
	Args   []string
	Stdout string
	Stderr string
	Code   int
}

func (r Result) String() string {
	return fmt.Sprintf("mydocker %s: exit %d\nstdout: %q\nstderr: %q",
		strings.Join(r.Args, " "), r.Code, r.Stdout, r.Stderr)
}

// Cmd prepares `mydocker args...` with this Env's data root. In the
// daemon pass it is a client of the Env's own daemon, started first if it
// is not running yet.
func (e *Env) Cmd(args ...string) *exec.Cmd {
	host := e.Host
	if len(args) > 0 && args[0] == "daemon" {
		host = "" // the daemon itself is nobody's client
	} else if host == "" && e.viaDaemon {
		host = e.autoDaemon()
	}
	path := bin
	if e.Bin != "" {
		path = e.Bin
	}
	cmd := exec.Command(path, args...)
	if len(e.Wrap) > 0 {
		cmd = exec.Command(e.Wrap[0], append(append(e.Wrap[1:], path), args...)...)
	}
	cmd.Env = append(callerEnviron(), "MYDOCKER_ROOT="+e.Root,
		// A safety net: tests talk only to loopback registries. Any other
		// host goes to this proxy, which is not there, so a test that
		// reached for Docker Hub fails at once, without a packet leaving.
		"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=")
	if len(e.Wrap) == 0 {
		// Outside NetHost's namespace a container gets no network, as
		// under dockerd --bridge=none: a test never touches the host's.
		cmd.Env = append(cmd.Env, "MYDOCKER_BRIDGE=none")
	}
	if host != "" {
		cmd.Env = append(cmd.Env, client.HostEnv+"="+host)
	}
	cmd.Env = append(cmd.Env, e.Environ...)
	e.cmds = append(e.cmds, cmd)
	return cmd
}

// Run runs `mydocker args...` to the end, with no stdin.
func (e *Env) Run(args ...string) Result {
	e.t.Helper()
	return e.RunInput(nil, args...)
}

// RunInput runs `mydocker args...` with stdin read from in (nil: /dev/null).
func (e *Env) RunInput(in io.Reader, args ...string) Result {
	e.t.Helper()
	cmd := e.Cmd(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, &stdout, &stderr
	r := Result{Args: args}
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start mydocker: %v", err)
	}
	if !waitOrKill(cmd, 2*time.Minute) {
		e.t.Fatalf("mydocker %s: still running after 2 minutes", strings.Join(args, " "))
	}
	r.Stdout, r.Stderr, r.Code = stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
	return r
}

// MustRun runs a command that must succeed, and returns its stdout.
func (e *Env) MustRun(args ...string) string {
	e.t.Helper()
	r := e.Run(args...)
	if r.Code != 0 {
		e.t.Fatalf("%v", r)
	}
	return r.Stdout
}

var traceTime = regexp.MustCompile(`=> \[(host|init) +[0-9.]+ms\]`)

// Untimed drops the milliseconds from --trace lines ("=> [host  1.2ms]"
// becomes "=> [host]"), so tests can match the steps.
func Untimed(stderr string) string { return traceTime.ReplaceAllString(stderr, "=> [$1]") }

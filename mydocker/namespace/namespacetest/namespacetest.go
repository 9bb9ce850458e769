// Package namespacetest checks an implementation of a container's namespace
// setup, in the spirit of testing/fstest.TestFS: the engine's own tests and
// lab 01 run the same checker, so the lab cannot drift from the engine.
//
// An implementation is two functions, one for each half of the story (see
// Impl). Check starts a child (a re-run of the test binary, which TestMain
// must route to Main) with the implementation's clone flags, lets it run
// SetupChild inside, and compares what the child sees with what the host sees.
package namespacetest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Impl is a namespace setup under test.
type Impl struct {
	// CloneFlags returns the flags the host passes to clone(2).
	CloneFlags func() uintptr
	// SetupChild runs in the child, inside the new namespaces, before the
	// command would: make mounts private, set the hostname, bring up lo,
	// mount a fresh /proc.
	SetupChild func(hostname string) error
}

// Hostname is what Check asks SetupChild to set.
const Hostname = "lab-box"

const childEnv = "MYDOCKER_NAMESPACETEST_CHILD"

// report is what the child saw, sent to the checker as JSON.
type report struct {
	Refused    string            `json:"refused,omitempty"`
	SetupError string            `json:"setupError,omitempty"`
	Hostname   string            `json:"hostname"`
	Pid        int               `json:"pid"`
	ProcPids   []int             `json:"procPids"`
	NS         map[string]string `json:"ns"`
	Interfaces map[string]bool   `json:"interfaces"` // name → up
	MountError string            `json:"mountError,omitempty"`
}

var kinds = []struct{ proc, flag string }{
	{"uts", "CLONE_NEWUTS"}, {"pid", "CLONE_NEWPID"}, {"mnt", "CLONE_NEWNS"},
	{"ipc", "CLONE_NEWIPC"}, {"net", "CLONE_NEWNET"},
}

// Main routes a re-run of the test binary to the child's side; call it from
// TestMain as namespacetest.Main(m, impl).
func Main(m *testing.M, impl Impl) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(child(impl))
	}
	os.Exit(m.Run())
}

// Check runs impl in a child and reports, one subtest per promise, what the
// child does not get that a container should.
func Check(t *testing.T, impl Impl) {
	testenv.RequireRoot(t, "new namespaces")
	// A shared mount the child inherits: if the child's mounts are not made
	// private, a mount it makes below here appears on the host too. This
	// way the check works whatever the host's own / propagation is.
	shared := t.TempDir()
	mustMount(t, shared, shared, "", unix.MS_BIND)
	t.Cleanup(func() { unix.Unmount(shared, unix.MNT_DETACH) })
	mustMount(t, "", shared, "", unix.MS_SHARED)
	target := filepath.Join(shared, "inside")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	hostName, _ := os.Hostname()
	hostNS := map[string]string{}
	for _, k := range kinds {
		hostNS[k.proc], _ = os.Readlink("/proc/self/ns/" + k.proc)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "NSTEST_TARGET="+target,
		"NSTEST_HOST_MNT="+hostNS["mnt"], "NSTEST_HOST_UTS="+hostNS["uts"])
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: impl.CloneFlags(), Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("clone with CloneFlags() = %#x: %v", impl.CloneFlags(), err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	var r report
	if err != nil || json.Unmarshal(line, &r) != nil {
		t.Fatalf("the child crashed before reporting (read %q, %v)", line, err)
	}
	// The child is waiting now, with its tmpfs mounted: look from the host.
	hostSees := isMountPoint(target)

	t.Run("CloneFlags", func(t *testing.T) {
		for _, k := range kinds {
			if r.NS[k.proc] == hostNS[k.proc] {
				t.Errorf("the child shares the host's %s namespace (%s): CloneFlags() lacks unix.%s", k.proc, hostNS[k.proc], k.flag)
			}
		}
	})
	if r.Refused != "" {
		t.Fatalf("SetupChild was not run: %s", r.Refused)
	}
	if r.SetupError != "" {
		t.Errorf("SetupChild(%q) = %s, want nil", Hostname, r.SetupError)
	}
	t.Run("hostname", func(t *testing.T) {
		if r.Hostname != Hostname {
			t.Errorf("hostname inside = %q, want %q: call unix.Sethostname", r.Hostname, Hostname)
		}
		if now, _ := os.Hostname(); now != hostName {
			t.Errorf("the host's hostname changed from %q to %q", hostName, now)
		}
	})
	t.Run("pid", func(t *testing.T) {
		if r.Pid != 1 {
			t.Errorf("the child's PID = %d, want 1", r.Pid)
		}
	})
	t.Run("proc", func(t *testing.T) {
		if len(r.ProcPids) == 0 || r.ProcPids[0] != 1 || len(r.ProcPids) > 4 {
			t.Errorf("/proc inside lists PIDs %v, want only the child's own (1): mount a new proc on /proc", short(r.ProcPids))
		}
	})
	t.Run("network", func(t *testing.T) {
		up, ok := r.Interfaces["lo"]
		if len(r.Interfaces) != 1 || !ok {
			t.Errorf("interfaces inside = %v, want only lo", r.Interfaces)
		} else if !up {
			t.Errorf("lo is down inside: set IFF_UP with ioctl(SIOCSIFFLAGS)")
		}
	})
	t.Run("mounts", func(t *testing.T) {
		if r.MountError != "" {
			t.Fatalf("the checker's own mount in the child failed: %s", r.MountError)
		}
		if hostSees {
			t.Errorf("a tmpfs the child mounted on %s appeared on the host: make / MS_REC|MS_PRIVATE first", target)
		}
	})
}

// child is the re-run test binary inside the new namespaces.
func child(impl Impl) int {
	r := report{NS: map[string]string{}, Interfaces: map[string]bool{}}
	for _, k := range kinds {
		r.NS[k.proc], _ = os.Readlink("/proc/self/ns/" + k.proc)
	}
	switch {
	case r.NS["mnt"] == os.Getenv("NSTEST_HOST_MNT"):
		r.Refused = "the child is in the host's mount namespace, where SetupChild would remount the host's /proc (add unix.CLONE_NEWNS)"
	case r.NS["uts"] == os.Getenv("NSTEST_HOST_UTS"):
		r.Refused = "the child is in the host's UTS namespace, where SetupChild would rename the host (add unix.CLONE_NEWUTS)"
	default:
		// A safety net for the student's host, not part of the check: a
		// proc mounted over /proc must never reach the host's /proc, even
		// if SetupChild forgets to make mounts private (the shared dir
		// below still catches that).
		unix.Mount("", "/proc", "", unix.MS_PRIVATE, "")
		if err := impl.SetupChild(Hostname); err != nil {
			r.SetupError = err.Error()
		}
		r.Hostname, _ = os.Hostname()
		r.Pid = os.Getpid()
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if pid, err := strconv.Atoi(e.Name()); err == nil {
				r.ProcPids = append(r.ProcPids, pid)
			}
		}
		ifaces, _ := net.Interfaces()
		for _, i := range ifaces {
			r.Interfaces[i.Name] = i.Flags&net.FlagUp != 0
		}
		if err := unix.Mount("tmpfs", os.Getenv("NSTEST_TARGET"), "tmpfs", 0, ""); err != nil {
			r.MountError = err.Error()
		}
	}
	json.NewEncoder(os.Stdout).Encode(r)
	// Wait for the checker to look at the host, then exit.
	bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

func mustMount(t *testing.T, src, dst, fstype string, flags uintptr) {
	t.Helper()
	if err := unix.Mount(src, dst, fstype, flags, ""); err != nil {
		t.Fatalf("mount %s: %v", dst, err)
	}
}

func isMountPoint(path string) bool {
	data, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == path {
			return true
		}
	}
	return false
}

func short(pids []int) string {
	if len(pids) > 8 {
		return fmt.Sprintf("%v ... (%d in all)", pids[:8], len(pids))
	}
	return fmt.Sprint(pids)
}

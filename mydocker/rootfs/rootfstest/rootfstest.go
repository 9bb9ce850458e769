// Package rootfstest checks a root switch: a function that makes a
// directory the root of the caller's mount namespace and leaves the old root
// unreachable. The engine's rootfs.PivotRoot and lab 03 pass the same
// checker.
//
// CheckPivotRoot runs the switch in a child (a re-run of the test binary,
// which TestMain must route to Main) in a new mount namespace, and the child
// reports what it can still see. Implementations are registered with Main by
// name, so one test binary can hold several (the engine's, and a chroot to
// show the checker failing). A chroot(2) alone passes the first two
// promises and fails the last two, which is the point of the chapter.
package rootfstest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// PivotFunc makes newRoot, a mount point, the root, and detaches the old one.
type PivotFunc func(newRoot string) error

const childEnv = "MYDOCKER_ROOTFSTEST_CHILD"

// Report is what the child saw after the switch.
type Report struct {
	Error       string   `json:"error,omitempty"`
	Setup       string   `json:"setup,omitempty"`
	Marker      string   `json:"marker"`               // content of /marker after the switch
	Cwd         string   `json:"cwd"`                  // os.Getwd after the switch
	MountPoints []string `json:"mountPoints"`          // from /proc/self/mountinfo after the switch
	Escaped     string   `json:"escaped,omitempty"`    // what the escape read of the host-only file
	EscapeStep  string   `json:"escapeStep,omitempty"` // a step of the escape that failed, and why
}

// Main routes the child re-run to the implementation it names; call it from
// TestMain as rootfstest.Main(m, map[string]rootfstest.PivotFunc{"lab": impl}).
func Main(m *testing.M, impls map[string]PivotFunc) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(child(impls[name]))
	}
	os.Exit(m.Run())
}

// CheckPivotRoot runs the implementation registered as name in a child and
// checks, one subtest each, that the new root is /, the cwd is /, the old
// root's mounts are gone, the classic chroot escape finds no way back to the
// host, and the host's mounts did not change.
func CheckPivotRoot(t *testing.T, name string) {
	testenv.RequireRoot(t, "pivot_root in a mount namespace")
	before, _ := os.ReadFile("/proc/self/mountinfo")
	r, hostOnly, err := Probe(t, name)
	if err != nil {
		t.Fatal(err)
	}
	if r.Error != "" {
		t.Fatalf("the switch returned %s, want nil", r.Error)
	}
	verdict := Verdict(r, hostOnly)
	for _, promise := range Promises {
		t.Run(promise, func(t *testing.T) {
			if why, broken := verdict[promise]; broken {
				t.Error(why)
			}
		})
	}
	t.Run("host mounts unchanged", func(t *testing.T) {
		if after, _ := os.ReadFile("/proc/self/mountinfo"); string(after) != string(before) {
			t.Errorf("the host's mount table changed: the switch leaked out of its mount namespace")
		}
	})
}

// Promises are what a root switch promises, as CheckPivotRoot's subtests
// name them.
var Promises = []string{"new root is /", "cwd is /", "old root detached", "no way back"}

// Verdict maps each promise the report shows broken to why. An empty map
// means the switch kept them all. The escape must have run every one of its
// own steps: a switch that leaves the process unable to chroot (it gave up
// root) or without /tmp has not proven anything, and is broken too.
func Verdict(r Report, hostOnly string) map[string]string {
	v := map[string]string{}
	if r.Marker != "inside" {
		v["new root is /"] = fmt.Sprintf("/marker after the switch reads %q, want %q: the new root is not /", r.Marker, "inside")
	}
	if r.Cwd != "/" {
		v["cwd is /"] = fmt.Sprintf("the working directory after the switch is %q, want /: chdir(\"/\") at the end", r.Cwd)
	}
	for _, mp := range r.MountPoints {
		if mp != "/" && mp != "/proc" {
			v["old root detached"] = fmt.Sprintf("mountinfo after the switch still lists %s: the old root's mounts were not detached (umount2 with MNT_DETACH)", mp)
			break
		}
	}
	switch {
	case r.Escaped != "":
		v["no way back"] = fmt.Sprintf("the chroot escape (mkdir x; chroot x; cd .. many times; chroot .) reached the host: read %q from %s. "+
			"chroot only moves where lookups start; pivot_root and detaching the old root leave no path back", r.Escaped, hostOnly)
	case r.EscapeStep != "":
		v["no way back"] = fmt.Sprintf("the escape attempt could not run its own step %s, so nothing was proven: "+
			"after the switch the process must still be root with its capabilities, and the new root's /tmp must be there "+
			"(giving up root or deleting /tmp hides a way back, it does not close it)", r.EscapeStep)
	}
	return v
}

// Probe runs the implementation registered as name in a child, in a new
// mount namespace, and returns what the child saw, and the path of the
// host-only file the escape looked for.
func Probe(t *testing.T, name string) (Report, string, error) {
	newRoot := t.TempDir()
	for _, d := range []string{"proc", "tmp"} {
		if err := os.Mkdir(filepath.Join(newRoot, d), 0o755); err != nil {
			return Report{}, "", err
		}
	}
	if err := os.WriteFile(filepath.Join(newRoot, "marker"), []byte("inside"), 0o644); err != nil {
		return Report{}, "", err
	}
	// A file only the host has: the escape looks for it.
	hostOnly := filepath.Join(t.TempDir(), "host-only")
	if err := os.WriteFile(hostOnly, []byte("the host"), 0o644); err != nil {
		return Report{}, "", err
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name, "ROOTFSTEST_ROOT="+newRoot, "ROOTFSTEST_HOST_ONLY="+hostOnly)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var r Report
	if jerr := json.Unmarshal(out, &r); jerr != nil {
		return r, hostOnly, fmt.Errorf("the child crashed before reporting (%v): %q", err, out)
	}
	if r.Setup != "" {
		return r, hostOnly, fmt.Errorf("the checker's own setup failed: %s", r.Setup)
	}
	return r, hostOnly, nil
}

// child runs in its own mount namespace.
func child(pivot PivotFunc) int {
	var r Report
	if pivot == nil {
		r.Setup = "no implementation registered under " + os.Getenv(childEnv)
		json.NewEncoder(os.Stdout).Encode(r)
		return 0
	}
	defer func() { json.NewEncoder(os.Stdout).Encode(r) }()
	root := os.Getenv("ROOTFSTEST_ROOT")
	// The prerequisites rootfs.Setup sees to before its switch: no mount
	// events in or out, the new root a mount point, a /proc inside it.
	steps := []struct {
		what string
		err  error
	}{
		{"make / private", unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "")},
		{"bind the new root on itself", unix.Mount(root, root, "", unix.MS_BIND|unix.MS_REC, "")},
		{"mount proc", unix.Mount("proc", filepath.Join(root, "proc"), "proc", 0, "")},
	}
	for _, s := range steps {
		if s.err != nil {
			r.Setup = s.what + ": " + s.err.Error()
			return 0
		}
	}
	if err := pivot(root); err != nil {
		r.Error = err.Error()
		return 0
	}
	data, _ := os.ReadFile("/marker")
	r.Marker = string(data)
	r.Cwd, _ = os.Getwd()
	if f, err := os.Open("/proc/self/mountinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fields := strings.Fields(sc.Text()); len(fields) > 4 {
				r.MountPoints = append(r.MountPoints, fields[4])
			}
		}
		f.Close()
	}
	r.Escaped, r.EscapeStep = escape(os.Getenv("ROOTFSTEST_HOST_ONLY"))
	return 0
}

// escape is the classic chroot breakout: chroot into a subdirectory while
// keeping the cwd outside it, climb with "..", which stops only at the
// process's root (no longer an ancestor), and chroot to where it ends. It
// returns what it read of the host-only file ("" when the file is not
// there: contained), or the step of its own that failed. Only a missing
// host file counts as contained; a step that cannot run proves nothing.
func escape(hostOnly string) (read, failedStep string) {
	if err := os.Mkdir("/tmp/x", 0o755); err != nil && !os.IsExist(err) {
		return "", err.Error() // "mkdir /tmp/x: …"
	}
	if err := unix.Chroot("/tmp/x"); err != nil {
		return "", "chroot /tmp/x: " + err.Error()
	}
	for i := 0; i < 64; i++ {
		if err := unix.Chdir(".."); err != nil {
			return "", "chdir ..: " + err.Error()
		}
	}
	if err := unix.Chroot("."); err != nil {
		return "", "chroot .: " + err.Error()
	}
	data, err := os.ReadFile(hostOnly)
	if os.IsNotExist(err) {
		return "", ""
	}
	if err != nil {
		return "", err.Error()
	}
	return fmt.Sprintf("%.40s", data), ""
}

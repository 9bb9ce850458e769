// Looking at a container's processes from the host.

package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// OnlyChild returns the one child of pid. A child belongs to the thread
// that forked it, so every thread's children file is read.
func OnlyChild(t testing.TB, pid int) int {
	t.Helper()
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var kids []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		kids = append(kids, strings.Fields(string(data))...)
	}
	require.Len(t, kids, 1, "children of %d", pid)
	var child int
	fmt.Sscan(kids[0], &child)
	return child
}

// ProcessesNaming lists the processes (other than this one) whose command
// line holds s, as "PID: argv": a detached container's monitor left running
// names its data root there.
func ProcessesNaming(s string) []string {
	var out []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	self := fmt.Sprintf("/proc/%d/cmdline", os.Getpid())
	for _, f := range dirs {
		if f == self {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(data), s) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join(filepath.Dir(f), "stat")); err == nil {
			if i := strings.LastIndexByte(string(st), ')'); i > 0 && strings.HasPrefix(string(st[i+1:]), " Z") {
				continue // a zombie holds nothing, and its parent reaps it
			}
		}
		out = append(out, strings.TrimPrefix(filepath.Dir(f), "/proc/")+": "+strings.ReplaceAll(strings.TrimRight(string(data), "\x00"), "\x00", " "))
	}
	return out
}

// ExitCode waits for cmd, started, and returns its exit code. A command
// still running after 30 s fails the test and is killed: a test that
// waits on a client never hangs the suite.
func ExitCode(t testing.TB, cmd *exec.Cmd) int {
	t.Helper()
	if !waitOrKill(cmd, 30*time.Second) {
		t.Errorf("%s: still running after 30 s: killed", strings.Join(cmd.Args, " "))
	}
	return cmd.ProcessState.ExitCode()
}

// waitOrKill waits for cmd, started, at most limit, then kills it
// (SIGKILL) and waits for it; it reports whether cmd ended by itself.
// Every wait of the harness's is bounded so: a stuck process fails its
// test instead of hanging the suite.
func waitOrKill(cmd *exec.Cmd, limit time.Duration) bool {
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		return false
	}
}

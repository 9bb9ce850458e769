// A `mydocker run` killed at the worst moment: its container's cgroup
// exists, and the run has not yet got to record anything more. The record
// was written first and the group's place follows from the container's ID,
// so `mydocker rm` still finds the group and removes it.

package chapter02

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// Docker behaviour: a daemon killed mid-start leaves nothing that
// `docker rm` cannot clean up (Docker's cgroup path is derived from the
// container ID, /sys/fs/cgroup/.../docker/<id>).
func TestKilledRunLeavesNoCgroup(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("it kills the mydocker run that makes the cgroup, mid-start: through a daemon that is the daemon, not the client")
	cmd := e.Cmd("run", "--name", "killed", "-m", "32m", "--pids-limit", "20", "host", "sleep", "60")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Wait (spinning, so as to be early) for the group to appear, then
	// freeze mydocker run there and kill it: it gets no chance to record
	// anything after making the group.
	id := awaitRecord(t, e.Root)
	dir := memoryGroup(t, id)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(dir); err == nil {
			break
		}
		require.True(t, time.Now().Before(deadline), "the container's cgroup %s never appeared", dir)
	}
	require.NoError(t, syscall.Kill(cmd.Process.Pid, syscall.SIGSTOP))
	require.NoError(t, syscall.Kill(cmd.Process.Pid, syscall.SIGKILL))
	cmd.Wait()
	if ps := e.MustRun("ps", "-a"); !strings.Contains(ps, "killed") {
		t.Errorf("ps -a after mydocker run was killed:\n%s\nwant the container listed", ps)
	}
	// Its monitor is gone: rm needs no -f.
	e.MustRun("rm", "killed")
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("after rm of a container whose mydocker run was killed, its cgroup %s is still there", dir)
	}
	// The harness's leak check, at the end of this test, looks at every
	// hierarchy.
}

// awaitRecord spins until a container record appears under root, and
// returns the container's ID.
func awaitRecord(t *testing.T, root string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(root, "containers", "[0-9a-f]*", "container.json")); len(m) > 0 {
			return filepath.Base(filepath.Dir(m[0]))
		}
	}
	t.Fatalf("no container record appeared under %s", root)
	return ""
}

// memoryGroup is where container id's memory group is made: beneath the
// caller's own memory group on v1 (mydocker run inherits ours), beneath
// the root's "mydocker" group on v2.
func memoryGroup(t *testing.T, id string) string {
	t.Helper()
	if v2() {
		return filepath.Join("/sys/fs/cgroup/mydocker", id)
	}
	f, err := os.Open("/proc/self/cgroup")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) == 3 && parts[1] == "memory" {
			return filepath.Join("/sys/fs/cgroup/memory", parts[2], "mydocker", id)
		}
	}
	t.Fatal("no v1 memory controller in /proc/self/cgroup")
	return ""
}

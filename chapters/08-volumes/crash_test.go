// Every path out leaves no mount on the host: a run killed with SIGKILL
// while its container uses volumes, and a start that fails at a mount.
// The mounts live only in the container's mount namespace, which ends with
// its last process; the harness's leak check, at the end of each test,
// reads the host's mount table.

package chapter08

import (
	"bufio"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestKilledRunLeavesNoMount(t *testing.T) {
	e := busybox(t)
	e.Daemonless("it kills the mydocker run that holds the container's mounts: through a daemon, the client's end leaves the container running, as docker's does")
	host := t.TempDir()
	cmd := e.Cmd("run", "--name", "killed", "-v", "kept:/kept", "-v", "/anon", "-v", host+":/b",
		"--tmpfs", "/t", "busybox", "sh", "-c", "echo up > /b/up; sleep 60")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(host + "/up"); err == nil {
			break
		}
		require.True(t, time.Now().Before(deadline), "the container never started")
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, syscall.Kill(cmd.Process.Pid, syscall.SIGKILL))
	cmd.Wait()
	// init had Pdeathsig: the namespace, and its mounts, end with it.
	waitNoMountOf(t, e.Root)
	// The record still holds the volumes in use, until rm -v.
	if r := e.Run("volume", "rm", "kept"); r.Code == 0 {
		t.Errorf("volume rm of a killed container's volume succeeded, want in use")
	}
	e.MustRun("rm", "-v", "killed")
	if got := e.MustRun("volume", "ls", "-q"); got != "kept\n" {
		t.Errorf("after rm -v, volumes %q, want kept only", got)
	}
	e.MustRun("volume", "rm", "kept")
}

// A start that fails at a mount: exit 125, and with --rm nothing is left,
// neither the container nor the anonymous volume made for it.
func TestFailedMountLeavesNothing(t *testing.T) {
	e := busybox(t)
	r := e.Run("run", "--rm", "-v", "/anon", "-v", "/proc/sneaky", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "/proc/sneaky") {
		t.Errorf("a volume at /proc/sneaky: %v, want refused with 125", r)
	}
	if got := e.MustRun("volume", "ls", "-q"); got != "" {
		t.Errorf("after a failed start with --rm, volumes %q, want none", got)
	}
}

// waitNoMountOf waits until no host mount names the data root (a killed
// init may take a moment to be reaped).
func waitNoMountOf(t *testing.T, root string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, err := os.Open("/proc/self/mountinfo")
		require.NoError(t, err)
		found := ""
		s := bufio.NewScanner(f)
		for s.Scan() {
			if strings.Contains(s.Text(), root) {
				found = s.Text()
			}
		}
		f.Close()
		if found == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a mount of ours is on the host: %s", found)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

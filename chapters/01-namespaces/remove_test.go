// `mydocker rm` and the container's monitor: the `mydocker run` that owns a
// container records its end, so while it lives (the container starting or
// running) only a forced rm may remove the container.

package chapter01

import (
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// Docker behaviour: `docker rm` of a running container is refused (a 409
// Conflict, "container is running: stop the container before removing or
// force remove"); mydocker refuses one still starting too, whose record
// exists before its process does.
func TestRemoveRefusesALiveContainer(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("it freezes the mydocker run that starts the container, mid-start: through a daemon that is the daemon, not the client")
	cmd := e.Cmd("run", "--name", "live", "host", "sh", "-c", "echo ready; exec sleep 60")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	// Freeze `mydocker run` as soon as its record exists: the container
	// is starting (or, on a fast host, just started).
	awaitRecord(t, e.Root)
	require.NoError(t, syscall.Kill(cmd.Process.Pid, syscall.SIGSTOP))
	refused := func(when string) {
		t.Helper()
		r := e.Run("rm", "live")
		if r.Code != 1 || !strings.Contains(r.Stderr, `cannot remove container "/live": container is `) ||
			!strings.Contains(r.Stderr, "stop the container before removing or force remove") {
			t.Errorf("rm of a container %s: %v\nwant exit 1 and Docker's conflict", when, r)
		}
		if got := e.MustRun("ps", "-a"); !strings.Contains(got, "live") {
			t.Errorf("after rm of a container %s, ps -a:\n%s\nwant it still there", when, got)
		}
	}
	refused("starting")
	require.NoError(t, syscall.Kill(cmd.Process.Pid, syscall.SIGCONT))
	buf := make([]byte, 6)
	io.ReadFull(out, buf)
	require.Equal(t, "ready\n", string(buf), "the container did not start")
	refused("running")
	// Forced: killed, its mydocker run records the end, then it goes.
	e.MustRun("rm", "-f", "live")
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 137 {
		t.Errorf("mydocker run of a container removed with rm -f: exit %d, want 137", code)
	}
}

// awaitRecord spins until a container record appears under root: no sleep,
// so that the caller catches the container as early as it can.
func awaitRecord(t *testing.T, root string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(root, "containers", "[0-9a-f]*", "container.json")); len(m) > 0 {
			return
		}
	}
	t.Fatalf("no container record appeared under %s", root)
}

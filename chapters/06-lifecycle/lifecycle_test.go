// Chapter 06's tests: containers that outlive the command line. Each test
// runs containers with -d, under their monitors, and works on them with
// the lifecycle commands as a user would; the harness checks after each
// that no mount, cgroup, record or monitor process is left.
package chapter06

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// inspect reads one field of a container with a Go template.
func inspect(e *harness.Env, name, format string) string {
	return strings.TrimSpace(e.MustRun("inspect", "-f", format, name))
}

// eventually polls cond until it holds; what it waits for is a state, not
// a time, and the limit only bounds a broken engine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
	}
}

// Docker behaviour: `docker run -d` prints the full ID and returns while
// the container runs on; `docker logs -f` follows what a server writes,
// with stdout and stderr apart, and ends when the container does.
func TestDetachedServerLogsFollowed(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	id := strings.TrimSpace(e.MustRun("run", "-d", "--name", "server", "busybox", "sh", "-c",
		`i=0; while :; do echo "served $i"; echo "warn $i" >&2; i=$((i+1)); sleep 0.05; done`))
	require.Regexp(t, `^[0-9a-f]{64}$`, id, "run -d prints the full ID")
	if ps := e.MustRun("ps"); !strings.Contains(ps, "server") || !strings.Contains(ps, "Up ") {
		t.Errorf("ps after run -d:\n%s\nwant the container Up", ps)
	}

	follow := e.Cmd("logs", "-f", "server")
	out, err := follow.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, follow.Start())
	lines := bufio.NewScanner(out)
	// Lines written after logs -f began arrive while the server runs.
	for want := 0; want < 30; want++ {
		require.True(t, lines.Scan(), "logs -f ended early")
		if got := lines.Text(); got != fmt.Sprintf("served %d", want) {
			t.Fatalf("logs -f line %d = %q, want %q", want, got, fmt.Sprintf("served %d", want))
		}
	}
	e.MustRun("stop", "server")
	// logs -f ends once the container has.
	io.Copy(io.Discard, out)
	require.NoError(t, follow.Wait())

	// --tail counts entries of both streams, as Docker's does: the last
	// two are one stdout and one stderr line, each to its own stream.
	r := e.Run("logs", "--tail", "2", "server")
	if !strings.HasPrefix(r.Stdout, "served ") || !strings.HasPrefix(r.Stderr, "warn ") ||
		strings.Count(r.Stdout+r.Stderr, "\n") != 2 {
		t.Errorf("logs --tail 2: %v\nwant one served line on stdout, one warn line on stderr", r)
	}
	if code := inspect(e, "server", "{{.State.ExitCode}}"); code != "143" {
		t.Errorf("a shell stopped with SIGTERM: exit %s, want 143", code)
	}
	e.MustRun("rm", "server")
}

// Docker behaviour: `docker stop -t N` sends SIGTERM and, if the command
// is still there N seconds later, SIGKILL: exit 143 or 137.
func TestStopEscalatesToKill(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "stubborn", "busybox", "sh", "-c", `trap "" TERM; echo ready; while :; do sleep 1; done`)
	eventually(t, "the container said ready", func() bool { return strings.Contains(e.MustRun("logs", "stubborn"), "ready") })
	r := e.Run("stop", "-t", "1", "stubborn")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "stubborn" {
		t.Errorf("stop: %v\nwant exit 0 and the name", r)
	}
	if got := inspect(e, "stubborn", "{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}"); got != "exited 137 false" {
		t.Errorf("a command ignoring SIGTERM after stop -t 1: %q, want exited 137", got)
	}
	// A stopped container: stop again is no error, as Docker's 304.
	if r := e.Run("stop", "stubborn"); r.Code != 0 {
		t.Errorf("stop of a stopped container: %v\nwant exit 0", r)
	}
	e.MustRun("rm", "stubborn")
}

// procStat reads a process's state letter and its CPU ticks.
func procStat(t *testing.T, pid int) (string, uint64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(t, err)
	f := strings.Fields(string(data)[strings.LastIndexByte(string(data), ')')+1:])
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	return f[0], utime + stime
}

// Docker behaviour: `docker pause` freezes every process of the container
// with the cgroup freezer; `docker ps` says "(Paused)"; `docker unpause`
// lets them run on. The command spins on the CPU: frozen, its CPU time
// must stand still (v1 also shows it in state D); thawed, it must grow.
func TestPauseFreezesProcesses(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "spin", "busybox", "sh", "-c", "while :; do :; done")
	initPid, err := strconv.Atoi(inspect(e, "spin", "{{.State.Pid}}"))
	require.NoError(t, err)
	cmd := harness.OnlyChild(t, initPid)

	e.MustRun("pause", "spin")
	if got := inspect(e, "spin", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}"); got != "paused true true" {
		t.Errorf("inspect after pause: %q, want paused true true", got)
	}
	if ps := e.MustRun("ps"); !strings.Contains(ps, "(Paused)") {
		t.Errorf("ps after pause:\n%s\nwant (Paused)", ps)
	}
	state, ticks := procStat(t, cmd)
	time.Sleep(300 * time.Millisecond)
	_, ticks2 := procStat(t, cmd)
	if ticks2 != ticks || state == "R" {
		t.Errorf("paused: the spinning command is in state %s, CPU ticks %d then %d; want not R, unchanged", state, ticks, ticks2)
	}
	if !v2() && state != "D" {
		t.Errorf("paused on cgroup v1: state %s, want D (frozen)", state)
	}
	// top shows a paused container's processes, frozen.
	top := e.MustRun("top", "spin", "-o", "pid,stat,comm")
	if !strings.Contains(top, fmt.Sprintf("%d %s", cmd, state)) {
		t.Errorf("top of a paused container:\n%s\nwant the command, pid %d, in state %s", top, cmd, state)
	}
	if r := e.Run("pause", "spin"); r.Code != 1 || !strings.Contains(r.Stderr, "is already paused") {
		t.Errorf("pause of a paused container: %v\nwant exit 1 and Docker's conflict", r)
	}

	e.MustRun("unpause", "spin")
	eventually(t, "the thawed command used CPU again", func() bool { _, now := procStat(t, cmd); return now > ticks2 })
	if got := inspect(e, "spin", "{{.State.Status}}"); got != "running" {
		t.Errorf("after unpause: %s, want running", got)
	}
	// Paused again, then removed by force: a frozen container must die too.
	e.MustRun("pause", "spin")
	e.MustRun("rm", "-f", "spin")
}

// v2 reports whether the host is pure cgroup v2.
func v2() bool {
	var st syscall.Statfs_t
	return syscall.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == 0x63677270
}

// Docker behaviour: --restart on-failure:3 restarts a failing command
// exactly three times, then leaves it exited with its code; RestartCount
// says 3.
func TestRestartOnFailureThreeTimes(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "flaky", "--restart", "on-failure:3", "busybox", "sh", "-c", "echo attempt; exit 3")
	eventually(t, "the monitor gave up", func() bool {
		return inspect(e, "flaky", "{{.State.Status}} {{.State.Monitor}}") == "exited 0"
	})
	if got := inspect(e, "flaky", "{{.RestartCount}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}"); got != "3 3 on-failure" {
		t.Errorf("RestartCount, ExitCode, policy = %q, want 3 3 on-failure", got)
	}
	if n := strings.Count(e.MustRun("logs", "flaky"), "attempt"); n != 4 {
		t.Errorf("the command ran %d times, want 4 (once and three restarts)", n)
	}
	e.MustRun("rm", "flaky")
}

// Docker behaviour: `docker stop` suspends the restart policy: an
// --restart always container stays stopped.
func TestStopBeatsRestartAlways(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "always", "--restart", "always", "busybox", "sleep", "60")
	e.MustRun("stop", "-t", "1", "always")
	if got := inspect(e, "always", "{{.State.Status}} {{.RestartCount}}"); got != "exited 0" {
		t.Errorf("after stop of an always container: %q, want exited, no restart", got)
	}
	// start runs it again, and the policy with it.
	e.MustRun("start", "always")
	if got := inspect(e, "always", "{{.State.Status}}"); got != "running" {
		t.Errorf("after start: %s, want running", got)
	}
	e.MustRun("rm", "-f", "always")
}

// Docker behaviour: `docker wait` blocks until the container stops and
// prints its exit code; `docker kill` sends SIGKILL (137).
func TestWaitAndKill(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "seven", "busybox", "sh", "-c", "sleep 0.3; exit 7")
	if got := strings.TrimSpace(e.MustRun("wait", "seven")); got != "7" {
		t.Errorf("wait printed %q, want 7", got)
	}
	e.MustRun("run", "-d", "--name", "victim", "busybox", "sleep", "60")
	e.MustRun("kill", "victim")
	if got := strings.TrimSpace(e.MustRun("wait", "victim")); got != "137" {
		t.Errorf("wait after kill printed %q, want 137", got)
	}
	if r := e.Run("kill", "victim"); r.Code != 1 || !strings.Contains(r.Stderr, "is not running") {
		t.Errorf("kill of a stopped container: %v\nwant exit 1 and Docker's conflict", r)
	}
	e.MustRun("rm", "seven", "victim")
}

// 200 containers started with run -d and removed with rm -f while they
// run: the harness then finds no mount, cgroup, record or monitor left.
func TestRunDetachedRemoveForce200(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	n := 200
	if testing.Short() || os.Getenv(harness.InVMEnv) == "1" {
		// The VM emulates its CPU (TCG): 200 cycles there take two
		// minutes, and the same make test ran all 200 natively. Twenty
		// still prove that cgroup v2's teardown leaves nothing.
		n = 20
	}
	for i := 0; i < n; i++ {
		id := strings.TrimSpace(e.MustRun("run", "-d", "busybox", "sleep", "60"))
		e.MustRun("rm", "-f", id)
	}
	if out := e.MustRun("ps", "-aq"); out != "" {
		t.Errorf("ps -aq after %d run -d + rm -f:\n%s\nwant nothing", n, out)
	}
}

// A kill -9 of the monitor takes the container with it (init dies with
// its parent); the next `ps` says so (Exited (255), as Docker says when
// it lost the exit code), and a plain `rm` cleans up what it left.
func TestKilledMonitor(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "orphan", "busybox", "sleep", "60")
	monitor, err := strconv.Atoi(inspect(e, "orphan", "{{.State.Monitor}}"))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(monitor, syscall.SIGKILL))
	eventually(t, "ps saw the monitor gone", func() bool {
		return strings.Contains(e.MustRun("ps", "-a"), "Exited (255)")
	})
	if ps := e.MustRun("ps"); strings.Contains(ps, "orphan") {
		t.Errorf("ps (running only) after the monitor was killed:\n%s\nwant it gone", ps)
	}
	// It can start again: the new monitor clears the group the old one left.
	e.MustRun("start", "orphan")
	if got := inspect(e, "orphan", "{{.State.Status}}"); got != "running" {
		t.Errorf("start after the monitor was killed: %s, want running", got)
	}
	// Killed again, and removed with a plain rm this time.
	monitor, err = strconv.Atoi(inspect(e, "orphan", "{{.State.Monitor}}"))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(monitor, syscall.SIGKILL))
	eventually(t, "ps saw the second monitor gone", func() bool {
		return strings.Contains(e.MustRun("ps", "-a"), "Exited (255)")
	})
	e.MustRun("rm", "orphan")
}

// A kill -9 of `run -d` itself, at any moment, leaves a whole container
// (which rm -f removes) or nothing: never a half.
func TestKilledCaller(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	for i := 0; i < 20; i++ {
		cmd := e.Cmd("run", "-d", "busybox", "sleep", "60")
		require.NoError(t, cmd.Start())
		time.Sleep(time.Duration(i*2) * time.Millisecond) // from before the record to after the start
		cmd.Process.Kill()
		cmd.Wait()
		ids := strings.Fields(e.MustRun("ps", "-aq", "--no-trunc"))
		if len(ids) > 1 {
			t.Fatalf("after one run -d killed: %d containers", len(ids))
		}
		for _, id := range ids {
			if r := e.Run("rm", "-f", id); r.Code != 0 {
				t.Errorf("rm -f of the container of a killed run -d (after %d ms): %v", i*2, r)
			}
		}
	}
}

// Bad input: one line, Docker's exit code, nothing changed.
func TestBadInput(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "taken", "busybox", "sleep", "60")
	e.MustRun("run", "-d", "--name", "done", "busybox", "true")
	e.MustRun("wait", "done")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"stop", "missing"}, 1, "no such container: missing"},
		{[]string{"logs", "missing"}, 1, "no such container: missing"},
		{[]string{"pause", "missing"}, 1, "no such container: missing"},
		{[]string{"pause", "done"}, 1, "cannot pause container done: container done is not running"},
		{[]string{"unpause", "taken"}, 1, "container taken is not paused"},
		{[]string{"rm", "taken"}, 1, `cannot remove container "/taken": container is running: stop the container before removing or force remove`},
		{[]string{"run", "-d", "--name", "taken", "busybox", "true"}, 125, `container name "taken" is already in use`},
		{[]string{"run", "-d", "--restart", "sometimes", "busybox", "true"}, 125, "invalid restart policy: unknown policy 'sometimes'"},
		{[]string{"run", "-d", "--restart", "always:3", "busybox", "true"}, 125, "maximum retry count can only be used with 'on-failure'"},
		{[]string{"run", "-d", "--log-opt", "max-file=0", "busybox", "true"}, 125, "max-file cannot be less than 1"},
		{[]string{"run", "-d", "busybox", "no-such-command"}, 127, "executable file not found"},
	}
	for _, tt := range tests {
		before := e.MustRun("ps", "-a", "--no-trunc")
		r := e.Run(tt.args...)
		if r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("%v\nwant exit %d and one line with %q", r, tt.code, tt.want)
		}
		if tt.code == 127 {
			continue // Docker too leaves the container, created, with the error
		}
		if after := e.MustRun("ps", "-a", "--no-trunc"); stripTimes(after) != stripTimes(before) {
			t.Errorf("mydocker %s changed ps -a:\n%s\nto\n%s", strings.Join(tt.args, " "), before, after)
		}
	}
	if got := inspect(e, "taken", "{{.State.Status}}"); got != "running" {
		t.Errorf("after the refused commands, taken is %s, want running", got)
	}
	for _, id := range strings.Fields(e.MustRun("ps", "-aq")) {
		e.MustRun("rm", "-f", id)
	}
}

// stripTimes keeps the columns of ps that do not move with the clock.
func stripTimes(ps string) string {
	var out []string
	for _, line := range strings.Split(ps, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			out = append(out, f[0]+" "+f[len(f)-1])
		}
	}
	return strings.Join(out, "\n")
}

// Docker behaviour: `docker ps` filters by status, name and ID, shows the
// last n created with -n (every state), and prints Go templates with
// --format, a header only with "table".
func TestPsFiltersAndFormat(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "up", "busybox", "sleep", "60")
	e.MustRun("run", "-d", "--name", "done", "busybox", "true")
	e.MustRun("wait", "done")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ps", "--format", "{{.Names}} {{.State}}"}, "up running\n"},
		{[]string{"ps", "--filter", "status=exited", "--format", "{{.Names}}"}, "done\n"},
		{[]string{"ps", "-a", "--filter", "status=exited", "--filter", "status=running", "--format", "{{.Names}}"}, "done\nup\n"},
		{[]string{"ps", "-a", "--filter", "name=do", "--format", "{{.Names}}"}, "done\n"},
		{[]string{"ps", "-n", "1", "--format", "{{.Names}}"}, "done\n"},
		{[]string{"ps", "-a", "--format", `table {{.Names}}\t{{.State}}`}, "NAMES   STATE\ndone    exited\nup      running\n"},
	}
	for _, tt := range tests {
		if got := e.MustRun(tt.args...); got != tt.want {
			t.Errorf("mydocker %s = %q, want %q", strings.Join(tt.args, " "), got, tt.want)
		}
	}
	if r := e.Run("ps", "--filter", "status=sleeping"); r.Code != 125 || !strings.Contains(r.Stderr, "invalid filter 'status=sleeping'") {
		t.Errorf("ps with a bad filter: %v\nwant exit 125 and the filter named", r)
	}
	e.MustRun("rm", "-f", "up", "done")
}

// Docker behaviour: `docker rename` changes the name, and refuses one in use.
func TestRename(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "old", "busybox", "sleep", "60")
	e.MustRun("run", "-d", "--name", "other", "busybox", "true")
	e.MustRun("rename", "old", "new")
	// The record's name is "new"; Docker's API (the daemon's inspect)
	// writes it "/new", a leftover of links: either is the new name.
	if got := inspect(e, "new", "{{.Name}} {{.State.Status}}"); strings.TrimPrefix(got, "/") != "new running" {
		t.Errorf("after rename: %q, want new running", got)
	}
	if r := e.Run("rename", "new", "other"); r.Code != 1 || !strings.Contains(r.Stderr, `container name "/other" is already in use`) {
		t.Errorf("rename to a name in use: %v\nwant exit 1 and Docker's conflict", r)
	}
	e.MustRun("rm", "-f", "new", "other")
}

// TestRemoveForceOfAnAutoRemovedContainer: rm -f of a running --rm
// container succeeds, as Docker's does, though the container's own --rm
// removes the record while rm -f waits for it to stop.
func TestRemoveForceOfAnAutoRemovedContainer(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("auto%d", i)
		cmd := e.Cmd("run", "--rm", "--name", name, "busybox", "sleep", "100")
		require.NoError(t, cmd.Start())
		for j := 0; j < 200; j++ {
			if strings.TrimSpace(e.Run("ps", "-q", "--filter", "name="+name).Stdout) != "" {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		r := e.Run("rm", "-f", name)
		if r.Code != 0 || r.Stdout != name+"\n" {
			t.Errorf("rm -f %s of a running --rm container: %s", name, r)
		}
		cmd.Wait()
	}
}

// Chapter 02's tests: limits enforced by the kernel, on whichever cgroup
// hierarchy the host has. They run here on a v1/v2 hybrid and, through
// `make test-vm`, on pure cgroup v2. Every limit is checked twice: the value
// in the group's file, read from the host while the container runs, and its
// effect (an OOM kill, a fork refused, periods throttled, a CPU mask).
package chapter02

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// v2 reports whether the host is pure cgroup v2.
func v2() bool {
	var st syscall.Statfs_t
	return syscall.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == 0x63677270
}

// group is a container's cgroup as `mydocker inspect` records it.
type group struct {
	Mode int
	Dirs map[string]string
}

func (g group) dir(ctrl string) string {
	if d, ok := g.Dirs[""]; ok {
		return d
	}
	return g.Dirs[ctrl]
}

func (g group) read(t *testing.T, ctrl, file string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(g.dir(ctrl), file))
	require.NoError(t, err)
	return strings.TrimSpace(string(data))
}

// running starts `mydocker run --name NAME args...` whose command must print
// "ready" when set up, and returns once it has, with its cgroup.
func running(t *testing.T, e *harness.Env, name string, args ...string) (*exec.Cmd, group) {
	t.Helper()
	cmd := e.Cmd(append([]string{"run", "--name", name}, args...)...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	buf := make([]byte, 6)
	n, _ := out.Read(buf)
	require.Equal(t, "ready\n", string(buf[:n]), "the container did not start")
	// mydocker run records the group once init reports the command
	// started, which can be just after the command's first output.
	var g group
	for i := 0; i < 200 && len(g.Dirs) == 0; i++ {
		if i > 0 {
			time.Sleep(25 * time.Millisecond)
		}
		require.NoError(t, json.Unmarshal([]byte(e.MustRun("inspect", "-f", "{{json .Cgroup}}", name)), &g))
	}
	require.NotEmpty(t, g.Dirs, "mydocker inspect shows no cgroup for the running container %s", name)
	// The record says "running" once init has reported the start, which
	// can also come just after the command's first output.
	for i := 0; i < 200 && strings.TrimSpace(e.MustRun("inspect", "-f", "{{.State.Status}}", name)) != "running"; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() {
		e.Run("rm", "-f", name)
		cmd.Wait()
	})
	return cmd, g
}

func TestLimitsAreWritten(t *testing.T) {
	e := harness.New(t)
	_, g := running(t, e, "limits", "-m", "64m", "--memory-swap", "96m", "--cpus", "0.5", "--cpu-shares", "512",
		"--cpuset-cpus", "0", "--pids-limit", "50", "host", "sh", "-c", "echo ready; exec sleep 60")
	type check struct{ ctrl, file, want string }
	checks := []check{
		{"memory", "memory.limit_in_bytes", "67108864"},
		{"cpu", "cpu.cfs_quota_us", "50000"},
		{"cpu", "cpu.cfs_period_us", "100000"},
		{"cpu", "cpu.shares", "512"},
		{"cpuset", "cpuset.cpus", "0"},
		{"pids", "pids.max", "50"},
	}
	if _, err := os.Stat(filepath.Join(g.dir("memory"), "memory.memsw.limit_in_bytes")); err == nil {
		checks = append(checks, check{"memory", "memory.memsw.limit_in_bytes", "100663296"})
	}
	if v2() {
		checks = []check{
			{"", "memory.max", "67108864"},
			{"", "memory.swap.max", "33554432"}, // v2 counts swap alone: 96m - 64m
			{"", "cpu.max", "50000 100000"},
			{"", "cpu.weight", "20"}, // shares 512, converted as runc does
			{"", "cpuset.cpus", "0"},
			{"", "pids.max", "50"},
		}
	}
	for _, c := range checks {
		got := g.read(t, c.ctrl, c.file)
		// On v1, pids.max holds one more until init's thread has placed
		// the command and left the group (cgroups.writeV1): give it a moment.
		for i := 0; i < 100 && got != c.want && c.file == "pids.max"; i++ {
			time.Sleep(10 * time.Millisecond)
			got = g.read(t, c.ctrl, c.file)
		}
		if got != c.want {
			t.Errorf("%s/%s = %q, want %q", g.dir(c.ctrl), c.file, got, c.want)
		}
	}
}

func TestCommandIsBornInItsGroup(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("it finds init and the command as the children of the caller's mydocker run")
	cmd, g := running(t, e, "born", "--pids-limit", "20", "host", "sh", "-c", "echo ready; exec sleep 60")
	init := cmd.Process.Pid // mydocker run; init is its child
	initPid := harness.OnlyChild(t, init)
	commandPid := harness.OnlyChild(t, initPid)
	procs := g.read(t, "pids", "cgroup.procs")
	if !strings.Contains(" "+strings.ReplaceAll(procs, "\n", " ")+" ", " "+strconv.Itoa(commandPid)+" ") {
		t.Errorf("the command (pid %d) is not in its group; cgroup.procs = %q", commandPid, procs)
	}
	if strings.Contains(" "+strings.ReplaceAll(procs, "\n", " ")+" ", " "+strconv.Itoa(initPid)+" ") {
		t.Errorf("init (pid %d) is in the container's group: its Go threads would count against --pids-limit", initPid)
	}
	if v2() {
		// The cgroup namespace is rooted at the container's group, as in Docker.
		out := e.MustRun("run", "--rm", "host", "cat", "/proc/self/cgroup")
		if strings.TrimSpace(out) != "0::/" {
			t.Errorf("/proc/self/cgroup inside = %q, want 0::/ (a cgroup namespace of its own)", out)
		}
	}
}

func TestPidsLimitCountsOnlyTheContainer(t *testing.T) {
	e := harness.New(t)
	// sh and two sleeps are three processes: allowed, however many threads
	// init has (it is outside the group). A third sleep, a fourth process,
	// is refused: the shell says it cannot fork.
	r := e.Run("run", "--rm", "--pids-limit", "3", "host", "sh", "-c", "sleep 0.2 & sleep 0.2 & wait; echo three-ok")
	if r.Code != 0 || r.Stdout != "three-ok\n" {
		t.Errorf("--pids-limit 3, sh and two sleeps: %v", r)
	}
	r = e.Run("run", "--rm", "--pids-limit", "3", "host", "sh", "-c", "sleep 0.2 & sleep 0.2 & sleep 0.2 & wait; echo four-ok")
	if r.Code == 0 || strings.Contains(r.Stdout, "four-ok") || !strings.Contains(strings.ToLower(r.Stderr), "fork") {
		t.Errorf("--pids-limit 3, sh and three sleeps: %v; want the fourth process refused", r)
	}
}

func TestForkBombIsContained(t *testing.T) {
	e := harness.New(t)
	// A fork bomb: each shell starts two more, forever.
	cmd, g := running(t, e, "bomb", "--pids-limit", "30", "host", "sh", "-c",
		`echo ready; bomb() { bomb 2>/dev/null | bomb 2>/dev/null & }; bomb; sleep 60`)
	// Such a bomb can also burn out by itself (a shell whose fork failed
	// exits), so what is watched is the highest count seen until the
	// kernel has refused a fork: never above the limit.
	highest, events := 0, ""
	for i := 0; i < 500; i++ {
		current, _ := strconv.Atoi(g.read(t, "pids", "pids.current"))
		highest = max(highest, current)
		if events = g.read(t, "pids", "pids.events"); strings.HasPrefix(events, "max ") && events != "max 0" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.HasPrefix(events, "max ") || events == "max 0" {
		t.Errorf("pids.events = %q after the bomb ran, want forks refused (max > 0)", events)
	}
	if highest > 30 {
		t.Errorf("pids.current reached %d while the bomb ran, want at most the limit, 30", highest)
	}
	// The host can still fork.
	require.NoError(t, exec.Command("true").Run())
	e.MustRun("rm", "-f", "bomb")
	cmd.Wait()
}

func TestOOMKill(t *testing.T) {
	e := harness.New(t)
	r := e.Run("run", "--name", "hog", "-m", "16m", "host", "sh", "-c", "x=a; while :; do x=$x$x$x$x; done")
	if r.Code != 137 {
		t.Errorf("memory hog under -m 16m: exit %d, want 137\n%v", r.Code, r)
	}
	if !strings.Contains(r.Stderr, "was OOM-killed") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want one line saying the container was OOM-killed", r.Stderr)
	}
	if got := strings.TrimSpace(e.MustRun("inspect", "-f", "{{.State.OOMKilled}} {{.State.Usage.OOMKills}}", "hog")); got != "true 1" {
		t.Errorf("inspect OOMKilled, OOMKills = %q, want \"true 1\"", got)
	}
	e.MustRun("rm", "hog")

	// The same command within its limit is not killed.
	r = e.Run("run", "--rm", "-m", "16m", "host", "sh", "-c", "x=$(seq 1000); echo ok")
	if r.Code != 0 || r.Stderr != "" {
		t.Errorf("a small command under -m 16m: %v", r)
	}
}

func TestCPUQuotaThrottles(t *testing.T) {
	e := harness.New(t)
	usage := func(name string, limit ...string) (periods, throttled int, cpuTime time.Duration) {
		// A busy loop for one second of wall time: with --cpus 0.1 it can
		// use only a tenth of it. The counters tell, not the clock.
		args := append(append([]string{"run", "--name", name}, limit...),
			"host", "timeout", "1", "sh", "-c", "while :; do :; done")
		if r := e.Run(args...); r.Code != 124 && r.Code != 143 {
			t.Fatalf("%v; want the loop ended by timeout", r)
		}
		var u struct {
			CPUPeriods, Throttled int
			CPUTime               time.Duration
		}
		require.NoError(t, json.Unmarshal([]byte(e.MustRun("inspect", "-f", "{{json .State.Usage}}", name)), &u))
		e.MustRun("rm", name)
		return u.CPUPeriods, u.Throttled, u.CPUTime
	}
	periods, throttled, cpuTime := usage("quota", "--cpus", "0.1")
	t.Logf("--cpus 0.1: %v of CPU over %d periods, %d throttled", cpuTime, periods, throttled)
	// 0.1 CPU is 10ms per 100ms period; anything that needs more than
	// 10ms of CPU must be throttled in most of its periods.
	if periods < 5 {
		t.Fatalf("the busy loop ran only %d CFS periods: too few to test a quota", periods)
	}
	if throttled < periods/2 {
		t.Errorf("--cpus 0.1: throttled in %d of %d periods, want most of them", throttled, periods)
	}
	if _, throttled, cpuTime := usage("free"); throttled != 0 || cpuTime < 500*time.Millisecond {
		t.Errorf("without --cpus: throttled %d times, %v of CPU in one second; want 0 and most of the second", throttled, cpuTime)
	}
}

func TestCpuset(t *testing.T) {
	e := harness.New(t)
	out := e.MustRun("run", "--rm", "--cpuset-cpus", "0", "host", "sh", "-c", "grep Cpus_allowed_list /proc/self/status; nproc")
	if !strings.Contains(out, "Cpus_allowed_list:\t0\n") || !strings.HasSuffix(out, "\n1\n") {
		t.Errorf("--cpuset-cpus 0: %q, want only CPU 0 allowed", out)
	}
}

func TestBadInput(t *testing.T) {
	e := harness.New(t)
	tests := []struct {
		flags []string
		msg   string
	}{
		{[]string{"-m", "1k"}, "minimum memory limit allowed is 6MB"},
		{[]string{"-m", "12x"}, `invalid argument "12x" for "-m, --memory" flag`},
		{[]string{"--cpus", "-1"}, `invalid argument "-1" for "--cpus" flag`},
		{[]string{"--cpus", "99"}, "from 0.01 to"},
		{[]string{"--cpuset-cpus", "99"}, "CPU 99 is not available"},
		{[]string{"--pids-limit", "many"}, `invalid argument "many" for "--pids-limit" flag`},
		{[]string{"-m", "64m", "--memory-swap", "1m"}, "must be at least -m"},
		{[]string{"--cpu-shares", "1"}, "from 2 to 262144"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
			r := e.Run(append(append([]string{"run", "--rm"}, tt.flags...), "host", "true")...)
			first, _, _ := strings.Cut(r.Stderr, "\n")
			if r.Code != 125 || !strings.Contains(first, tt.msg) {
				t.Errorf("%v\nwant exit 125 and a line with %q", r, tt.msg)
			}
		})
	}
	if out := e.MustRun("ps", "-a", "-q"); out != "" {
		t.Errorf("bad input left containers: %q", out)
	}
}

func TestCleanupOnEveryEnding(t *testing.T) {
	e := harness.New(t)
	limits := []string{"-m", "32m", "--pids-limit", "10", "--cpus", "0.5"}
	// A command that cannot start: the group made for it is removed.
	r := e.Run(append(append([]string{"run", "--rm"}, limits...), "host", "no-such-command")...)
	require.Equal(t, 127, r.Code, "%v", r)
	// A signal to mydocker: relayed, the container ends, the group goes.
	cmd := e.Cmd(append(append([]string{"run", "--rm"}, limits...), "host", "sh", "-c", "echo ready; exec sleep 60")...)
	out, _ := cmd.StdoutPipe()
	require.NoError(t, cmd.Start())
	buf := make([]byte, 6)
	out.Read(buf)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 143 {
		t.Errorf("after SIGTERM: exit %d, want 143", code)
	}
	// The harness's leak check, at the end of this test, finds no group.
}

func TestStats(t *testing.T) {
	e := harness.New(t)
	running(t, e, "busy", "-m", "64m", "--cpus", "0.5", "host", "sh", "-c", "echo ready; while :; do :; done")
	out := e.MustRun("stats", "--no-stream")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, "stats output:\n%s", out)
	if !strings.HasPrefix(lines[0], "CONTAINER ID   NAME   CPU %") {
		t.Errorf("stats header = %q", lines[0])
	}
	f := strings.Fields(lines[1])
	require.GreaterOrEqual(t, len(f), 7, "stats row: %q", lines[1])
	cpu, _ := strconv.ParseFloat(strings.TrimSuffix(f[2], "%"), 64)
	if f[1] != "busy" || cpu < 30 || cpu > 60 || f[5] != "64MiB" {
		t.Errorf("stats row = %q, want busy at about 50%% CPU (--cpus 0.5) of a 64MiB limit", lines[1])
	}
}

func TestTraceShowsCgroupWrites(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("--trace narrates the kernel steps on the stderr of the mydocker that takes them: through a daemon, the daemon's")
	r := e.Run("--trace", "run", "--rm", "-m", "64m", "host", "true")
	require.Equal(t, 0, r.Code, "%v", r)
	file := "memory.limit_in_bytes"
	if v2() {
		file = "memory.max"
	}
	for _, want := range []string{"=> [host] mkdir /sys/fs/cgroup/", `echo "67108864" > /sys/fs/cgroup/`, "/" + file, "=> [host] rmdir /sys/fs/cgroup/"} {
		if !strings.Contains(harness.Untimed(r.Stderr), want) {
			t.Errorf("--trace lacks %q:\n%s", want, r.Stderr)
		}
	}
}

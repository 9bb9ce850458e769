// Chapter 06's exec tests: a process started in a running container must
// be in everything the container's command is in, and nothing more.
package chapter06

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// capLines keeps the CapEff and CapBnd lines of a /proc/PID/status.
func capLines(status string) string {
	var keep []string
	for _, l := range strings.Split(status, "\n") {
		if strings.HasPrefix(l, "CapEff:") || strings.HasPrefix(l, "CapBnd:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// Docker behaviour: `docker exec` runs in the container's namespaces,
// cgroup and root, with its capabilities, environment (plus -e), user (or
// -u) and working directory (or -w), and returns the process's exit code.
func TestExecJoinsContainer(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	// The command records what it is in, for exec to be compared with.
	e.MustRun("run", "-d", "--name", "box", "--hostname", "boxhost", "-e", "FROM_RUN=yes", "-w", "/tmp",
		"busybox", "sh", "-c", `cat /proc/self/cgroup > /cgroup; grep ^Cap /proc/self/status > /caps; echo ready; exec sleep 1000`)
	eventually(t, "the container said ready", func() bool { return strings.Contains(e.MustRun("logs", "box"), "ready") })

	tests := []struct {
		flags, cmd []string // flags come before the container, as docker's
		want       string
	}{
		{nil, []string{"hostname"}, "boxhost\n"},
		{[]string{"-e", "ADDED=1"}, []string{"sh", "-c", "echo $FROM_RUN $ADDED"}, "yes 1\n"},
		{nil, []string{"pwd"}, "/tmp\n"},
		{[]string{"-w", "/etc"}, []string{"pwd"}, "/etc\n"},
		{[]string{"-u", "1000:1000"}, []string{"id"}, "uid=1000 gid=1000\n"},
	}
	for _, tt := range tests {
		args := append(append(append([]string{"exec"}, tt.flags...), "box"), tt.cmd...)
		if r := e.Run(args...); r.Code != 0 || r.Stdout != tt.want {
			t.Errorf("%v\nwant %q", r, tt.want)
		}
	}
	// The pid namespace: init is 1, the command and exec's ps are there.
	ps := e.MustRun("exec", "box", "ps", "-o", "pid,comm")
	if !regexp.MustCompile(`(?m)^\s*1 mydocker`).MatchString(ps) || !strings.Contains(ps, "sleep") {
		t.Errorf("exec box ps:\n%s\nwant init as 1 and the container's sleep", ps)
	}
	// The cgroup, as the command itself sees it.
	if got, want := e.MustRun("exec", "box", "cat", "/proc/self/cgroup"), e.MustRun("exec", "box", "cat", "/cgroup"); got != want {
		t.Errorf("exec's /proc/self/cgroup:\n%s\nthe command's:\n%s", got, want)
	}
	// The capabilities: the container's, effective and bounding.
	got := capLines(e.MustRun("exec", "box", "cat", "/proc/self/status"))
	want := capLines(e.MustRun("exec", "box", "cat", "/caps"))
	if got != want || want == "" {
		t.Errorf("exec's capabilities:\n%s\nthe command's:\n%s", got, want)
	}
	// Exit codes: the process's own, 127 for no such program, 126 for one
	// that cannot run.
	for _, tt := range []struct {
		args []string
		code int
	}{{[]string{"true"}, 0}, {[]string{"sh", "-c", "exit 3"}, 3}, {[]string{"no-such-command"}, 127}, {[]string{"/etc"}, 126}} {
		if r := e.Run(append([]string{"exec", "box"}, tt.args...)...); r.Code != tt.code {
			t.Errorf("exec box %s: %v\nwant exit %d", strings.Join(tt.args, " "), r, tt.code)
		}
	}
	// -d: started and left running; the container's init reaps it.
	e.MustRun("exec", "-d", "box", "sh", "-c", "echo detached > /detached")
	eventually(t, "exec -d ran", func() bool { return e.Run("exec", "box", "cat", "/detached").Stdout == "detached\n" })
	e.MustRun("rm", "-f", "box")
}

// Docker behaviour: exec into a missing, stopped or paused container is
// refused with one line and exit 1.
func TestExecRefused(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "paused", "busybox", "sleep", "1000")
	e.MustRun("pause", "paused")
	e.MustRun("create", "--name", "created", "busybox", "true")
	e.MustRun("run", "-d", "--name", "done", "busybox", "true")
	e.MustRun("wait", "done")
	for _, tt := range []struct{ name, want string }{
		{"missing", "no such container: missing"},
		{"paused", "container paused is paused, unpause the container before exec"},
		{"created", "container created is not running"},
		{"done", "container done is not running"},
	} {
		r := e.Run("exec", tt.name, "true")
		if r.Code != 1 || !strings.Contains(r.Stderr, tt.want) || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("%v\nwant exit 1 and one line with %q", r, tt.want)
		}
	}
	if got := inspect(e, "paused", "{{.State.Status}}"); got != "paused" {
		t.Errorf("after exec was refused, the container is %s, want paused", got)
	}
	e.MustRun("rm", "-f", "paused", "created", "done")
}

// CVE-2024-21626 for exec: a working directory through a /proc magic link
// would reach a descriptor mydocker holds on the host. -w is resolved
// inside the container's root, where magic links are refused.
func TestExecWorkdirEscape(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	for _, dir := range []string{"/proc/self/fd/3", "/proc/self/fd/4", "/proc/self/fd/5", "/proc/self/cwd", "/proc/1/cwd", "/proc/1/root"} {
		r := e.Run("exec", "-w", dir, "box", "sh", "-c", "pwd; ls /")
		if r.Code == 0 {
			t.Errorf("exec -w %s: %v\nwant it refused", dir, r)
		}
		if r.Code != 126 || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("exec -w %s: %v\nwant exit 126 and one line", dir, r)
		}
	}
	e.MustRun("rm", "-f", "box")
}

// Docker behaviour: `docker exec -it` gives the process a terminal of the
// container's own devpts, and keys typed reach it.
func TestExecInteractiveTerminal(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	master, slave, err := harness.OpenPTY()
	require.NoError(t, err)
	defer master.Close()
	cmd := e.Cmd("exec", "-it", "box", "sh")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	require.NoError(t, cmd.Start())
	slave.Close()
	harness.ReadUntil(master, "# ", 20*time.Second)
	master.Write([]byte("tty; echo $TERM; exit 7\n"))
	out := harness.ReadUntil(master, "xterm", 20*time.Second)
	if !strings.Contains(out, "/dev/pts/") || !strings.Contains(out, "xterm") {
		t.Errorf("exec -it: tty and TERM printed %q, want a /dev/pts/N and xterm", out)
	}
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 7 {
		t.Errorf("exec -it sh with exit 7: %v, want exit code 7", err)
	}
	e.MustRun("rm", "-f", "box")
}

// Docker behaviour: `docker commit` pauses a running container while it
// reads the layer (--pause=true by default), and leaves it running after.
func TestCommitRunningPauses(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("--trace shows the freezer on the stderr of the mydocker that commits: through a daemon, the daemon's")
	e.Busybox()
	e.MustRun("run", "-d", "--name", "box", "busybox", "sh", "-c", "echo kept > /kept; echo ready; exec sleep 1000")
	eventually(t, "the container said ready", func() bool { return strings.Contains(e.MustRun("logs", "box"), "ready") })
	r := e.Run("--trace", "commit", "box", "committed:1")
	if r.Code != 0 || !strings.Contains(r.Stderr, "freeze") {
		t.Errorf("commit of a running container: %v\nwant exit 0 and the freezer in the trace", r)
	}
	if got := inspect(e, "box", "{{.State.Status}}"); got != "running" {
		t.Errorf("after commit the container is %s, want running", got)
	}
	if out := e.MustRun("run", "--rm", "committed:1", "cat", "/kept"); out != "kept\n" {
		t.Errorf("the committed image's /kept = %q, want %q", out, "kept\n")
	}
	e.MustRun("rm", "-f", "box")
	e.MustRun("rmi", "committed:1")
}

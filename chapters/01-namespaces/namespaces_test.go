// Chapter 01's tests: what `mydocker run` promises once it creates
// namespaces. Each test runs the real binary as a student would, on the
// "host" image (the host's own filesystem: the root switch is chapter 03).
package chapter01

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

func TestHostnameIsolated(t *testing.T) {
	e := harness.New(t)
	hostBefore, err := os.Hostname()
	require.NoError(t, err)

	// Renaming needs CAP_SYS_ADMIN, which containers do not keep: give it
	// back, and the rename still changes only the container's UTS namespace.
	got := e.MustRun("run", "--rm", "--hostname", "box", "--cap-add", "SYS_ADMIN", "host", "sh", "-c", "hostname; hostname box2; hostname")
	if got != "box\nbox2\n" {
		t.Errorf("hostname inside = %q, want box then box2", got)
	}
	hostAfter, _ := os.Hostname()
	if hostAfter != hostBefore {
		t.Errorf("host's hostname changed from %q to %q", hostBefore, hostAfter)
	}

	// Without --hostname, Docker names the container's host after its short ID.
	got = strings.TrimSpace(e.MustRun("run", "--rm", "host", "hostname"))
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(got) {
		t.Errorf("default hostname = %q, want a 12-digit hex short ID", got)
	}
}

func TestEveryNamespaceIsNew(t *testing.T) {
	e := harness.New(t)
	kinds := []string{"uts", "pid", "mnt", "ipc", "net"}
	script := ""
	for _, k := range kinds {
		script += fmt.Sprintf("readlink /proc/self/ns/%s; ", k)
	}
	inside := strings.Fields(e.MustRun("run", "--rm", "host", "sh", "-c", script))
	require.Len(t, inside, len(kinds))
	for i, k := range kinds {
		host, err := os.Readlink("/proc/self/ns/" + k)
		require.NoError(t, err)
		if inside[i] == host {
			t.Errorf("%s namespace inside = %s, the same as the host's", k, inside[i])
		}
	}
}

func TestInitIsPID1(t *testing.T) {
	e := harness.New(t)
	out := e.MustRun("run", "--rm", "host", "sh", "-c",
		`tr '\0' ' ' < /proc/1/cmdline; echo; ls /proc | grep -c '^[0-9]'; echo $PPID`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, "output: %q", out)
	if got := strings.TrimSpace(lines[0]); got != "mydocker init" {
		t.Errorf("PID 1's command line = %q, want %q", got, "mydocker init")
	}
	// Only the container's processes: init, sh, ls, grep. The host has hundreds.
	var n int
	fmt.Sscan(lines[1], &n)
	if n < 2 || n > 6 {
		t.Errorf("/proc inside lists %d processes, want only the container's (2 to 6)", n)
	}
	if lines[2] != "1" {
		t.Errorf("the command's parent is PID %s, want 1 (init)", lines[2])
	}
}

func TestOnlyLoopback(t *testing.T) {
	e := harness.New(t)
	out := e.MustRun("run", "--rm", "host", "ip", "-o", "link", "show")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], ": lo: ") || !strings.Contains(lines[0], ",UP,") {
		t.Errorf("interfaces inside:\n%s\nwant only lo, and up", out)
	}
}

func TestMountsStayInside(t *testing.T) {
	e := harness.New(t)
	dir := t.TempDir()
	target, sync := filepath.Join(dir, "target"), filepath.Join(dir, "sync")
	require.NoError(t, os.Mkdir(target, 0o755))
	require.NoError(t, os.Mkdir(sync, 0o755))
	tableBefore := harness.MountTable()

	// The container mounts a tmpfs (with CAP_SYS_ADMIN given back: without
	// it, a container cannot mount at all) and writes into it, then waits
	// until the host has looked.
	script := fmt.Sprintf(`mount -t tmpfs none %[1]s && touch %[1]s/inside && touch %[2]s/ready
		while [ ! -e %[2]s/done ]; do sleep 0.02; done`, target, sync)
	cmd := e.Cmd("run", "--rm", "--cap-add", "SYS_ADMIN", "host", "sh", "-c", script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	waitFor(t, filepath.Join(sync, "ready"))

	if harness.MountPoints()[target] {
		t.Errorf("the container's tmpfs on %s shows in the host's mount table", target)
	}
	if _, err := os.Stat(filepath.Join(target, "inside")); err == nil {
		t.Errorf("a file written in the container's tmpfs is visible on the host")
	}
	require.NoError(t, os.WriteFile(filepath.Join(sync, "done"), nil, 0o644))
	require.NoError(t, cmd.Wait(), "stderr: %s", stderr.String())
	if after := harness.MountTable(); after != tableBefore {
		t.Errorf("host mount table changed:\nbefore:\n%s\nafter:\n%s", tableBefore, after)
	}
}

func TestExitCodes(t *testing.T) {
	e := harness.New(t)
	dir := t.TempDir()
	notExecutable, notAProgram := filepath.Join(dir, "data.txt"), filepath.Join(dir, "garbage")
	require.NoError(t, os.WriteFile(notExecutable, []byte("just data\n"), 0o644))
	require.NoError(t, os.WriteFile(notAProgram, []byte("\x01\x02 not a program\n"), 0o755))
	tests := []struct {
		name    string
		args    []string
		code    int
		message string // in the one line on stderr, if any
	}{
		{"success", []string{"run", "--rm", "host", "true"}, 0, ""},
		{"command's own code", []string{"run", "--rm", "host", "sh", "-c", "exit 3"}, 3, ""},
		{"not executable", []string{"run", "--rm", "host", notExecutable}, 126, "permission denied"},
		{"not a program", []string{"run", "--rm", "host", notAProgram}, 126, "exec format error"},
		{"a directory", []string{"run", "--rm", "host", dir}, 126, "permission denied"},
		{"not found", []string{"run", "--rm", "host", "no-such-command"}, 127, "executable file not found"},
		{"missing path", []string{"run", "--rm", "host", "/no/such/file"}, 127, "no such file"},
		{"killed by a signal", []string{"run", "--rm", "host", "sh", "-c", "kill -9 $$"}, 137, ""},
		// --pull never: the test must not reach for Docker Hub.
		{"unknown image", []string{"run", "--rm", "--pull", "never", "no-such-image", "true"}, 125, "no-such-image"},
		{"unknown flag", []string{"run", "--bogus", "host", "true"}, 125, "unknown flag: --bogus"},
		{"no image", []string{"run"}, 125, "requires at least 1 argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Run(tt.args...)
			if r.Code != tt.code {
				t.Fatalf("exit code = %d, want %d\n%v", r.Code, tt.code, r)
			}
			if tt.message == "" {
				return
			}
			first, _, _ := strings.Cut(r.Stderr, "\n")
			if !strings.Contains(first, tt.message) || !strings.HasPrefix(first, "mydocker: ") {
				t.Errorf("stderr = %q, want one line \"mydocker: ...%s...\"", r.Stderr, tt.message)
			}
		})
	}
	if out := e.MustRun("ps", "-a", "-q"); out != "" {
		t.Errorf("--rm runs left containers behind: %q", out)
	}
}

func TestSignalsReachTheCommand(t *testing.T) {
	e := harness.New(t)
	tests := []struct {
		name   string
		script string
		sig    syscall.Signal
		code   int
		output string
	}{
		// The shell's trap runs: the signal went host → mydocker → init → sh.
		{"trapped", `trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.05; done`, syscall.SIGTERM, 42, "got TERM"},
		// No handler: the default action kills the command, 128+15.
		{"default action", `echo ready; exec sleep 30`, syscall.SIGTERM, 143, ""},
		{"interrupt", `echo ready; exec sleep 30`, syscall.SIGINT, 130, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := e.Cmd("run", "--rm", "host", "sh", "-c", tt.script)
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			buf := make([]byte, 64)
			n, _ := stdout.Read(buf)
			require.Equal(t, "ready\n", string(buf[:n]))
			require.NoError(t, cmd.Process.Signal(tt.sig))
			rest := new(bytes.Buffer)
			rest.ReadFrom(stdout)
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != tt.code {
				t.Errorf("after %v: exit code %d, want %d", tt.sig, code, tt.code)
			}
			if !strings.Contains(rest.String(), tt.output) {
				t.Errorf("after %v: output %q, want %q", tt.sig, rest.String(), tt.output)
			}
		})
	}
}

func TestOrphansAreReaped(t *testing.T) {
	e := harness.New(t)
	// The subshell exits at once, so its background child is orphaned and
	// reparented to PID 1. When the child ends, only init can reap it:
	// wait until it has ended, then give init up to five seconds.
	dir := t.TempDir()
	out := e.MustRun("run", "--rm", "host", "sh", "-c", `(sh -c 'sleep 0.1; touch `+dir+`/done' &)
		while [ ! -e `+dir+`/done ]; do sleep 0.02; done
		i=0; while [ $i -lt 250 ]; do
			z=$(for s in /proc/[0-9]*/stat; do cut -d' ' -f3 $s; done | grep -c Z)
			[ "$z" = 0 ] && { echo reaped; exit 0; }
			sleep 0.02; i=$((i+1))
		done; echo "still a zombie"; for s in /proc/[0-9]*/stat; do cut -d' ' -f2,3 $s; done`)
	if !strings.HasPrefix(out, "reaped") {
		t.Errorf("an orphan that ended was not reaped:\n%s", out)
	}
}

func TestRemove(t *testing.T) {
	e := harness.New(t)
	e.MustRun("run", "--rm", "host", "true")
	if out := e.MustRun("ps", "-a", "-q"); out != "" {
		t.Errorf("after run --rm, ps -a lists %q, want nothing", out)
	}
	entries, _ := os.ReadDir(filepath.Join(e.Root, "containers"))
	for _, d := range entries {
		if d.IsDir() {
			t.Errorf("after run --rm, the store still holds %s", d.Name())
		}
	}

	if r := e.Run("run", "--name", "kept", "host", "sh", "-c", "exit 7"); r.Code != 7 {
		t.Fatalf("%v; want exit 7", r)
	}
	ps := e.MustRun("ps", "-a")
	if !strings.Contains(ps, "Exited (7)") || !strings.Contains(ps, "kept") {
		t.Errorf("ps -a after a run without --rm:\n%s\nwant the container, Exited (7)", ps)
	}
	e.MustRun("rm", "kept")
	if out := e.MustRun("ps", "-a", "-q"); out != "" {
		t.Errorf("after rm, ps -a lists %q", out)
	}
	if r := e.Run("rm", "kept"); r.Code != 1 || !strings.Contains(r.Stderr, "no such container") {
		t.Errorf("rm of a removed container: %v", r)
	}
}

func TestStdio(t *testing.T) {
	e := harness.New(t)
	r := e.Run("run", "--rm", "host", "sh", "-c", `echo out; echo err >&2; printf '\000\001\377'`)
	if r.Stdout != "out\n\x00\x01\xff" || r.Stderr != "err\n" {
		t.Errorf("stdout %q, stderr %q; want them untouched and apart", r.Stdout, r.Stderr)
	}
	r = e.RunInput(strings.NewReader("hello\n"), "run", "--rm", "-i", "host", "cat")
	if r.Stdout != "hello\n" {
		t.Errorf("run -i cat with stdin \"hello\": stdout %q", r.Stdout)
	}
	r = e.RunInput(strings.NewReader("hello\n"), "run", "--rm", "host", "cat")
	if r.Stdout != "" || r.Code != 0 {
		t.Errorf("run cat without -i read %q (exit %d), want nothing: stdin is /dev/null", r.Stdout, r.Code)
	}
}

func TestTTY(t *testing.T) {
	e := harness.New(t)
	master, slave, err := harness.OpenPTY()
	require.NoError(t, err)
	defer master.Close()
	cmd := e.Cmd("run", "--rm", "-it", "host", "sh", "-c", `tty; stty size; read line; echo "got $line"; exit 5`)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	require.NoError(t, cmd.Start())
	slave.Close()
	out := harness.ReadUntil(master, "80\r\n", 10*time.Second)
	if !regexp.MustCompile(`/dev/pts/\d+\r\n24 80\r\n`).MatchString(out) {
		t.Errorf("with -t, tty and stty size print %q, want a /dev/pts path and the terminal's 24x80", out)
	}
	master.Write([]byte("hello\r"))
	out = harness.ReadUntil(master, "got hello", 10*time.Second)
	cmd.Wait()
	if !strings.Contains(out, "got hello") {
		t.Errorf("typed a line into -it, container printed %q", out)
	}
	if code := cmd.ProcessState.ExitCode(); code != 5 {
		t.Errorf("exit code %d, want 5", code)
	}

	r := e.RunInput(strings.NewReader("x"), "run", "--rm", "-it", "host", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "not a TTY") {
		t.Errorf("-it with stdin a pipe: %v; want Docker's \"the input device is not a TTY\"", r)
	}
}

func TestTrace(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("--trace narrates the kernel steps on the stderr of the mydocker that takes them: through a daemon, the daemon's")
	r := e.Run("--trace", "run", "--rm", "--hostname", "demo", "host", "true")
	require.Equal(t, 0, r.Code, "%v", r)
	for _, step := range []string{
		"=> [host] clone(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET)",
		`=> [init] mount("", "/", MS_REC|MS_PRIVATE)`,
		`=> [init] sethostname("demo")`,
		`=> [init] ioctl(SIOCSIFFLAGS, "lo", IFF_UP)`,
		`=> [init] mount("proc", "/proc", "proc"`,
		`=> [init] fork + execve("`,
	} {
		if !strings.Contains(harness.Untimed(r.Stderr), step) {
			t.Errorf("--trace output lacks %q:\n%s", step, r.Stderr)
		}
	}
	r = e.Run("run", "--rm", "host", "true")
	if r.Stderr != "" {
		t.Errorf("without --trace, stderr = %q, want nothing", r.Stderr)
	}
}

// An instructor's `mydocker --trace run … 2>&1 | head`: once head has gone,
// the narration finds a closed pipe. That must not kill the run halfway
// (SIGPIPE, as Go does for a write to os.Stderr), leaving its record and
// cgroups: the run ends as it would untraced, and the harness finds
// nothing left behind.
func TestTraceIntoClosedPipe(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("--trace narrates the kernel steps on the stderr of the mydocker that takes them: through a daemon, the daemon's")
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd := e.Cmd("--trace", "run", "--rm", "host", "sleep", "0.2")
	cmd.Stderr = w
	require.NoError(t, cmd.Start())
	w.Close()
	first := make([]byte, 1) // all head -c1 reads
	_, err = r.Read(first)
	require.NoError(t, err)
	r.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("mydocker --trace run, its stderr closed after one byte: %v, want exit 0", err)
	}
}

func TestDoctor(t *testing.T) {
	e := harness.New(t)
	r := e.Run("doctor")
	require.Equal(t, 0, r.Code, "%v", r)
	var st syscall.Statfs_t
	require.NoError(t, syscall.Statfs("/sys/fs/cgroup", &st))
	want := "v2 (unified)"
	if st.Type != 0x63677270 { // CGROUP2_SUPER_MAGIC
		want = "v1 (legacy)"
		if err := syscall.Statfs("/sys/fs/cgroup/unified", &st); err == nil && st.Type == 0x63677270 {
			want = "v1/v2 hybrid"
		}
	}
	if !regexp.MustCompile(`(?m)^OK +cgroups +` + regexp.QuoteMeta(want)).MatchString(r.Stdout) {
		t.Errorf("doctor's cgroups line does not say %q:\n%s", want, r.Stdout)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if !regexp.MustCompile(`^(OK|WARN|FAIL) `).MatchString(line) {
			t.Errorf("doctor line %q does not start with OK, WARN or FAIL", line)
		}
	}
}

func TestInitAloneExplainsItself(t *testing.T) {
	harness.RequireRoot(t)
	out, err := exec.Command(harness.Bin(), "init").CombinedOutput()
	if code := exitCode(err); code != 125 || !strings.Contains(string(out), "mydocker run") {
		t.Errorf("`mydocker init` run by hand: exit %d, %q; want 125 and a pointer to mydocker run", code, out)
	}
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within 5s", path)
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestOnlyStdioIsInherited(t *testing.T) {
	e := harness.New(t)
	t.Run("plain", func(t *testing.T) { onlyStdio(t, e) })
	// With --trace, init also holds mydocker's stderr for its narration.
	t.Run("--trace", func(t *testing.T) { onlyStdio(t, e, "--trace") })
}

func onlyStdio(t *testing.T, e *harness.Env, global ...string) {
	// init holds the sync socket (and, from chapter 02, the host's cgroup
	// files), and through a daemon it is the daemon's child, which holds
	// the API's sockets; the command must get none of them. Look from the
	// host.
	cmd := e.Cmd(append(global, "run", "--rm", "--name", "stdio", "-m", "32m", "host", "sh", "-c", "echo ready; exec sleep 30")...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	// A descriptor mydocker inherits from its caller (fd 9 here, as a shell
	// might leave one): init must not keep it either.
	leakR, leakW, err := os.Pipe()
	require.NoError(t, err)
	defer leakR.Close()
	defer leakW.Close()
	cmd.ExtraFiles = []*os.File{nil, nil, nil, nil, nil, nil, leakW}
	require.NoError(t, cmd.Start())
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	buf := make([]byte, 6)
	out.Read(buf)
	// The record has init's PID once init reports the start, which can
	// come just after the command's first output.
	var init int
	for i := 0; i < 200 && init == 0; i++ {
		if i > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Sscan(e.MustRun("inspect", "-f", "{{.State.Pid}}", "stdio"), &init)
	}
	command := harness.OnlyChild(t, init)
	// The shell may be execve'ing sleep right now, and the dynamic loader
	// holds each library open for a moment (fd 3, libc): look again
	// until only stdio is left. A descriptor init leaked stays for ever.
	var fds, targets []string
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", command))
		require.NoError(t, err)
		fds, targets = nil, nil
		for _, e := range entries {
			fds = append(fds, e.Name())
			target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", command, e.Name()))
			targets = append(targets, e.Name()+" -> "+target)
		}
		if strings.Join(fds, " ") == "0 1 2" || time.Now().After(deadline) {
			break
		}
	}
	if strings.Join(fds, " ") != "0 1 2" {
		t.Errorf("the command's open descriptors: %v, want only 0 1 2", targets)
	}
	// Init (PID 1 inside) holds no host cgroup file once the command is
	// placed, and nothing mydocker's caller left open.
	leak, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", leakW.Fd()))
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", init))
	require.NoError(t, err)
	for _, e := range entries {
		target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", init, e.Name()))
		if target == leak || strings.HasPrefix(target, "/sys/fs/cgroup") {
			t.Errorf("init holds fd %s -> %s", e.Name(), target)
		}
	}
}

// Chapter 06's attach tests: clients of a container's monitor, over its
// socket, with a real terminal where Docker's behaviour depends on one.
package chapter06

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/chapters/harness"
)

// roundTrip types line into the container's terminal until cat (run by
// the container) sends it back: the echo, then cat's copy. Keys typed
// before the client has put its terminal in raw mode would be the client
// terminal's (a ctrl-d its end of file), and keys typed while the shell
// still edits its line would be the shell's: both are waited out.
func roundTrip(t *testing.T, master *os.File, line string) {
	eventually(t, "cat sends "+line+" back", func() bool {
		master.Write([]byte(line + "\r"))
		return strings.Contains(harness.ReadUntil(master, line+"\r\n"+line, time.Second), line+"\r\n"+line)
	})
}

// Docker behaviour: `docker attach` to a `run -dit` container reaches its
// terminal: keys typed go to the shell, and what it prints comes back.
// Ctrl-p then another key passes both through; ctrl-p ctrl-q detaches:
// attach exits 0 and the container runs on, its socket still there for
// the next client.
func TestAttachDetachKeys(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-dit", "--name", "shell", "busybox", "sh")
	sock := filepath.Join(e.Root, "containers", inspect(e, "shell", "{{.Id}}"), "attach.sock")
	st, err := os.Stat(sock)
	require.NoError(t, err, "the monitor's socket")
	if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want a socket with mode 0600", sock, st.Mode())
	}

	// The client's terminal size reaches the container's terminal.
	cmd, master := e.OnTerminal(24, 80, "attach", "shell")
	unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 41, Col: 101})
	cmd.Process.Signal(syscall.SIGWINCH)
	eventually(t, "attach sends the new size", func() bool {
		master.Write([]byte("stty size\r"))
		return strings.Contains(harness.ReadUntil(master, "41 101", time.Second), "41 101")
	})
	master.Write([]byte("echo one$((1+1))\r"))
	if out := harness.ReadUntil(master, "one2", 20*time.Second); !strings.Contains(out, "one2") {
		t.Fatalf("attach: the shell's answer never came back; read %q", out)
	}
	// A lone ctrl-p is the container's: ctrl-p then x reaches it as both
	// keys. The shell's line editor would take ctrl-p for "history": cat
	// (from exec) prints what it gets, as it gets it.
	master.Write([]byte("exec cat -v\r"))
	roundTrip(t, master, "ready")
	master.Write([]byte("\x10x\r"))
	if out := harness.ReadUntil(master, "^Px\r\n^Px", 20*time.Second); !strings.Contains(out, "^Px\r\n^Px") {
		t.Errorf("ctrl-p x: read %q, want the terminal's echo ^Px and cat's ^Px", out)
	}
	master.Write([]byte("\x10\x11"))
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("attach after ctrl-p ctrl-q: exit %d, want 0", code)
	}
	if got := inspect(e, "shell", "{{.State.Status}}"); got != "running" {
		t.Errorf("after detaching the container is %s, want running", got)
	}
	// --detach-keys: another sequence, and cat is still there.
	cmd, master = e.OnTerminal(24, 80, "attach", "--detach-keys", "ctrl-a,b", "shell")
	roundTrip(t, master, "two")
	master.Write([]byte("\x01b"))
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("attach --detach-keys ctrl-a,b: exit %d, want 0", code)
	}
	// The command's end ends an attach with its code: ctrl-d ends cat.
	cmd, master = e.OnTerminal(24, 80, "attach", "shell")
	roundTrip(t, master, "three")
	master.Write([]byte("\x04"))
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("attach, then ctrl-d to cat: exit %d, want 0", code)
	}
	if got := inspect(e, "shell", "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 0" {
		t.Errorf("after cat's end: %q, want exited 0", got)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("the monitor's socket after its end: %v, want it gone", err)
	}
	e.MustRun("rm", "shell")
}

// Docker behaviour: any number of clients attach at once; each gets all
// the output, and input from any reaches the command. Without a terminal
// the container's stdout and stderr stay apart for each client.
func TestAttachTwoClients(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "-i", "--name", "echo", "busybox", "sh", "-c", `while read l; do echo "got $l"; echo "err $l" >&2; done`)
	watcher := e.Cmd("attach", "--no-stdin", "echo")
	var watched, watchedErr harness.SyncBuffer
	watcher.Stdout, watcher.Stderr = &watched, &watchedErr
	require.NoError(t, watcher.Start())
	writer := e.Cmd("attach", "echo")
	in, err := writer.StdinPipe()
	require.NoError(t, err)
	var wrote harness.SyncBuffer
	writer.Stdout = &wrote
	require.NoError(t, writer.Start())
	// Both are attached once a line sent now comes back to both; the
	// earlier ones may have come before the watcher was there.
	eventually(t, "both clients see the line", func() bool {
		in.Write([]byte("ping\n"))
		time.Sleep(20 * time.Millisecond)
		return strings.Contains(watched.String(), "got ping") && strings.Contains(wrote.String(), "got ping")
	})
	in.Write([]byte("last\n"))
	eventually(t, "the last line in the log", func() bool { return strings.Contains(e.MustRun("logs", "echo"), "got last") })
	e.MustRun("kill", "echo")
	harness.ExitCode(t, watcher)
	harness.ExitCode(t, writer)
	if !strings.Contains(watched.String(), "got last\n") || strings.Contains(watched.String(), "err") || !strings.Contains(watchedErr.String(), "err last\n") {
		t.Errorf("the watcher's stdout %q, stderr %q: want got last on stdout, err last on stderr", watched.String(), watchedErr.String())
	}
	if code := watcher.ProcessState.ExitCode(); code != 137 {
		t.Errorf("attach when the container is killed: exit %d, want 137", code)
	}
	e.MustRun("rm", "echo")
}

// Docker behaviour: `docker start -a -i` of a `create -i` container
// attaches before the command starts: it sees all of the output, its
// input reaches the command, and, the container having --stdin-once (the
// default of -i without -d), the end of its input closes the command's
// stdin. Its exit code is the container's.
func TestStartAttachInteractive(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("create", "-i", "--name", "echo", "busybox", "sh", "-c", "echo first; cat; echo last >&2; exit 3")
	r := e.RunInput(strings.NewReader("typed\n"), "start", "-a", "-i", "echo")
	if r.Code != 3 || r.Stdout != "first\ntyped\n" || r.Stderr != "last\n" {
		t.Errorf("%v\nwant exit 3, stdout first and typed, stderr last", r)
	}
	// stdout and stderr reached the log apart, as they did the client.
	if r := e.Run("logs", "echo"); r.Stdout != "first\ntyped\n" || r.Stderr != "last\n" {
		t.Errorf("logs after start -ai: %v", r)
	}
	e.MustRun("rm", "echo")
}

// Docker behaviour: `docker run -i` in the foreground (no monitor here:
// mydocker run is the container's parent) keeps the output in the
// container's json-file log, so `docker logs` shows it afterwards.
func TestForegroundRunLogs(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	r := e.RunInput(strings.NewReader("in\n"), "run", "-i", "--name", "fg", "busybox", "sh", "-c", "cat; echo out; echo err >&2")
	if r.Code != 0 || r.Stdout != "in\nout\n" || r.Stderr != "err\n" {
		t.Fatalf("%v\nwant in and out on stdout, err on stderr", r)
	}
	if r := e.Run("logs", "fg"); r.Stdout != "in\nout\n" || r.Stderr != "err\n" {
		t.Errorf("logs of a foreground run: %v\nwant what it printed, each stream apart", r)
	}
	// With -t: the terminal's output, one stream.
	cmd, master := e.OnTerminal(24, 80, "run", "-it", "--name", "fgt", "busybox", "sh", "-c", "echo on-tty")
	harness.ReadUntil(master, "on-tty", 20*time.Second)
	require.Equal(t, 0, harness.ExitCode(t, cmd))
	if out := e.MustRun("logs", "fgt"); out != "on-tty\r\n" {
		t.Errorf("logs of a foreground run -t = %q, want the terminal's on-tty\\r\\n", out)
	}
	e.MustRun("rm", "fg", "fgt")
}

// Docker behaviour: `docker run --restart on-failure:2` without -d shows
// the first run and returns its exit code; the restarts go on after it.
func TestRunRestartForeground(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	r := e.Run("run", "--restart", "on-failure:2", "--name", "flaky", "busybox", "sh", "-c", "echo ran; exit 4")
	if r.Code != 4 || r.Stdout != "ran\n" {
		t.Errorf("%v\nwant the first run: ran, exit 4", r)
	}
	eventually(t, "two restarts, then exited", func() bool {
		return inspect(e, "flaky", "{{.RestartCount}} {{.State.Status}}") == "2 exited"
	})
	if out := e.MustRun("logs", "flaky"); out != "ran\nran\nran\n" {
		t.Errorf("logs after on-failure:2 = %q, want three runs", out)
	}
	e.MustRun("rm", "flaky")
}

// Docker behaviour: attach to a missing or stopped container, or with bad
// --detach-keys, is refused: one line, exit 1, nothing changed.
func TestAttachRefused(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("create", "--name", "created", "busybox", "true")
	e.MustRun("run", "-d", "--name", "done", "busybox", "true")
	e.MustRun("wait", "done")
	e.MustRun("run", "-dit", "--name", "up", "busybox", "sh")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"attach", "missing"}, "no such container: missing"},
		{[]string{"attach", "created"}, "You cannot attach to a stopped container, start it first"},
		{[]string{"attach", "done"}, "You cannot attach to a stopped container, start it first"},
		{[]string{"attach", "--detach-keys", "ctrl-pq", "up"}, `invalid detach keys "ctrl-pq"`},
		{[]string{"start", "-a", "--detach-keys", "alt-x", "created"}, `invalid detach keys "alt-x"`},
	} {
		r := e.Run(tt.args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, tt.want) || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("%v\nwant exit 1 and one line with %q", r, tt.want)
		}
	}
	if got := inspect(e, "created", "{{.State.Status}}"); got != "created" {
		t.Errorf("after refused attaches, created is %s", got)
	}
	e.MustRun("rm", "-f", "created", "done", "up")
}

// Docker behaviour: rm marks the container "removing" before it tears it
// down; a teardown that fails leaves it "dead" (ps: Dead, .State.Dead
// true), and rm -f retries. A record left "removing" by an rm that was
// killed is found out (dead) and rm -f finishes it.
func TestRemoveDeadAndRemoving(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	id := strings.TrimSpace(e.MustRun("run", "-d", "--name", "stuck", "busybox", "true"))
	e.MustRun("wait", "stuck")
	// A mount point in the container's directory cannot be removed (EBUSY).
	blocker := filepath.Join(e.Root, "containers", id, "blocker")
	require.NoError(t, os.Mkdir(blocker, 0o700))
	require.NoError(t, syscall.Mount("tmpfs", blocker, "tmpfs", syscall.MS_RDONLY, ""))
	mounted := true
	defer func() {
		if mounted {
			syscall.Unmount(blocker, 0)
		}
	}()
	r := e.Run("rm", "stuck")
	if r.Code != 1 || !strings.Contains(r.Stderr, "dead") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("rm with a teardown that fails: %v\nwant exit 1 and one line saying dead", r)
	}
	if got := inspect(e, "stuck", "{{.State.Status}} {{.State.Dead}}"); got != "dead true" {
		t.Errorf("after a failed rm: %q, want dead true", got)
	}
	if ps := e.MustRun("ps", "-a", "--filter", "status=dead"); !strings.Contains(ps, "Dead") || !strings.Contains(ps, "stuck") {
		t.Errorf("ps -a --filter status=dead:\n%s\nwant stuck, Dead", ps)
	}
	require.NoError(t, syscall.Unmount(blocker, 0))
	mounted = false
	e.MustRun("rm", "-f", "stuck")

	// What a killed rm leaves: "removing" in the record, the lock free.
	id = strings.TrimSpace(e.MustRun("run", "-d", "--name", "halfway", "busybox", "true"))
	e.MustRun("wait", "halfway")
	record := filepath.Join(e.Root, "containers", id, "container.json")
	data, err := os.ReadFile(record)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(record, []byte(strings.Replace(string(data), `"Status": "exited"`, `"Status": "removing"`, 1)), 0o600))
	if got := inspect(e, "halfway", "{{.State.Status}}"); got != "dead" {
		t.Errorf("a removing record no one removes reads as %q, want dead", got)
	}
	e.MustRun("rm", "-f", "halfway")
}

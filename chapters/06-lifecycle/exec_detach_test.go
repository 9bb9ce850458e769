// Chapter 06's tests of detaching from exec: the detach keys of `exec
// -it`, who holds the terminal and who reaps the process afterwards, and
// the monitor's refusal of one terminal too many.
package chapter06

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mydocker/mydocker/chapters/harness"
)

// execShell starts `exec -it ARGS box sh` on a terminal, waits for its
// prompt, and returns the command, the terminal and the shell's PID as
// the container sees it.
func execShell(t *testing.T, e *harness.Env, args ...string) (*os.File, func() int, string) {
	t.Helper()
	cmd, master := e.OnTerminal(24, 80, append(append([]string{"exec", "-it"}, args...), "box", "sh")...)
	harness.ReadUntil(master, "# ", 20*time.Second)
	// What comes back is the shell's answer, not the keys' echo.
	out := typeUntil(t, master, "echo pid=$$ $((6*7))\r", " 42\r\n")
	out = out[:strings.LastIndex(out, " 42\r\n")]
	pid := out[strings.LastIndex(out, "pid=")+len("pid="):]
	return master, func() int { return harness.ExitCode(t, cmd) }, pid
}

// typeUntil types keys into the terminal until want comes back: keys
// typed while the shell is still starting may be lost to its line editor.
func typeUntil(t *testing.T, master *os.File, keys, want string) string {
	t.Helper()
	var out string
	eventually(t, "the terminal shows "+want, func() bool {
		// Bounded: a client that is gone reads nothing, and a full
		// terminal would block the write for ever.
		master.SetWriteDeadline(time.Now().Add(time.Second))
		master.Write([]byte(keys))
		out = harness.ReadUntil(master, want, 2*time.Second)
		return strings.Contains(out, want)
	})
	return out
}

// running reports whether the container runs a process pid (its own
// numbering) that is not a zombie.
func running(e *harness.Env, pid string) bool {
	r := e.Run("exec", "box", "cat", "/proc/"+pid+"/stat")
	f := strings.Fields(r.Stdout[strings.LastIndexByte(r.Stdout, ')')+1:])
	return r.Code == 0 && len(f) > 0 && f[0] != "Z"
}

// Docker behaviour: ctrl-p ctrl-q detaches from `docker exec -it`: exec
// exits 0 and the process runs on, its terminal held for it (by the
// shim; here by the container's monitor). --detach-keys sets other keys,
// and then ctrl-p ctrl-q are plain keys; bad keys are refused (exit 1,
// as docker's daemon refuses them at exec create) and nothing runs.
func TestExecDetachKeys(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")

	master, exitCode, pid := execShell(t, e)
	master.Write([]byte("\x10\x11"))
	if code := exitCode(); code != 0 {
		t.Errorf("exec -it after ctrl-p ctrl-q: exit %d, want 0", code)
	}
	// Held, the terminal does not hang up on the shell: still there a
	// while later.
	time.Sleep(300 * time.Millisecond)
	if !running(e, pid) {
		t.Errorf("the shell (%s) after detaching: gone, want it running", pid)
	}

	master, exitCode, pid = execShell(t, e, "--detach-keys", "ctrl-a,b")
	// ctrl-p ctrl-q are keys now: cat shows them (once the terminal
	// no longer takes ctrl-q for its flow control).
	master.Write([]byte("stty -ixon; exec cat -v\r"))
	typeUntil(t, master, "ready\r", "ready\r\nready")
	master.Write([]byte("\x10\x11\r"))
	if out := harness.ReadUntil(master, "^P^Q", 10*time.Second); !strings.Contains(out, "^P^Q") {
		t.Errorf("exec -it --detach-keys ctrl-a,b, then ctrl-p ctrl-q: read %q, want cat's ^P^Q", out)
	}
	master.Write([]byte("\x01b"))
	if code := exitCode(); code != 0 {
		t.Errorf("exec -it --detach-keys ctrl-a,b after ctrl-a b: exit %d, want 0", code)
	}
	if !running(e, pid) {
		t.Errorf("cat (%s) after detaching with ctrl-a b: gone, want it running", pid)
	}

	r := e.Run("exec", "--detach-keys", "ctrl-9", "box", "touch", "/ran")
	if r.Code != 1 || !strings.Contains(r.Stderr, "invalid detach keys") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("exec --detach-keys ctrl-9: %v\nwant exit 1 and one line saying the keys are invalid", r)
	}
	if e.Run("exec", "box", "test", "-e", "/ran").Code == 0 {
		t.Errorf("exec with bad detach keys ran its command")
	}
	e.MustRun("rm", "-f", "box")
}

// Who reaps a detached exec: forked from `mydocker exec`, the process
// would go to the host's PID 1 once exec exits. A go-between in the
// container waits for it while exec is attached, and exits on the detach:
// the process is then the container's init's child, never the host's, and
// nothing is left a zombie. A kill -9 of exec does the same (the
// go-between sees its leash cut): a command that ignores the hangup
// stays the container's.
func TestExecDetachReaped(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.Daemonless("the exec'd process's parent is daemonless exec's matter; through a daemon it is the daemon's child")
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	initPid := inspect(e, "box", "{{.State.Pid}}")
	initsChild := func(what, cmdline string) {
		t.Helper()
		var pid int
		eventually(t, what+": the process is found", func() bool { pid = findInPidns(initPid, cmdline); return pid > 0 })
		var ppid string
		for deadline := time.Now().Add(10 * time.Second); ppid != initPid && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			ppid = statusField(t, pid, "PPid")
		}
		if ppid != initPid {
			t.Errorf("%s: the process's parent is %s, want %s, the container's init", what, ppid, initPid)
		}
		// The go-between is reaped by its parent: `mydocker exec`, or,
		// exec killed, the host's reaper, as any orphan of the host's.
		var ps string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if ps = e.MustRun("exec", "box", "ps", "-o", "stat,comm"); !strings.Contains(ps, "Z ") {
				break
			}
		}
		if strings.Contains(ps, "Z ") {
			t.Errorf("%s: a zombie in the container:\n%s", what, ps)
		}
	}
	master, exitCode, _ := execShell(t, e)
	master.Write([]byte("\x10\x11"))
	if code := exitCode(); code != 0 {
		t.Errorf("exec -it after ctrl-p ctrl-q: exit %d, want 0", code)
	}
	initsChild("after a detach", "sh\x00")

	cmd, master := e.OnTerminal(24, 80, "exec", "-it", "box", "sh", "-c", `trap "" HUP; echo sleeping; exec sleep 997`)
	harness.ReadUntil(master, "sleeping", 20*time.Second)
	cmd.Process.Kill()
	cmd.Wait()
	initsChild("after exec was killed", "sleep\x00997\x00")
	e.MustRun("rm", "-f", "box")
}

// Into a container in the foreground of its `mydocker run` there is no
// monitor to take the terminal: the detach keys are plain input there, as
// they are to that `run -it` itself, and exec ends with its command.
func TestExecDetachKeysForeground(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.Daemonless("a container in the foreground of a daemonless run")
	fg := e.Cmd("run", "--name", "box", "busybox", "sleep", "1000")
	if err := fg.Start(); err != nil {
		t.Fatal(err)
	}
	defer fg.Wait()
	defer e.Run("rm", "-f", "box")
	eventually(t, "box runs", func() bool { return e.Run("exec", "box", "true").Code == 0 })
	cmd, master := e.OnTerminal(24, 80, "exec", "-it", "box", "sh", "-c", "stty -ixon; echo go$((1+1)); exec cat -v")
	harness.ReadUntil(master, "go2", 20*time.Second)
	typeUntil(t, master, "ready\r", "ready\r\nready")
	master.Write([]byte("\x10\x11\r"))
	if out := harness.ReadUntil(master, "^P^Q", 10*time.Second); !strings.Contains(out, "^P^Q") {
		t.Errorf("exec -it into a foreground run, ctrl-p ctrl-q: read %q, want them passed to cat", out)
	}
	master.Write([]byte("\x04"))
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("exec -it cat, then ctrl-d: exit %d, want 0", code)
	}
}

// The monitor holds at most 64 terminals of detached execs. One more is
// refused, and the refusal is the monitor's answer to the Hold: `exec
// -dt` says so in one line, exit 1 (docker's for a refusal of the
// daemon's), and its command never started; a detach from `exec -it` says
// so and stays attached, the shell unharmed.
func TestExecHoldRefused(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.Daemonless("the monitor's limit; a daemon holds the terminals of its own execs")
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	for i := 0; i < 64; i++ {
		e.MustRun("exec", "-dt", "box", "sleep", "999")
	}
	r := e.Run("exec", "-dt", "box", "sh", "-c", "touch /ran; exec sleep 999")
	if r.Code != 1 || !strings.Contains(r.Stderr, "64 terminals") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("the 65th exec -dt: %v\nwant exit 1 and one line saying the monitor holds 64 terminals", r)
	}
	time.Sleep(200 * time.Millisecond)
	if e.Run("exec", "box", "test", "-e", "/ran").Code == 0 {
		t.Errorf("the 65th exec -dt, refused, ran its command")
	}
	master, exitCode, _ := execShell(t, e)
	master.Write([]byte("\x10\x11"))
	if out := harness.ReadUntil(master, "still attached", 10*time.Second); !strings.Contains(out, "cannot detach") {
		t.Errorf("a detach with 64 terminals held: read %q, want it refused and still attached", out)
	}
	typeUntil(t, master, "echo st$((1+1))\r", "st2")
	master.Write([]byte("exit 3\r"))
	if code := exitCode(); code != 3 {
		t.Errorf("exec -it sh, its detach refused, then exit 3: exit %d, want 3", code)
	}
	e.MustRun("rm", "-f", "box")
}

// Chapter 06's exec escapes: `mydocker exec` is a host process, with every
// capability, that walks into a container someone else's image controls.
// Each test here is an attack from inside the container (or from what the
// caller left open) that must find nothing of the host's.
package chapter06

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/chapters/harness"
)

// `exec -t` opens the container's terminal multiplexer while it still holds
// every capability, in a /dev the container's root can change. A FIFO (with
// a reader waiting to learn it was opened) where /dev/ptmx was is simply
// not used; one where devpts' own ptmx was (--cap-add SYS_ADMIN unmounts
// devpts) is refused, and opened by nobody.
func TestExecTerminalHostileDevpts(t *testing.T) {
	t.Log("runc opens the console in the container's devpts and checks it is one; a FIFO or device put in its place must never be opened")
	e := harness.New(t)
	e.Busybox()
	// The reader's open returns only once someone opens the FIFO.
	const watch = `{ exec 3<%[1]s; echo opened > /opened; } & echo ready; exec sleep 1000`
	e.MustRun("run", "-d", "--name", "fifo", "busybox", "sh", "-c",
		"rm /dev/ptmx && mkfifo /dev/ptmx && "+fmt.Sprintf(watch, "/dev/ptmx"))
	e.MustRun("run", "-d", "--name", "nodevpts", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c",
		"umount /dev/pts && mkfifo /dev/pts/ptmx && "+fmt.Sprintf(watch, "/dev/pts/ptmx"))
	for _, name := range []string{"fifo", "nodevpts"} {
		eventually(t, name+" said ready", func() bool { return strings.Contains(e.MustRun("logs", name), "ready") })
	}
	if r := e.Run("exec", "-t", "fifo", "tty"); r.Code != 0 || !strings.HasPrefix(r.Stdout, "/dev/pts/") {
		t.Errorf("%v\nwant a terminal of the container's devpts, the FIFO at /dev/ptmx left alone", r)
	}
	r := e.Run("exec", "-t", "nodevpts", "tty")
	if r.Code != 125 || !strings.Contains(r.Stderr, "not devpts' multiplexer") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("%v\nwant exit 125 and one line: /dev/pts/ptmx is not devpts'", r)
	}
	for _, name := range []string{"fifo", "nodevpts"} {
		if r := e.Run("exec", name, "cat", "/opened"); r.Code == 0 {
			t.Errorf("exec -t opened the FIFO %s's root put in place of the multiplexer", name)
		}
	}
	e.MustRun("rm", "-f", "fifo", "nodevpts")
}

// The exec'd process holds nothing of mydocker's: not what mydocker itself
// inherited without close-on-exec (a caller's shell may leave a host
// directory on fd 7), and not its own (init's pidfd, cgroup files, the
// container's lock). runc marks every descriptor from 3 up close-on-exec
// (CVE-2016-9962's answer).
func TestExecHoldsNoHostDescriptor(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	initPid := inspect(e, "box", "{{.State.Pid}}")
	hostDir, err := os.Open(t.TempDir())
	require.NoError(t, err)
	defer hostDir.Close()
	cmd := e.Cmd("exec", "box", "sleep", "998")
	cmd.ExtraFiles = []*os.File{hostDir} // fd 3 of mydocker exec, not close-on-exec
	require.NoError(t, cmd.Start())
	defer cmd.Wait()
	var pid int
	eventually(t, "the exec'd sleep runs", func() bool { pid = findInPidns(initPid, "sleep\x00998\x00"); return pid > 0 })
	// Looked at from the host: the exec'd process's descriptors.
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	require.NoError(t, err)
	var fds []string
	for _, d := range entries {
		target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, d.Name()))
		fds = append(fds, d.Name()+" -> "+target)
	}
	if len(fds) != 3 {
		t.Errorf("descriptors of the exec'd sleep:\n%s\nwant only 0, 1 and 2", strings.Join(fds, "\n"))
	}
	e.MustRun("rm", "-f", "box")
}

// Docker behaviour: a detached exec runs on after the client has gone, and
// is reaped inside the container (by the shim, as a subreaper, in Docker;
// by the container's init here). Its parent is the container's init, never
// the host's PID 1: no process of the container's is left to the host.
func TestExecDetachedIsInitsChild(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	initPid := inspect(e, "box", "{{.State.Pid}}")
	e.MustRun("exec", "-d", "box", "sleep", "999")
	var pid int
	eventually(t, "the detached sleep runs", func() bool { pid = findInPidns(initPid, "sleep\x00999\x00"); return pid > 0 })
	// Its go-between may not have exited yet when exec -d answers (through
	// the daemon, the start's answer comes once the command runs): the
	// sleep is init's once the go-between is gone, and never the host's.
	var ppid string
	deadline := time.Now().Add(10 * time.Second)
	for ppid = statusField(t, pid, "PPid"); ppid != initPid && time.Now().Before(deadline); ppid = statusField(t, pid, "PPid") {
		time.Sleep(20 * time.Millisecond)
	}
	if ppid != initPid {
		t.Errorf("the detached process's parent is %s, want %s, the container's init", ppid, initPid)
	}
	// The go-between that started it was reaped: nothing of the exec is
	// left a zombie in the container either.
	ps := e.MustRun("exec", "box", "ps", "-o", "stat,comm")
	if strings.Contains(ps, "Z ") {
		t.Errorf("a zombie in the container after exec -d:\n%s", ps)
	}
	e.MustRun("rm", "-f", "box")
	if data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); string(data) == "sleep\x00999\x00" {
		t.Errorf("the detached sleep (%d) outlived its container", pid)
	}
}

// CVE-2019-5736 through exec. The exec'd program is a script whose
// interpreter is /proc/self/exe: the kernel then runs whatever the child of
// `mydocker exec` was executing, mydocker, inside the container (here as
// `mydocker login`, which waits on its stdin). A second process in the
// container holds that binary open, and writes it through /proc/self/fd
// once it has exited. mydocker exec runs from a sealed copy (a read-only
// overlay, or a sealed memfd): neither the device:inode seen nor a byte
// of the host's binary may be the host's. Also when the caller's
// environment claims the binary is sealed already (_MYDOCKER_SEALED=1, the
// mark the re-executed mydocker carries): the mark is not taken on trust.
func TestExecProcSelfExeCannotReachHostBinary(t *testing.T) {
	t.Log("CVE-2019-5736 (runc) through exec: the exec'd process's /proc/self/exe must not be the host's binary")
	for _, tc := range []struct {
		name    string
		environ []string
	}{{"plain", nil}, {"sealed mark in the environment", []string{"_MYDOCKER_SEALED=1"}}} {
		t.Run(tc.name, func(t *testing.T) { procSelfExeThroughExec(t, tc.environ) })
	}
}

func procSelfExeThroughExec(t *testing.T, environ []string) {
	e := harness.New(t)
	e.Environ = environ
	root := e.BusyboxDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "evil"), []byte("#!/proc/self/exe login\n"), 0o755))
	var host unix.Stat_t
	require.NoError(t, unix.Stat(harness.Bin(), &host))
	before := mustRead(t, harness.Bin())
	e.MustRun("run", "-d", "--name", "box", root, "sleep", "1000")

	victim := e.Cmd("exec", "-i", "box", "/evil")
	stdin, err := victim.StdinPipe()
	require.NoError(t, err)
	victimOut, err := victim.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, victim.Start())
	buf := make([]byte, len("Username: "))
	_, err = io.ReadFull(victimOut, buf)
	require.NoError(t, err, "mydocker never ran as /evil's interpreter")
	require.Equal(t, "Username: ", string(buf))

	const attack = `for p in /proc/[0-9]*; do
	  [ $p = /proc/1 ] || [ "$(readlink $p/exe)" = /bin/busybox ] || pid=${p#/proc/}
	done
	[ -n "$pid" ] || { echo NOPID; exit 1; }
	stat -L -c '%d:%i' /proc/$pid/exe
	exec 3</proc/$pid/exe || { echo NOOPEN; exit 1; }
	echo HELD
	while [ -e /proc/$pid ]; do sleep 0.05; done
	i=0; while [ $i -lt 20 ]; do
	  { echo PWNED >> /proc/self/fd/3; } 2>/dev/null && { echo WRITTEN; exit 0; }
	  sleep 0.1; i=$((i+1))
	done
	echo REFUSED`
	attacker := e.Cmd("exec", "box", "sh", "-c", attack)
	attackOut, err := attacker.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, attacker.Start())
	held := harness.ReadUntil(attackOut.(*os.File), "HELD", 30*time.Second)
	attackOut.(*os.File).SetReadDeadline(time.Time{}) // ReadUntil's
	stdin.Close()                                     // mydocker login reads EOF, and exits
	victim.Wait()
	rest, _ := io.ReadAll(attackOut)
	attacker.Wait()
	out := held + string(rest)
	lines := strings.Split(out, "\n")
	if len(lines) < 3 || !strings.Contains(out, "HELD") {
		t.Fatalf("the attacker never held the exec'd binary: %q", out)
	}
	if lines[0] == fmt.Sprintf("%d:%d", host.Dev, host.Ino) {
		t.Errorf("the exec'd process's /proc/self/exe is the host's %s (device:inode %s)", harness.Bin(), lines[0])
	}
	if strings.Contains(out, "WRITTEN") || !strings.Contains(out, "REFUSED") {
		t.Errorf("the exec'd binary could be written: %q", out)
	}
	if !bytes.Equal(mustRead(t, harness.Bin()), before) {
		t.Errorf("the host's %s changed", harness.Bin())
	}
	e.MustRun("rm", "-f", "box")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// findInPidns returns the host PID of the process in the pid namespace of
// process ref whose command line is cmdline, or 0.
func findInPidns(ref, cmdline string) int {
	ns, err := os.Readlink("/proc/" + ref + "/ns/pid")
	if err != nil {
		return 0
	}
	entries, _ := os.ReadDir("/proc")
	for _, d := range entries {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if theirs, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); string(data) == cmdline && theirs == ns {
			return pid
		}
	}
	return 0
}

// statusField is one field of /proc/PID/status.
func statusField(t *testing.T, pid int, name string) string {
	t.Helper()
	for _, l := range strings.Split(string(mustRead(t, fmt.Sprintf("/proc/%d/status", pid))), "\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

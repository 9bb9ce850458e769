// PID 1's duties. In a PID namespace, init is special: orphans are
// reparented to it, so it must reap them or they stay zombies; signals
// without a handler are ignored by it, so a plain program as PID 1 shrugs
// off SIGTERM; and when it exits, the kernel kills everything else in the
// namespace. mydocker's init does what tini does for `docker run --init`:
// it forwards signals to the command, reaps every child, and exits with the
// command's status.

package runtime

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// pid1 serves as init until the command (child) exits, and returns the exit
// code to leave with: the command's own, or 128+N if signal N killed it.
func pid1(sigs chan os.Signal, child int) int {
	// Reap once up front: a command that finished before we got here sent
	// its SIGCHLD already, and it is waiting in the channel or is gone.
	if code, done := reap(child); done {
		return code
	}
	for sig := range sigs {
		s, ok := sig.(syscall.Signal)
		if !ok {
			continue
		}
		switch s {
		case unix.SIGCHLD:
			if code, done := reap(child); done {
				return code
			}
		case unix.SIGURG, unix.SIGWINCH, unix.SIGPIPE:
			// SIGURG is the Go runtime's own preemption signal; the
			// terminal itself tells the command of SIGWINCH.
		default:
			trace.Step("forward %v to pid %d", s, child)
			unix.Kill(child, s)
		}
	}
	return ExitEngine
}

// reap collects every child that has exited, so none stays a zombie, and
// reports the command's exit code once it is among them.
func reap(child int) (code int, done bool) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return code, done
		}
		if pid == child {
			code, done = waitStatusCode(syscall.WaitStatus(ws)), true
			trace.Step("the command exited with status %d: init exits with it", code)
		}
	}
}

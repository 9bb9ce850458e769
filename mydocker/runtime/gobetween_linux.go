// exec's go-between: mydocker itself, started inside the container in
// place of the command when the command must outlive `mydocker exec`.
//
// Forked straight from `mydocker exec`, the command's parent would be
// `mydocker exec`, and once that exits the kernel hands the orphan to the
// reaper of the *parent's* pid namespace: the host's PID 1 (or a
// subreaper above mydocker), which may never reap it — a process of the
// container's left to the host. A child's orphans go to the reaper of the
// namespace the dying parent is in. So the thread starts a go-between
// inside the container, already with the command's user, session,
// working directory and stdio; the command is its child, and when the
// go-between exits (`mydocker exec` reaps it), the command, orphaned
// inside the container's pid namespace, is adopted and reaped by the
// container's init (pid1's reap), and dies with the container. Docker's
// exec needs none of this: its parent is the shim, a child subreaper.
//
// Three ways, the go-between's first argument:
//
//	start        exec -d: start the command, exit.
//	start-on-go  exec -dt: wait for a byte on fd 3 (the leash, a socket from
//	             `mydocker exec`) before starting the command; its end
//	             with no byte means the monitor refused the terminal,
//	             and nothing starts (a command on a terminal nobody
//	             holds would be hung up).
//	wait         exec -it into a container with a monitor: start the
//	             command and wait for it, exiting with its code, unless
//	             the leash ends first (the user typed the detach keys,
//	             and the monitor holds the terminal now, or `mydocker
//	             exec` was killed): then exit at once, and the command
//	             runs on as init's.
//
// The go-between is a Go program, born in the container's cgroup, and its
// threads count against --pids-limit while it lives (runc's `runc init`,
// also Go, counts the same way under `docker exec`): a millisecond for
// -d, the whole session for a detachable exec -it. goBetweenEnv, put
// first in its environment, keeps them to the fewest; it removes it again
// before starting the command.

package runtime

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ExecDetachedArg, as mydocker's first argument, runs ExecDetached: exec's
// go-between.
const ExecDetachedArg = "exec-detached"

// The go-between's ways (see the file's comment).
const (
	goBetweenStart     = "start"
	goBetweenStartOnGo = "start-on-go"
	goBetweenWait      = "wait"
)

// goBetweenEnv is the go-between's own setting: one processor, the fewest
// threads (the runtime reads the first GOMAXPROCS of the environment).
const goBetweenEnv = "GOMAXPROCS=1"

// leashFD is the go-between's descriptor of the leash.
const leashFD = 3

// Leash makes the leash: the go-between's end (ExecOptions.Leash) and
// ours. A socket pair, not a pipe: until the go-between is non-dumpable,
// a container process of the same user can open its /proc/PID/fd/3, and
// a pipe opened there is a new end of it (a byte sent, or an end held
// open, would start, free or hang the go-between); a socket cannot be
// opened so (ENXIO).
func Leash() (goBetween, ours *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, os.NewSyscallError("socketpair", err)
	}
	return os.NewFile(uintptr(fds[0]), "leash"), os.NewFile(uintptr(fds[1]), "leash"), nil
}

// goBetweenMode is the way for Exec's detach and leash: "" for none (the
// command is the caller's child).
func goBetweenMode(detach bool, leash *os.File) string {
	switch {
	case detach && leash != nil:
		return goBetweenStartOnGo
	case detach:
		return goBetweenStart
	case leash != nil:
		return goBetweenWait
	}
	return ""
}

// execGoBetween returns what the thread executes in place of the command:
// mydocker itself, from the descriptor self of its sealed binary.
func execGoBetween(self int, mode, path string, args []string) (string, []string) {
	return fmt.Sprintf("/proc/self/fd/%d", self), append([]string{"mydocker", ExecDetachedArg, mode, path}, args...)
}

// ExecDetached is the go-between, inside the container: args are its way,
// the command's path and argv. It returns the exit code for its own end:
// 0 once the command runs (start, start-on-go), or let go (wait); the
// command's own code (wait); Docker's 126/127 when the command cannot
// start; 125 when the leash ended before a go.
func ExecDetached(args []string) int {
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, "mydocker exec-detached: expects a way, a path and argv (it is exec's go-between)")
		return ExitEngine
	}
	mode, path, argv := args[0], args[1], args[2:]
	env := os.Environ()
	if len(env) > 0 && env[0] == goBetweenEnv {
		env = env[1:]
	}
	var leash *os.File
	if mode != goBetweenStart {
		// The leash is no business of the command's; and a process of
		// the container's must not reach it through /proc/PID/fd (to
		// cut it): non-dumpable, this process's /proc entries are root's.
		syscall.CloseOnExec(leashFD)
		unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
		leash = os.NewFile(leashFD, "leash")
	}
	if mode == goBetweenStartOnGo {
		var b [1]byte
		if n, _ := leash.Read(b[:]); n == 0 {
			return ExitEngine // refused: nothing starts
		}
	}
	attr := &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}}
	if IsTerminal(os.Stdin) {
		// With -t the command makes the terminal its controlling one,
		// in a session of its own. Were it the go-between's, the
		// go-between's exit would hang it up: SIGHUP to the command.
		attr.Sys = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	}
	pid, err := syscall.ForkExec(path, argv, attr)
	if err != nil {
		var ee *ExitError
		err = execError(path, err)
		fmt.Fprintf(os.Stderr, "mydocker: %v\n", err)
		if errors.As(err, &ee) {
			return ee.Code
		}
		return ExitCannotInvoke
	}
	if mode != goBetweenWait {
		return 0
	}
	go func() {
		var b [1]byte
		leash.Read(b[:]) // its end: let go
		os.Exit(0)
	}()
	code, err := WaitExec(pid)
	if err != nil {
		return ExitEngine
	}
	return code
}

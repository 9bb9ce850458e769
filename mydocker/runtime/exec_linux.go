// exec: a new process in a running container, without cgo.
//
// The process must be in every namespace of the container, in its cgroup,
// under its root, with its capabilities. setns(2) is how a process enters a
// namespace, and a multithreaded process cannot enter a mount namespace:
// the kernel refuses (EINVAL) when the caller's fs_struct (root and working
// directory) is shared, and every thread of a Go program shares its
// process's. runc gets around it by entering the namespaces in C (nsexec), in
// a constructor that runs before the Go runtime starts its threads.
//
// mydocker does it on one thread instead. fs_struct is shared by threads
// only because clone(CLONE_FS) made it so; unshare(CLONE_FS) gives the
// calling thread a private copy, and a thread with its own fs_struct may
// setns into a mount namespace: its root and working directory become the
// namespace's root, the container's "/". So the goroutine locks itself to
// its OS thread (and never unlocks: the thread dies with it, namespaces and
// all), unshares CLONE_FS, and joins init's namespaces in one setns(2) on
// init's pidfd. From there it is the same path as init's own command:
// resolve -w, -u and the program inside the root (prepareCommand), lower
// the thread's capabilities to the container's (limitCommandCaps), and fork
// from that thread into the container's cgroup (cgroups.Placement.Fork).
// The child inherits the thread's namespaces (pid: setns(CLONE_NEWPID) sets
// the namespace of the thread's *children*), root, bounding set and cgroup.
//
// The rest of mydocker's process stays on the host: the process started is
// a child of `mydocker exec`, which reaps it and returns its exit code;
// where the command must outlive `mydocker exec` (-d, a detach), that
// process is a go-between inside the container (gobetween_linux.go).

package runtime

import (
	"fmt"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// execNamespaces are the namespaces an exec'd process joins: all of init's.
const execNamespaces = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC |
	unix.CLONE_NEWNET | unix.CLONE_NEWPID | unix.CLONE_NEWCGROUP

// ExecProcess is a process started by Exec; the caller waits for it.
type ExecProcess struct {
	Pid     int
	Console *os.File // the terminal's master side, with TTY
}

// Exec starts cfg's command in the container whose init initFD is (a pidfd
// of it, which Exec closes) and returns at once. cfg is the container's Config with the
// exec's command, env, user, working directory and terminal; place are the
// container's cgroup files, opened by the caller (descriptors of its own,
// not init's numbering). stdio is used without TTY.
// With detach, or a leash, the process started is a go-between that starts
// the command (see execGoBetween for the three ways); the caller waits for
// it all the same.
func Exec(initFD int, cfg *Config, place *cgroups.Placement, stdio [3]*os.File, detach bool, leash *os.File) (*ExecProcess, error) {
	early := func(err error) (*ExecProcess, error) {
		unix.Close(initFD)
		return nil, err
	}
	if len(cfg.Args) == 0 {
		return early(Exitf(ExitEngine, "no command given"))
	}
	if !cfg.TTY {
		if err := checkStdio(stdio[0], stdio[1], stdio[2]); err != nil {
			return early(err)
		}
	}
	if err := sealDescriptors(); err != nil {
		return early(&ExitError{ExitEngine, err})
	}
	var p ExecProcess
	_, err := onOwnThread(func() (int, error) {
		var err error
		p.Pid, p.Console, err = execOnThread(initFD, cfg, place, stdio, goBetweenMode(detach, leash), leash)
		return p.Pid, err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// sealDescriptors keeps mydocker exec's descriptors out of the container.
// The child is a copy of this process until its execve, in the container's
// namespaces: whatever it holds, a process in there could reach through
// /proc/PID/fd/N meanwhile, and what is not close-on-exec it keeps for good.
// Two answers, runc's (CVE-2016-9962):
//
//   - every descriptor from 3 up is made close-on-exec, the ones mydocker
//     inherited too: a caller's shell or sudo may leave a host directory
//     open on fd 7, and the exec'd process would hold it (and the host's
//     / through ../..), as runc's `CloseExecFrom(3)` prevents;
//   - the process is made non-dumpable (prctl PR_SET_DUMPABLE 0): its
//     /proc/PID entries, the child's too until its execve (which resets
//     the flag), belong to root and open only with CAP_SYS_PTRACE, so a
//     container process cannot open the child's fd/N or exe in the window.
func sealDescriptors() error {
	trace.Step("close_range(3, ~0, CLOSE_RANGE_CLOEXEC), prctl(PR_SET_DUMPABLE, 0): no descriptor of mydocker's reaches the container")
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		// Before Linux 5.11: one fcntl per open descriptor.
		entries, rerr := os.ReadDir("/proc/self/fd")
		if rerr != nil {
			return fmt.Errorf("mark descriptors close-on-exec: %w", rerr)
		}
		for _, e := range entries {
			if fd, aerr := strconv.Atoi(e.Name()); aerr == nil && fd >= 3 {
				unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC)
			}
		}
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return os.NewSyscallError("prctl PR_SET_DUMPABLE", err)
	}
	return nil
}

// enterGroup moves the forking thread into the container's cgroup v1
// groups now, and closes every "tasks" file: the host's cgroup files
// would otherwise be the child's until its execve, and through the back
// groups' a container process could move itself out of its limits. The
// thread does not move back (cgroups.Placement.Fork's Back): it is thrown
// away right after the fork, and leaves the group as it dies. On v2 the
// child is born in the group by clone3 and there is nothing to move.
func enterGroup(place *cgroups.Placement) error {
	if place == nil || place.CgroupFD >= 0 || len(place.Join) == 0 {
		return nil
	}
	trace.Step("echo 0 > tasks of %v: the thread moves into the container's groups, then closes every tasks file before the fork", place.Paths)
	var err error
	for _, fd := range place.Join {
		if _, werr := unix.Write(fd, []byte("0")); werr != nil && err == nil {
			err = fmt.Errorf("move the exec thread into the container's cgroup: %w", os.NewSyscallError("write tasks", werr))
		}
	}
	for _, fd := range append(place.Join, place.Back...) {
		unix.Close(fd)
	}
	place.Join, place.Back = nil, nil
	return err
}

// execOnThread is Exec on a locked thread that is thrown away afterwards.
func execOnThread(initFD int, cfg *Config, place *cgroups.Placement, stdio [3]*os.File, mode string, leash *os.File) (int, *os.File, error) {
	self := -1
	if mode != "" {
		// This process's binary, the sealed copy (cli's ReexecSealed),
		// while /proc is still the host's.
		fd, err := unix.Open("/proc/self/exe", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			unix.Close(initFD)
			return 0, nil, &ExitError{ExitEngine, &os.PathError{Op: "open", Path: "/proc/self/exe", Err: err}}
		}
		defer unix.Close(fd)
		self = fd
	}
	trace.Step("unshare(CLONE_FS) on a locked thread: its own root and cwd, so it may enter a mount namespace")
	err := unix.Unshare(unix.CLONE_FS)
	if err != nil {
		unix.Close(initFD)
		return 0, nil, &ExitError{ExitEngine, os.NewSyscallError("unshare CLONE_FS", err)}
	}
	trace.Step("setns(pidfd of init, CLONE_NEWNS|NEWUTS|NEWIPC|NEWNET|NEWPID|NEWCGROUP): the thread's root is the container's")
	err = unix.Setns(initFD, execNamespaces)
	// In or not, init's pidfd has done its work, and is no business of
	// the container's.
	unix.Close(initFD)
	if err != nil {
		return 0, nil, &ExitError{ExitEngine, os.NewSyscallError("setns into the container's namespaces", err)}
	}
	if err := enterGroup(place); err != nil {
		return 0, nil, &ExitError{ExitEngine, err}
	}
	cmd, err := prepareCommand(cfg, false)
	if err != nil {
		return 0, nil, err
	}
	attr := &syscall.ProcAttr{
		Env:   cmd.env,
		Files: []uintptr{stdio[0].Fd(), stdio[1].Fd(), stdio[2].Fd()},
		// A session of its own, always: without -t, the caller's terminal
		// may be its stdio, and in the caller's session that terminal
		// would be its controlling one (TIOCSTI, tcsetpgrp on the
		// admin's shell). In a new session it controls no terminal.
		Sys: &syscall.SysProcAttr{Credential: cmd.cred, Setsid: true},
	}
	var master *os.File
	if cfg.TTY {
		// The container's own devpts, as init's: the thread's root is
		// the container's, and openPtmx checks what it finds there.
		m, slave, err := openConsole(cfg.ConsoleRows, cfg.ConsoleCols)
		if err != nil {
			return 0, nil, &ExitError{ExitEngine, err}
		}
		defer slave.Close()
		master = m
		fd := slave.Fd()
		attr.Files = []uintptr{fd, fd, fd}
		attr.Sys.Setctty, attr.Sys.Ctty = mode == "", 0 // through a go-between: the command's (ExecDetached)
	}
	fail := func(err error) (int, *os.File, error) {
		if master != nil {
			master.Close()
		}
		return 0, nil, err
	}
	if place != nil && place.CgroupFD >= 0 {
		// The host's descriptor of the group would be the child's until
		// its execve: swap it for the container's own view, as init does.
		if err := useOwnCgroupView(cfg, place); err != nil {
			return fail(&ExitError{ExitEngine, err})
		}
		attr.Sys.UseCgroupFD, attr.Sys.CgroupFD = true, place.CgroupFD
		// The command's own cgroup namespace is rooted at its group (see
		// startCommand); the exec'd process gets the same view.
		attr.Sys.Unshareflags |= unix.CLONE_NEWCGROUP
	}
	if err := limitCommandCaps(cfg.Caps, cfg.NoNewPrivileges); err != nil {
		return fail(&ExitError{ExitEngine, err})
	}
	path, argv := cmd.path, cfg.Args
	if mode != "" {
		path, argv = execGoBetween(self, mode, cmd.path, cfg.Args)
		attr.Env = append([]string{goBetweenEnv}, attr.Env...)
		if leash != nil {
			attr.Files = append(attr.Files, leash.Fd()) // its fd 3
		}
	}
	pid, err := place.Fork(func() (int, error) {
		trace.Step("fork + execve(%q, %q) from the thread: born in the container", path, argv)
		return syscall.ForkExec(path, argv, attr)
	})
	if err != nil {
		return fail(execError(cmd.path, err))
	}
	return pid, master, nil
}

// WaitExec reaps an exec'd process and returns its exit code, 128+N for a
// signal, as Docker reports it.
func WaitExec(pid int) (int, error) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return ExitEngine, os.NewSyscallError("wait4", err)
		}
		return waitStatusCode(syscall.WaitStatus(ws)), nil
	}
}

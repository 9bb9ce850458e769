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
// a child of `mydocker exec`, which reaps it and returns its exit code.

package runtime

import (
	"os"
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
// of it) and returns at once. cfg is the container's Config with the
// exec's command, env, user, working directory and terminal; place are the
// container's cgroup files, opened by the caller (descriptors of its own,
// not init's numbering). stdio is used without TTY.
func Exec(initFD int, cfg *Config, place *cgroups.Placement, stdio [3]*os.File) (*ExecProcess, error) {
	if len(cfg.Args) == 0 {
		return nil, Exitf(ExitEngine, "no command given")
	}
	if !cfg.TTY {
		if err := checkStdio(stdio[0], stdio[1], stdio[2]); err != nil {
			return nil, err
		}
	}
	var p ExecProcess
	_, err := onOwnThread(func() (int, error) {
		var err error
		p.Pid, p.Console, err = execOnThread(initFD, cfg, place, stdio)
		return p.Pid, err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// execOnThread is Exec on a locked thread that is thrown away afterwards.
func execOnThread(initFD int, cfg *Config, place *cgroups.Placement, stdio [3]*os.File) (int, *os.File, error) {
	trace.Step("unshare(CLONE_FS) on a locked thread: its own root and cwd, so it may enter a mount namespace")
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return 0, nil, &ExitError{ExitEngine, os.NewSyscallError("unshare CLONE_FS", err)}
	}
	trace.Step("setns(pidfd of init, CLONE_NEWNS|NEWUTS|NEWIPC|NEWNET|NEWPID|NEWCGROUP): the thread's root is the container's")
	if err := unix.Setns(initFD, execNamespaces); err != nil {
		return 0, nil, &ExitError{ExitEngine, os.NewSyscallError("setns into the container's namespaces", err)}
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
		// The container's own /dev/ptmx, as init's: the thread's root is
		// the container's, and the kernel resolves the path there.
		m, slave, err := openConsole(cfg.ConsoleRows, cfg.ConsoleCols)
		if err != nil {
			return 0, nil, &ExitError{ExitEngine, err}
		}
		defer slave.Close()
		master = m
		fd := slave.Fd()
		attr.Files = []uintptr{fd, fd, fd}
		attr.Sys.Setctty, attr.Sys.Ctty = true, 0
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
	pid, err := place.Fork(func() (int, error) {
		trace.Step("fork + execve(%q, %q) from the thread: born in the container", cmd.path, cfg.Args)
		return syscall.ForkExec(cmd.path, cfg.Args, attr)
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

// Init starts the command. First everything the image and the user name is
// resolved inside the new root (prepareCommand: working directory, user,
// the program in PATH), while init holds no descriptor of the host's. Only
// then does init ask the host for its cgroup files, fork the command into
// the group from a thread whose capabilities are the container's
// (limitCommandCaps), lower its own before the command's first
// instruction (releaseCommand), and close the files again (startCommand).

package runtime

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// A program is what init forks and executes, every path resolved.
type program struct {
	path string // what execve gets: checked to stay inside the root
	cred *syscall.Credential
	env  []string
	pid  int // once started
}

// prepareCommand resolves the command inside the container's root and
// enters its working directory, which the command inherits. A missing
// working directory is created when createCwd (run, as Docker does; not
// exec, where runc refuses).
func prepareCommand(cfg *Config, createCwd bool) (*program, error) {
	if len(cfg.Args) == 0 {
		return nil, Exitf(ExitEngine, "no command given and the image sets none")
	}
	r, err := openRoot("/")
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if wd, err := unix.Getwd(); err == nil {
		r.cwd = wd
	}
	if cfg.Cwd != "" {
		// Docker creates a missing working directory rather than fail;
		// not on the host's own filesystem, though (host mode).
		if err := r.chdir(cfg.Cwd, createCwd); err != nil {
			return nil, err
		}
	}
	cred, err := lookupUser(r, cfg.User)
	if err != nil {
		return nil, err
	}
	path, err := r.lookPath(cfg.Args[0], envValue(cfg.Env, "PATH"))
	if err != nil {
		return nil, err
	}
	env := cfg.Env
	if envValue(env, "HOME") == "" {
		env = append(env[:len(env):len(env)], "HOME="+homeOf(r, cfg.User))
	}
	return &program{path: path, cred: cred, env: env}, nil
}

// startCommand starts the prepared command as init's child and returns its PID.
func startCommand(sock *os.File, cfg *Config, cmd *program, console *os.File) (int, error) {
	attr := &syscall.ProcAttr{
		Env:   cmd.env,
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Credential: cmd.cred},
	}
	if console != nil {
		fd := console.Fd()
		attr.Files = []uintptr{fd, fd, fd}
		// A new session whose controlling terminal is the pty: job control
		// and Ctrl-C work as in any login shell.
		attr.Sys.Setsid, attr.Sys.Setctty, attr.Sys.Ctty = true, true, 0
	}
	place, err := receivePlacement(sock, cfg)
	if err != nil {
		return 0, err
	}
	if place != nil && place.CgroupFD >= 0 {
		attr.Sys.UseCgroupFD, attr.Sys.CgroupFD = true, place.CgroupFD
		// Docker's default on cgroup v2: a cgroup namespace rooted at the
		// container's group, so /proc/self/cgroup inside says "0::/".
		attr.Sys.Unshareflags |= unix.CLONE_NEWCGROUP
	}
	// Traced (PTRACE_TRACEME), a root command is stopped by the kernel
	// right after its execve, before its first instruction, until init has
	// lowered its own capabilities (releaseCommand). Not always another
	// user's: Go's child asks to be traced after setuid, and a tracee whose
	// tracer asked without capabilities gets nothing from a setuid or
	// file-capability program (and Docker's `-u 1000 sudo` must work). But
	// a command that could gain CAP_SYS_PTRACE (it is in the bounding set,
	// and no_new_privs does not forbid a setuid helper) could trace init
	// while init still holds every capability: that command is held too,
	// and only its very first program loses a setuid bit.
	traced := cmd.cred.Uid == 0 ||
		(capMask(cfg.Caps)&(1<<unix.CAP_SYS_PTRACE) != 0 && !cfg.NoNewPrivileges)
	attr.Sys.Ptrace = traced
	pid, err := onOwnThread(func() (int, error) {
		if err := limitCommandCaps(cfg.Caps, cfg.NoNewPrivileges); err != nil {
			return 0, &ExitError{ExitEngine, err}
		}
		pid, err := place.Fork(func() (int, error) {
			trace.Step("fork + execve(%q, %q)", cmd.path, cfg.Args)
			return syscall.ForkExec(cmd.path, cfg.Args, attr)
		})
		if err != nil {
			return 0, err
		}
		return pid, releaseCommand(pid, cfg.Caps, traced)
	})
	place.Close() // the command is placed: init needs the cgroup files no more
	if err != nil {
		return 0, execError(cmd.path, err)
	}
	return pid, nil
}

// releaseCommand lets the command run, once init is no stronger than it.
// From here on init only forwards signals and reaps: it needs (almost) no
// capability, and a container process that may trace it (--cap-add
// SYS_PTRACE) must find no more than it has itself. It runs on the thread
// that forked the command: only the tracer may detach. An untraced
// command (not root, and unable to gain CAP_SYS_PTRACE) is already
// running: it has no capability after its execve, and can gain none that
// would let it trace init while init lowers its sets.
func releaseCommand(pid int, caps []string, traced bool) error {
	if !traced {
		if err := dropInitCaps(initCaps(caps)); err != nil {
			unix.Kill(pid, unix.SIGKILL)
			return &ExitError{ExitEngine, err}
		}
		return nil
	}
	var ws unix.WaitStatus
	_, err := unix.Wait4(pid, &ws, 0, nil)
	for err == unix.EINTR {
		_, err = unix.Wait4(pid, &ws, 0, nil)
	}
	if err != nil {
		return os.NewSyscallError("wait4", err)
	}
	if !ws.Stopped() {
		return Exitf(ExitEngine, "the command ended before its first instruction (status %#x)", uint32(ws))
	}
	if err := dropInitCaps(initCaps(caps)); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		unix.PtraceDetach(pid)
		return &ExitError{ExitEngine, err}
	}
	trace.Step("ptrace(PTRACE_DETACH, %d): the command starts", pid)
	if err := unix.PtraceDetach(pid); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return &ExitError{ExitEngine, os.NewSyscallError("ptrace PTRACE_DETACH", err)}
	}
	return nil
}

// receivePlacement asks the host for the cgroup files, now that nothing
// the image names is left to resolve, and returns cfg.Cgroup with their
// descriptors in place of the host's indexes (the host numbers the files
// 0, 1, ... in the order it sends them).
func receivePlacement(sock *os.File, cfg *Config) (*cgroups.Placement, error) {
	p := cfg.Cgroup
	if p == nil {
		return nil, nil
	}
	if err := sendSync(sock, syncMsg{Type: "place"}); err != nil {
		return nil, err
	}
	m, fds, err := recvSync(sock, maxInitMsg)
	if err != nil {
		return nil, err
	}
	if m.Type != "cgroup" {
		closeAll(fds)
		return nil, fmt.Errorf("sync: got %q from mydocker, want the cgroup files", m.Type)
	}
	used := make([]bool, len(fds))
	bad := false
	at := func(i int) int {
		if i < 0 || i >= len(fds) {
			bad = true
			return -1
		}
		used[i] = true
		return fds[i]
	}
	if p.CgroupFD >= 0 {
		p.CgroupFD = at(p.CgroupFD)
	}
	for i := range p.Join {
		p.Join[i] = at(p.Join[i])
	}
	for i := range p.Back {
		p.Back[i] = at(p.Back[i])
	}
	if p.PidsMax > 0 {
		p.PidsFD = at(p.PidsFD)
	}
	for i, u := range used {
		if !u {
			unix.Close(fds[i])
		}
	}
	if bad {
		p.Close()
		return nil, fmt.Errorf("sync: mydocker sent %d cgroup files, fewer than the placement names", len(fds))
	}
	if err := useOwnCgroupView(cfg, p); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// useOwnCgroupView swaps, on cgroup v2, the host's descriptor of the
// container's group for the container's own view of the same directory:
// its /sys/fs/cgroup, a bind mount of the group (rootfs.mountCgroup).
// clone3(CLONE_INTO_CGROUP) takes either, but the forked command holds
// init's descriptors until its execve is done, and the kernel opens an
// ELF's loader or a script's interpreter before that: a hostile image
// naming /proc/self/fd/N/../.. there would climb from a host directory to
// the host's root. From the container's own mount, ".." stays in it.
func useOwnCgroupView(cfg *Config, p *cgroups.Placement) error {
	if p.CgroupFD < 0 || cfg.Rootfs == nil || cfg.Rootfs.Cgroup == nil || cfg.Rootfs.Cgroup.V2 == "" {
		return nil
	}
	r, err := openRoot("/")
	if err != nil {
		return err
	}
	defer r.Close()
	own, err := r.open("/sys/fs/cgroup", unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	var host, mine unix.Stat_t
	if err := unix.Fstat(p.CgroupFD, &host); err != nil {
		unix.Close(own)
		return os.NewSyscallError("fstat", err)
	}
	if err := unix.Fstat(own, &mine); err != nil || mine.Dev != host.Dev || mine.Ino != host.Ino {
		unix.Close(own)
		return errors.New("the container's /sys/fs/cgroup is not its own cgroup")
	}
	trace.Step("open(\"/sys/fs/cgroup\") inside: the same group as the host's descriptor, which init closes")
	unix.Close(p.CgroupFD)
	p.CgroupFD = own
	return nil
}

// execError turns an execve failure into Docker's exit code and one line.
// The path was checked in the root already (prepareCommand), so what is
// left is the file itself, its loader, or the user's rights.
func execError(file string, err error) error {
	errno, ok := err.(syscall.Errno) // ForkExec's own; anything else is init's
	if !ok {
		return err
	}
	switch errno {
	case unix.ENOENT:
		// The file is there, so what is missing is its interpreter or
		// dynamic loader: the classic "no such file" for a script.
		return Exitf(ExitNotFound, "exec %q: no such file or directory (is its interpreter or loader missing from the container?)", file)
	case unix.EACCES, unix.EPERM:
		return Exitf(ExitCannotInvoke, "exec %q: permission denied (not executable by the user, or on a noexec mount)", file)
	case unix.ENOEXEC:
		return Exitf(ExitCannotInvoke, "exec %q: exec format error (not a program for this machine, or a script without #!)", file)
	case unix.EISDIR:
		return Exitf(ExitCannotInvoke, "exec %q: is a directory", file)
	}
	return Exitf(ExitCannotInvoke, "exec %q: %v", file, err)
}

// envValue returns the value of key in a KEY=VALUE list; the last one wins.
func envValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

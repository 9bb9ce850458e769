// The inside half of a container's start: "mydocker init", the re-executed
// binary that clone(2) put into the new namespaces. It is the container's
// PID 1. It waits for its Config on the sync socket, finishes the
// namespaces and the root filesystem, starts the command as its child, tells
// the host "started", and then does PID 1's duties until the command exits.

package container

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/namespace"
	"github.com/mydocker/mydocker/mydocker/rootfs"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// extraFDsEnv tells init how many descriptors after the sync socket the
// host passed on purpose.
const extraFDsEnv = "MYDOCKER_INIT_EXTRA_FDS"

// Init runs the container's init. mydocker's main calls it for "mydocker
// init"; it never returns.
func Init() {
	trace.SetRole("init")
	// Whatever descriptors mydocker's own caller left open (without
	// close-on-exec), init has too, above the sync socket and the files
	// the host passed: close them before anything else opens one, or the
	// container could reach them.
	extra, _ := strconv.Atoi(os.Getenv(extraFDsEnv))
	unix.CloseRange(uint(initSyncFd+1+extra), math.MaxUint32, 0)
	// Non-blocking, so waiting for the host parks a goroutine in Go's
	// poller instead of holding an OS thread.
	unix.SetNonblock(initSyncFd, true)
	closeOnExec()
	// Not dumpable: the container's processes may not open /proc/1/fd,
	// /proc/1/mem or /proc/1/environ, even as root (that would need
	// CAP_SYS_PTRACE, which they do not have).
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	sock := os.NewFile(initSyncFd, "sync")
	os.Exit(initMain(sock))
}

func initMain(sock *os.File) int {
	m, _, err := recvSync(sock)
	if err != nil || m.Type != "config" || m.Config == nil {
		fmt.Fprintf(os.Stderr, "mydocker init: no config from mydocker (run containers with `mydocker run`): %v\n", err)
		return ExitEngine
	}
	cfg := m.Config
	// Catch every signal before the command exists, so that neither a
	// SIGCHLD nor a forwarded SIGTERM can slip by unseen.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)

	if err := setup(cfg); err != nil {
		return reportError(sock, ExitEngine, err)
	}
	var console *os.File
	if cfg.TTY {
		master, slave, err := openConsole(cfg.ConsoleRows, cfg.ConsoleCols)
		if err != nil {
			return reportError(sock, ExitEngine, err)
		}
		err = sendSync(sock, syncMsg{Type: "console"}, int(master.Fd()))
		master.Close() // the host has its own copy now
		if err != nil {
			return reportError(sock, ExitEngine, err)
		}
		console = slave
	}
	pid, err := startCommand(cfg, console)
	if console != nil {
		console.Close() // only the command holds the terminal now
	}
	if err != nil {
		return reportError(sock, ExitCode(err, ExitEngine), err)
	}
	if err := sendSync(sock, syncMsg{Type: "started", Pid: pid}); err != nil {
		fmt.Fprintf(os.Stderr, "mydocker init: %v\n", err)
	}
	sock.Close()
	return pid1(sigs, pid)
}

// closeOnExec marks every descriptor init inherited beyond stdio
// close-on-exec. Inherited descriptors are open across exec by default, and
// the command must not get the sync socket or the host's cgroup files: with
// those, a container could move host processes between cgroups.
func closeOnExec() {
	entries, _ := os.ReadDir("/proc/self/fd")
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
}

// setup builds the container's world inside the namespaces.
func setup(cfg *Config) error {
	if cfg.Rootfs == nil {
		return namespace.EnterHostMode(cfg.Hostname)
	}
	if err := namespace.Enter(cfg.Hostname); err != nil {
		return err
	}
	if err := rootfs.Setup(cfg.Rootfs); err != nil {
		return err
	}
	// Docker creates a missing working directory rather than fail.
	if cfg.Cwd != "" {
		if err := os.MkdirAll(cfg.Cwd, 0o755); err != nil {
			return fmt.Errorf("create working directory %s: %w", cfg.Cwd, err)
		}
	}
	return nil
}

// reportError tells the host why the container could not start; the host
// prints it. The code is also init's exit status.
func reportError(sock *os.File, code int, err error) int {
	if sendSync(sock, syncMsg{Type: "error", Code: code, Message: err.Error()}) != nil {
		fmt.Fprintf(os.Stderr, "mydocker: %v\n", err)
	}
	return code
}

// startCommand starts the user's command as init's child and returns its PID.
func startCommand(cfg *Config, console *os.File) (int, error) {
	if len(cfg.Args) == 0 {
		return 0, Exitf(ExitEngine, "no command given and the image sets none")
	}
	cred, err := lookupUser(cfg.User)
	if err != nil {
		return 0, err
	}
	path, err := lookPath(cfg.Args[0], envValue(cfg.Env, "PATH"))
	if err != nil {
		return 0, err
	}
	env := cfg.Env
	if envValue(env, "HOME") == "" {
		env = append(env[:len(env):len(env)], "HOME="+homeOf(cfg.User))
	}
	attr := &syscall.ProcAttr{
		Dir:   cfg.Cwd,
		Env:   env,
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Credential: cred},
	}
	if console != nil {
		fd := console.Fd()
		attr.Files = []uintptr{fd, fd, fd}
		// A new session whose controlling terminal is the pty: job control
		// and Ctrl-C work as in any login shell.
		attr.Sys.Setsid, attr.Sys.Setctty, attr.Sys.Ctty = true, true, 0
	}
	if p := cfg.Cgroup; p != nil && p.CgroupFD >= 0 {
		attr.Sys.UseCgroupFD, attr.Sys.CgroupFD = true, p.CgroupFD
		// Docker's default on cgroup v2: a cgroup namespace rooted at the
		// container's group, so /proc/self/cgroup inside says "0::/".
		attr.Sys.Unshareflags |= unix.CLONE_NEWCGROUP
	}
	pid, err := onOwnThread(func() (int, error) {
		if err := dropBoundingSet(cfg.Caps); err != nil {
			return 0, err
		}
		return cfg.Cgroup.Fork(func() (int, error) {
			trace.Step("fork + execve(%q, %q)", path, cfg.Args)
			return syscall.ForkExec(path, cfg.Args, attr)
		})
	})
	cfg.Cgroup.Close() // the command is placed: init needs the host's cgroup files no more
	if err != nil {
		return 0, execError(cfg.Args[0], cfg.Cwd, err)
	}
	return pid, nil
}

// lookPath finds the command as execvp(3) would, but in the container's
// PATH, not mydocker's own.
func lookPath(file, path string) (string, error) {
	if path == "" {
		path = DefaultPath
	}
	if strings.Contains(file, "/") {
		return file, nil // execve reports what is wrong with it
	}
	var denied string
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		st, err := os.Stat(p)
		if err != nil || st.IsDir() {
			continue
		}
		if st.Mode()&0o111 != 0 {
			return p, nil
		}
		if denied == "" {
			denied = p
		}
	}
	if denied != "" {
		return denied, nil // execve says "permission denied": exit 126
	}
	return "", Exitf(ExitNotFound, "exec %q: executable file not found in $PATH (%s)", file, path)
}

// execError turns an execve failure into Docker's exit code and one line.
func execError(file, cwd string, err error) error {
	var errno syscall.Errno
	errors.As(err, &errno)
	switch errno {
	case unix.ENOENT:
		if cwd != "" {
			if _, statErr := os.Stat(cwd); statErr != nil {
				return Exitf(ExitCannotInvoke, "chdir to working directory %q: no such directory in the container", cwd)
			}
		}
		if _, statErr := os.Stat(file); statErr == nil || !strings.Contains(file, "/") {
			// The file is there, so what is missing is its interpreter or
			// dynamic loader: the classic "no such file" for a script.
			return Exitf(ExitNotFound, "exec %q: no such file or directory (is its interpreter or loader missing from the container?)", file)
		}
		return Exitf(ExitNotFound, "exec %q: no such file or directory in the container", file)
	case unix.EACCES, unix.EPERM:
		if cwd != "" && cwd != "/" {
			// The child changes directory as the user, just before exec:
			// the errno does not say which of the two was refused.
			return Exitf(ExitCannotInvoke, "exec %q: permission denied (not executable, or a directory; or the user may not enter the working directory %s)", file, cwd)
		}
		return Exitf(ExitCannotInvoke, "exec %q: permission denied (not executable, or a directory)", file)
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

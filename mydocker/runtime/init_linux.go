// The inside half of a container's start: "mydocker init", the re-executed
// binary (a view of it no one can write, see sealed_linux.go) that clone(2)
// put into the new namespaces. It is the container's PID 1. It waits for its Config
// on the sync socket, finishes the namespaces and the root filesystem,
// resolves the command inside the new root, starts it as its child
// (command_linux.go) once its own capabilities are no more than the
// container's, tells the host "started", and then does PID 1's duties until
// the command exits.

package runtime

import (
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/namespace"
	"github.com/mydocker/mydocker/mydocker/rootfs"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// Init runs the container's init. mydocker's main calls it for "mydocker
// init"; it never returns.
func Init() {
	trace.SetRole("init")
	// Whatever descriptors mydocker's own caller left open (without
	// close-on-exec), init has too, above the sync socket; and initExeFd
	// is the sealed binary it was executed from, needed no more. Close
	// them before anything else opens one, or the container could reach
	// them. close_range(2) is Linux 5.9's, hence doctor's MinKernel.
	err := os.NewSyscallError("close_range", closeInherited())
	// Executed as /proc/self/fd/4, init would be called "4" by pstree
	// and top. (After the CloseRange: this open starts Go's poller,
	// whose epoll descriptor must survive.) Only a name: no error matters.
	os.WriteFile("/proc/self/comm", []byte("mydocker"), 0)
	// Non-blocking, so waiting for the host parks a goroutine in Go's
	// poller instead of holding an OS thread.
	if err == nil {
		err = os.NewSyscallError("fcntl(O_NONBLOCK) on the sync socket", unix.SetNonblock(initSyncFd, true))
	}
	closeOnExec()
	// Not dumpable: the container's processes may not open /proc/1/fd,
	// /proc/1/mem or /proc/1/environ, even as root (that would need
	// CAP_SYS_PTRACE; a container given it finds init no stronger than
	// itself, see releaseCommand). Init must not go on without it.
	if err == nil {
		err = os.NewSyscallError("prctl(PR_SET_DUMPABLE, 0)", unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0))
	}
	sock := os.NewFile(initSyncFd, "sync")
	os.Exit(initMain(sock, catchSignals(), err))
}

// catchSignals starts catching every signal, and returns the channel they
// arrive on once they all are caught. Go enables them one at a time, each
// a round trip to the runtime thread that keeps the signal mask: about a
// millisecond for all of them, spent here while init waits for its config
// and builds the root, not on the way to the command.
func catchSignals() <-chan chan os.Signal {
	ready := make(chan chan os.Signal, 1)
	go func() {
		sigs := make(chan os.Signal, 64)
		signal.Notify(sigs)
		ready <- sigs
	}()
	return ready
}

// initMain is init from its config on. early is the error of Init's first
// steps, if one failed: it is reported to the host in place of starting.
func initMain(sock *os.File, caught <-chan chan os.Signal, early error) int {
	m, fds, err := recvSync(sock, maxConfigMsg)
	closeAll(fds) // a config comes with none
	if err != nil || m.Type != "config" || m.Config == nil {
		fmt.Fprintf(os.Stderr, "mydocker init: no config from mydocker (run containers with `mydocker run`): %v\n", err)
		return ExitEngine
	}
	if early != nil {
		return reportError(sock, ExitEngine, fmt.Errorf("container init: %w", early))
	}
	cfg := m.Config
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
	// Every signal is caught before the command exists, so that neither a
	// SIGCHLD nor a forwarded SIGTERM can slip by unseen.
	sigs := <-caught
	cmd, err := prepareCommand(cfg, cfg.Rootfs != nil)
	if err == nil {
		cmd.pid, err = startCommand(sock, cfg, cmd, console)
	}
	if console != nil {
		console.Close() // only the command holds the terminal now
	}
	if err != nil {
		return reportError(sock, ExitCode(err, ExitEngine), err)
	}
	if err := sendSync(sock, syncMsg{Type: "started", Pid: cmd.pid}); err != nil {
		fmt.Fprintf(os.Stderr, "mydocker init: %v\n", err)
	}
	sock.Close()
	return pid1(sigs, cmd.pid)
}

// closeInherited closes what init inherited above the sync socket: the
// sealed binary and whatever mydocker's caller left open; with --trace,
// all but initTraceFd.
func closeInherited() error {
	if os.Getenv(trace.FDEnv) == "" {
		return unix.CloseRange(initExeFd, math.MaxUint32, 0)
	}
	// --trace: initTraceFd, above the binary, stays (closeOnExec marks it).
	if err := unix.CloseRange(initExeFd, initExeFd, 0); err != nil {
		return err
	}
	return unix.CloseRange(initTraceFd+1, math.MaxUint32, 0)
}

// closeOnExec marks every descriptor init inherited beyond stdio
// close-on-exec (the sync socket, the trace's): inherited descriptors are
// open across exec by default, and the command must get none of them.
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
	return rootfs.Setup(cfg.Rootfs)
}

// reportError tells the host why the container could not start; the host
// prints it. The code is also init's exit status.
func reportError(sock *os.File, code int, err error) int {
	if sendSync(sock, syncMsg{Type: "error", Code: code, Message: err.Error()}) != nil {
		fmt.Fprintf(os.Stderr, "mydocker: %v\n", err)
	}
	return code
}

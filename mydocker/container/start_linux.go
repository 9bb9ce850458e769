// The host half of a container's start. mydocker cannot call clone(2) with
// namespace flags on itself (a Go program is many threads, and the new
// namespaces must hold exactly one process), so it re-executes its own
// binary, /proc/self/exe init, as the child of clone(2). That child is the
// container's init: PID 1 inside. It learns what to do from a Config sent
// over the sync socket, not from argv, so no argument is ever split or
// quoted wrongly.

package container

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/namespace"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// StartOptions says how the host starts init.
type StartOptions struct {
	Cloneflags uintptr
	// CgroupFD, when >= 0, is a cgroup v2 directory init is cloned into
	// (clone3 with CLONE_INTO_CGROUP), so it never runs outside its limits.
	CgroupFD int
	// BeforeConfig runs once init exists and before it gets its config: the
	// moment to put it into cgroup v1 groups by PID. Init waits meanwhile.
	BeforeConfig func(pid int) error
	// ExtraFiles are passed to init after the sync socket, from fd 4 on
	// (the cgroup files of chapter 02).
	ExtraFiles []*os.File
	// Stdin is nil for /dev/null. Stdout and Stderr are handed to init as
	// they are: without a terminal the command writes straight into them.
	Stdin          *os.File
	Stdout, Stderr *os.File
}

// A Process is a started container init, seen from the host.
type Process struct {
	Pid     int      // init's PID on the host
	Console *os.File // with -t: the pty master; read output, write input
	cmd     *exec.Cmd
	sync    *os.File
}

// Start re-executes mydocker as the container's init in new namespaces, sends
// it cfg, and returns once the command is running. If the command could not
// start, the error carries the exit code Docker would give (126, 127).
func Start(cfg *Config, opts StartOptions) (*Process, error) {
	hostSock, initSock, err := newSyncPair()
	if err != nil {
		return nil, err
	}
	defer initSock.Close()

	cmd := exec.Command("/proc/self/exe", "init")
	cmd.Args[0] = "mydocker" // so ps inside shows "mydocker init", not the path
	cmd.ExtraFiles = append([]*os.File{initSock}, opts.ExtraFiles...)
	cmd.Env = append([]string{
		extraFDsEnv + "=" + strconv.Itoa(len(opts.ExtraFiles)),
		// Go's runtime would open the host's cgroup CPU files at start-up
		// to size GOMAXPROCS, and keep them open: init closes every
		// descriptor it did not ask for, so it must own none.
		"GODEBUG=containermaxprocs=0,updatemaxprocs=0",
	}, trace.Environ()...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
	if opts.Stdin == nil {
		cmd.Stdin = nil // exec.Cmd opens /dev/null
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: opts.Cloneflags,
		// If mydocker dies, init dies, and with it every process in the
		// PID namespace: nothing is left running unowned.
		Pdeathsig: syscall.SIGKILL,
		// A session of its own, without a controlling terminal: a Ctrl-C
		// at mydocker's terminal reaches the container once, through
		// mydocker's signal proxy, not a second time from the terminal;
		// and without -t the container can neither stop on the host's
		// terminal (SIGTTOU) nor push keystrokes into it (TIOCSTI).
		Setsid: true,
	}
	if opts.CgroupFD >= 0 {
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = opts.CgroupFD
	}
	if err := cmd.Start(); err != nil {
		hostSock.Close()
		return nil, fmt.Errorf("clone container init: %w", explainClone(err))
	}
	trace.Step("clone(%s) = pid %d, running %s init", namespace.FlagNames(opts.Cloneflags), cmd.Process.Pid, cmd.Args[0])
	p := &Process{Pid: cmd.Process.Pid, cmd: cmd, sync: hostSock}

	if err := p.handshake(cfg, opts); err != nil {
		p.kill()
		return nil, err
	}
	return p, nil
}

// handshake sends the config and waits for init to report the command started.
func (p *Process) handshake(cfg *Config, opts StartOptions) error {
	if opts.BeforeConfig != nil {
		if err := opts.BeforeConfig(p.Pid); err != nil {
			return err
		}
	}
	if err := sendSync(p.sync, syncMsg{Type: "config", Config: cfg}); err != nil {
		return err
	}
	for {
		m, fds, err := recvSync(p.sync)
		if err != nil {
			if errors.Is(err, errSyncClosed) {
				return p.initDied()
			}
			return err
		}
		switch m.Type {
		case "console":
			if len(fds) != 1 {
				return fmt.Errorf("init sent %d console descriptors, want 1", len(fds))
			}
			p.Console = os.NewFile(uintptr(fds[0]), "pty-master")
		case "started":
			p.sync.Close()
			return nil
		case "error":
			return &ExitError{Code: m.Code, Err: errors.New(m.Message)}
		default:
			return fmt.Errorf("unexpected sync message %q from init", m.Type)
		}
	}
}

// initDied explains an init that closed the socket without a word: it
// crashed, or was killed (e.g. by the OOM killer before the command began).
func (p *Process) initDied() error {
	code, _ := p.Wait()
	return Exitf(ExitEngine, "container init exited with status %d before starting the command", code)
}

// Wait waits for init to exit and returns the exit code Docker would report:
// the command's own code, or 128+N if a signal killed init.
func (p *Process) Wait() (int, error) {
	err := p.cmd.Wait()
	p.sync.Close()
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok {
		return ExitEngine, err
	}
	return waitStatusCode(ws), nil
}

// Signal sends sig to init, which passes it on to the command. It goes
// through os.Process, which holds a pidfd: once init is reaped, a signal
// fails instead of reaching whatever process got its PID next.
func (p *Process) Signal(sig syscall.Signal) error {
	return p.cmd.Process.Signal(sig)
}

func (p *Process) kill() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
	p.sync.Close()
	if p.Console != nil {
		p.Console.Close()
	}
}

// waitStatusCode turns a wait status into a shell-style exit code.
func waitStatusCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return ExitSignalBase + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// explainClone turns clone's terse errnos into causes.
func explainClone(err error) error {
	switch {
	case errors.Is(err, unix.EPERM):
		return fmt.Errorf("%w (creating namespaces needs root: run with sudo)", err)
	case errors.Is(err, unix.EINVAL):
		return fmt.Errorf("%w (the kernel lacks a namespace or clone3 feature: run `mydocker doctor`)", err)
	}
	return err
}

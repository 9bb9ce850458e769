// The host half of a container's start. mydocker cannot call clone(2) with
// namespace flags on itself (a Go program is many threads, and the new
// namespaces must hold exactly one process), so it re-executes its own
// binary, "mydocker init", as the child of clone(2), from a sealed copy
// (sealed_linux.go). That child is the container's init: PID 1 inside. It
// learns what to do from a Config sent over the sync socket, not from
// argv, so no argument is ever split or quoted wrongly.

package runtime

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	goruntime "runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/namespace"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// StartOptions says how the host starts init.
type StartOptions struct {
	Cloneflags uintptr
	// CreateRuntime are OCI's createRuntime hooks: each runs on the host,
	// in order, once init exists in its new namespaces and before init is
	// sent its config, so before the command can run. Init waits
	// meanwhile. Networking (chapter 07) moves a veth into the container's
	// network namespace here (p.OpenNamespace("net")). An error stops the
	// start: init is killed, and the error is Start's.
	CreateRuntime []func(p *Process) error
	// CgroupFiles are the cgroup files of chapter 02, numbered 0, 1, ...
	// in cfg.Cgroup. They are not inherited: init gets them over the sync
	// socket once it has resolved every path the image names ("place").
	CgroupFiles []*os.File
	// OpenCgroupFiles, if not nil, supplies them instead, when init asks
	// for them: init is then ready to start the command, and only the
	// command needs the cgroup's limits and rules in place. The host's
	// work that init need not wait for (making the group, the record's
	// fsyncs) thus runs while init starts and builds the root. The
	// runtime closes the files once they are sent.
	OpenCgroupFiles func() ([]*os.File, error)
	// Stdin is nil for /dev/null. Stdout and Stderr are handed to init as
	// they are: without a terminal the command writes straight into them.
	Stdin          *os.File
	Stdout, Stderr *os.File
	// JoinNetPid is a process (another container's init) whose network
	// namespace init shares, as runc joins a namespace given by path:
	// Cloneflags then lacks CLONE_NEWNET, and init is cloned from a thread
	// that has entered it (chapter 07, --network container:NAME).
	JoinNetPid int
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
	if err := checkStdio(opts.Stdin, opts.Stdout, opts.Stderr); err != nil {
		return nil, err
	}
	exe, err := sealedSelf()
	if err != nil {
		return nil, fmt.Errorf("seal mydocker's binary for the container's init: %w", err)
	}
	defer exe.Close()
	hostSock, initSock, err := newSyncPair()
	if err != nil {
		return nil, err
	}

	// The sealed binary is init's initExeFd, and execve opens it by that
	// name in the child; init closes the descriptor first thing.
	cmd := exec.Command(fmt.Sprintf("/proc/self/fd/%d", initExeFd), "init")
	cmd.Args[0] = "mydocker" // so ps inside shows "mydocker init", not the path
	cmd.ExtraFiles = []*os.File{initSyncFd - 3: initSock, initExeFd - 3: exe}
	cmd.Env = append([]string{
		// Go's runtime would open the host's cgroup CPU files at start-up
		// to size GOMAXPROCS, and keep them open: init closes every
		// descriptor it did not ask for, so it must own none.
		"GODEBUG=containermaxprocs=0,updatemaxprocs=0",
	}, trace.Environ()...)
	narrateTo(cmd)
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
	err = inNetns(opts.JoinNetPid, cmd.Start)
	// Init has its own copy now. The host's must go, or a dead init would
	// leave the socket open at both ends, and the host waiting forever.
	initSock.Close()
	if err != nil {
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

// narrateTo hands init our stderr for its --trace narration (initTraceFd),
// so that its steps come in order with ours, never through the container's
// output (a pipe to its log).
func narrateTo(cmd *exec.Cmd) {
	if trace.Enabled() {
		cmd.ExtraFiles = append(cmd.ExtraFiles, os.Stderr)
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", trace.FDEnv, initTraceFd))
	}
}

// handshake sends the config and waits for init to report the command started.
func (p *Process) handshake(cfg *Config, opts StartOptions) error {
	for i, hook := range opts.CreateRuntime {
		if err := hook(p); err != nil {
			return fmt.Errorf("createRuntime hook %d: %w", i+1, err)
		}
	}
	if err := sendSync(p.sync, syncMsg{Type: "config", Config: cfg}); err != nil {
		return err
	}
	// What init may say, in order: console (once, with -t), place (once,
	// if there are cgroup files), then started or error.
	consoleOK, placeOK := cfg.TTY, cfg.Cgroup != nil
	for {
		m, fds, err := recvSync(p.sync, maxInitMsg)
		if err != nil {
			if errors.Is(err, errSyncClosed) {
				return p.initDied()
			}
			return err
		}
		if m.Type != "console" && len(fds) > 0 {
			closeAll(fds)
			return fmt.Errorf("init sent descriptors with %q, which carries none", m.Type)
		}
		switch {
		case m.Type == "console" && consoleOK:
			consoleOK = false
			if err := p.takeConsole(fds); err != nil {
				return err
			}
		case m.Type == "place" && placeOK:
			consoleOK, placeOK = false, false
			if err := p.sendCgroupFiles(opts); err != nil {
				return err
			}
		case m.Type == "started" && !placeOK:
			if err := checkPid(m.Pid); err != nil {
				return err
			}
			p.sync.Close()
			return nil
		case m.Type == "error":
			return initError(m)
		default:
			return fmt.Errorf("unexpected sync message %.32q from init", m.Type)
		}
	}
}

// OpenNamespace opens init's namespace of the given kind ("net", "mnt",
// "uts", ... as in /proc/PID/ns), for a createRuntime hook to setns(2)
// into or hand to netlink (IFLA_NET_NS_FD). Init is this process's child
// and not yet reaped, so its PID cannot name another process meanwhile.
func (p *Process) OpenNamespace(kind string) (*os.File, error) {
	if kind == "" || strings.ContainsRune(kind, '/') {
		return nil, fmt.Errorf("namespace kind %q: want a name from /proc/PID/ns, such as net", kind)
	}
	return os.Open(fmt.Sprintf("/proc/%d/ns/%s", p.Pid, kind))
}

// takeConsole keeps the pty master init sent, once it is known to be one.
func (p *Process) takeConsole(fds []int) error {
	if len(fds) != 1 {
		closeAll(fds)
		return fmt.Errorf("init sent %d console descriptors, want 1", len(fds))
	}
	if err := checkConsole(fds[0]); err != nil {
		unix.Close(fds[0])
		return err
	}
	p.Console = os.NewFile(uintptr(fds[0]), "pty-master")
	return nil
}

// sendCgroupFiles answers init's "place": the cgroup files, in order.
func (p *Process) sendCgroupFiles(opts StartOptions) error {
	files := opts.CgroupFiles
	if opts.OpenCgroupFiles != nil {
		var err error
		if files, err = opts.OpenCgroupFiles(); err != nil {
			return err
		}
		defer func() {
			for _, f := range files {
				f.Close()
			}
		}()
	}
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f.Fd())
	}
	trace.Step("send %d cgroup descriptor(s) to init: it has resolved every path and is ready to fork", len(fds))
	return sendSync(p.sync, syncMsg{Type: "cgroup"}, fds...)
}

// checkStdio refuses a directory as the container's stdin, stdout or
// stderr: init and the command inherit them as they are, and a host
// directory open as fd 0 is a way out through /proc/self/fd/0/.. .
// CheckStdio is checkStdio for a caller that hands init pipes instead of
// its own stdin, stdout and stderr (a foreground run, chapter 06).
func CheckStdio(stdin, stdout, stderr *os.File) error { return checkStdio(stdin, stdout, stderr) }

func checkStdio(files ...*os.File) error {
	for i, f := range files {
		if f == nil {
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return Exitf(ExitEngine, "the container's %s is a directory: redirect it from a file or a pipe", []string{"stdin", "stdout", "stderr"}[i])
		}
	}
	return nil
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

// inNetns runs fn (clone of init) on this goroutine's thread while it is
// in the network namespace of pid (if not 0): a child gets the namespaces of the thread
// that cloned it. The thread then goes back; should it fail to, it stays
// locked, and Go ends it when this goroutine does — and init's Pdeathsig
// with it, so nothing runs in a namespace mydocker no longer watches. On
// the main goroutine, whose thread Go never ends (see init in
// caps_linux.go), that thread would stay in the namespace: a known gap,
// left while setns back to one's own namespace fails only for want of memory.
func inNetns(pid int, fn func() error) error {
	if pid == 0 {
		return fn() // a namespace of its own, or the host's
	}
	ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		return fmt.Errorf("join the network namespace of pid %d (has its container ended?): %w", pid, err)
	}
	defer ns.Close()
	goruntime.LockOSThread()
	self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		goruntime.UnlockOSThread()
		return &os.PathError{Op: "open", Path: "/proc/thread-self/ns/net", Err: err}
	}
	defer unix.Close(self)
	trace.Step("setns(%s, CLONE_NEWNET): init is cloned in the network namespace it joins", ns.Name())
	if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
		goruntime.UnlockOSThread()
		return os.NewSyscallError("setns CLONE_NEWNET", err)
	}
	err = fn()
	if serr := unix.Setns(self, unix.CLONE_NEWNET); serr != nil {
		return errors.Join(err, os.NewSyscallError("setns back to own network namespace", serr))
	}
	goruntime.UnlockOSThread()
	return err
}

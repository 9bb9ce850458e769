// The exec endpoints, `docker exec`: POST /containers/{id}/exec records
// what to run (an exec instance, by ID), POST /exec/{id}/start runs it
// through engine.Exec, detached or over the hijacked connection (frames
// without a terminal, as attach), GET /exec/{id}/json tells whether it
// runs and how it ended, POST /exec/{id}/resize sizes its terminal.
//
// Unlike a container, an exec'd process is the daemon's child: it is
// reaped here, and its exit code kept for inspect. The connection closes
// only once the exit code is known, since the client asks for it next.

package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

// execConfig is ExecCreate's body.
type execConfig struct {
	AttachStdin  bool
	AttachStdout bool
	AttachStderr bool
	DetachKeys   string
	Tty          bool
	Env          []string
	Cmd          []string
	Privileged   bool
	User         string
	WorkingDir   string
	ConsoleSize  [2]uint16 // API 1.42's [height, width], before the start
}

// execInstance is one exec, from create to its end.
type execInstance struct {
	ID, Container string
	Config        execConfig
	detachKeys    []byte // Config.DetachKeys (or Docker's default), parsed
	created       time.Time
	mu            sync.Mutex
	started       bool
	running       bool
	exitCode      *int
	pid           int
	console       *os.File
}

// Limits on what a client can make the daemon hold in exec instances:
// the bytes of one's Cmd and Env (Linux's own ARG_MAX is larger, but no
// docker exec needs more), the instances of one container created and
// not started yet, and how long a finished one stays for inspect (the
// client reads the exit code right after the end).
const (
	maxExecConfig    = 64 << 10
	maxExecUnstarted = 128
	execKeep         = 5 * time.Minute
)

// execTable holds the daemon's exec instances. They live in the daemon's
// memory only, as Docker's do: a restarted daemon knows none. An instance
// goes when its container is removed, or execKeep after it finished.
type execTable struct {
	mu   sync.Mutex
	byID map[string]*execInstance
}

var execs = &execTable{byID: map[string]*execInstance{}}

func (t *execTable) get(id string) (*execInstance, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.byID[id]; ok {
		return e, nil
	}
	return nil, notFound("No such exec instance: %s", id)
}

// add records e, unless its container already has maxExecUnstarted
// instances never started. Instances created execKeep ago and never
// started go now: their container may be gone without a DELETE through
// this daemon (a --rm container's monitor removes it, or daemonless rm),
// and nothing else would ever forget them.
func (t *execTable) add(e *execInstance) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	unstarted := 0
	for id, o := range t.byID {
		if o.hasStarted() {
			continue
		}
		if e.created.Sub(o.created) > execKeep {
			delete(t.byID, id)
			continue
		}
		if o.Container == e.Container {
			unstarted++
		}
	}
	if unstarted >= maxExecUnstarted {
		return conflict("container %s has %d exec instances not started: start them before creating more", e.Container, unstarted)
	}
	t.byID[e.ID] = e
	return nil
}

// forget drops the exec instances of a container that is removed.
func (t *execTable) forget(container string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, e := range t.byID {
		if e.Container == container {
			delete(t.byID, id)
		}
	}
}

func (e *execInstance) hasStarted() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.started
}

// execConfigSize is the bytes a client asks the daemon to keep.
func execConfigSize(cfg execConfig) int {
	n := len(cfg.User) + len(cfg.WorkingDir) + len(cfg.DetachKeys)
	for _, a := range append(cfg.Cmd, cfg.Env...) {
		n += len(a) + 1
	}
	return n
}

// of lists the exec IDs of a container, for inspect's ExecIDs.
func (t *execTable) of(container string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ids []string
	for id, e := range t.byID {
		if e.Container == container {
			ids = append(ids, id)
		}
	}
	return ids
}

// StartErrorsQuery, set to 1 on exec start, asks for a start that fails
// as an error answer (400) instead of Docker's text in the stream, which
// docker's client prints on stdout; mydocker's client asks, to say it on
// stderr as daemonless mydocker does.
const StartErrorsQuery = "mydocker-start-errors"

func (s *Server) execRoutes() {
	s.handle("POST /containers/{id}/exec", s.execCreate)
	s.handle("POST /exec/{id}/start", s.execStart)
	s.handle("GET /exec/{id}/json", s.execInspect)
	s.handle("POST /exec/{id}/resize", s.execResize)
}

func (s *Server) execCreate(w http.ResponseWriter, r *http.Request) error {
	var cfg execConfig
	if err := readJSON(r, &cfg); err != nil {
		return err
	}
	if len(cfg.Cmd) == 0 {
		return badRequest("No exec command specified")
	}
	keys, err := attach.ParseDetachKeys(firstNonEmpty(cfg.DetachKeys, attach.DefaultDetachKeys))
	if err != nil {
		return badRequest("%v", err)
	}
	if n := execConfigSize(cfg); n > maxExecConfig {
		return badRequest("exec config too large: its Cmd and Env are %d bytes, at most %d", n, maxExecConfig)
	}
	_, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	if !c.MonitorAlive() && c.State.Running {
		c.State.Set(engine.Exited)
	}
	if err := engine.Check(c.State.Status, engine.ActExec, r.PathValue("id")); err != nil {
		return err
	}
	var b [32]byte
	rand.Read(b[:])
	e := &execInstance{ID: hex.EncodeToString(b[:]), Container: c.ID, Config: cfg, detachKeys: keys, created: time.Now()}
	if err := execs.add(e); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"Id": e.ID})
}

func (s *Server) execStart(w http.ResponseWriter, r *http.Request) error {
	var body struct{ Detach, Tty bool }
	if err := readJSON(r, &body); err != nil {
		return err
	}
	e, err := execs.get(r.PathValue("id"))
	if err != nil {
		return err
	}
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return conflict("Container %s: exec %s has already run", e.Container, e.ID)
	}
	e.started = true
	e.mu.Unlock()
	// Every way out leaves the instance running or ended: one left
	// started and neither would be held, and shown running, for good.
	defer e.finishUnlessBegun(runtime.ExitEngine)
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	cfg := e.Config
	o := engine.ExecOptions{Args: cfg.Cmd, Env: clientEnv(cfg.Env), User: cfg.User, WorkingDir: cfg.WorkingDir, TTY: cfg.Tty,
		Rows: cfg.ConsoleSize[0], Cols: cfg.ConsoleSize[1]}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	if body.Detach {
		// As daemonless: a go-between starts it, for init to adopt (a
		// killed daemon would leave its child to the host's PID 1);
		// with a terminal, whose master the daemon holds, it stays ours.
		o.Stdio, o.Detach = [3]*os.File{null, null, null}, !cfg.Tty
		p, err := engine.Exec(containers, e.Container, o)
		if err != nil {
			e.finish(runtime.ExitCode(err, runtime.ExitEngine))
			return err
		}
		e.begin(p)
		if p.Console != nil {
			holdDetachedTerminal(containers, e.Container, p.Console)
		}
		go e.wait(nil)
		w.WriteHeader(http.StatusOK)
		return nil
	}
	var pipes streamsOf
	if !cfg.Tty {
		if err := pipes.open(null, cfg.AttachStdin); err != nil {
			return err
		}
		o.Stdio = pipes.child
	}
	p, startErr := engine.Exec(containers, e.Container, o)
	pipes.closeChild()
	if startErr == nil {
		e.begin(p) // before the client hears 101: it resizes right after
	}
	if startErr != nil && boolValue(r, StartErrorsQuery) {
		pipes.closeAll()
		return e.refused(startErr)
	}
	conn, _, err := hijack(w, r, nil)
	if err != nil {
		pipes.closeAll()
		if startErr == nil {
			go e.wait(nil)
		} else {
			e.finish(runtime.ExitCode(startErr, runtime.ExitEngine))
		}
		return nil
	}
	defer conn.Close()
	// A client that goes (or detaches) leaves the process running: its
	// output is emptied from then on, so that it never blocks on it.
	out := &frameWriter{w: &dropOnError{w: conn}, raw: cfg.Tty}
	if startErr != nil {
		// Docker's way: the error is the stream's text, the code inspect's.
		pipes.closeAll()
		e.finish(runtime.ExitCode(startErr, runtime.ExitEngine))
		out.write(streamStdout, []byte(startErr.Error()+"\r\n"))
		closeWrite(conn)
		return nil
	}
	var copiers sync.WaitGroup
	copy := func(dst io.Writer, src io.Reader) {
		copiers.Add(1)
		go func() { defer copiers.Done(); io.Copy(dst, src) }()
	}
	if p.Console != nil {
		copy(out.stream(streamStdout), p.Console)
		if cfg.AttachStdin {
			go relayExecTerminal(conn, p.Console, e.detachKeys)
		}
	} else {
		copy(out.stream(streamStdout), pipes.stdout)
		copy(out.stream(streamStderr), pipes.stderr)
		if pipes.stdin != nil {
			go func() { io.Copy(pipes.stdin, conn); pipes.stdin.Close() }()
		}
	}
	e.wait(&copiers)
	pipes.closeAll()
	closeWrite(conn)
	return nil
}

// holdDetachedTerminal keeps the terminal of an exec -dt open, and
// emptied, while its command runs: closed, it would hang up on it
// (SIGHUP). Docker's shim holds it, which outlives dockerd; here the
// container's monitor does (a Hold frame, as daemonless exec -dt sends),
// so a daemon killed or restarted does not end the command. A container
// with no monitor (in the foreground of a daemonless run), or whose
// monitor refuses (it holds its most), has the daemon hold a copy of its
// own: the command is the daemon's child anyway. Either way the exec instance keeps console, for
// resize, and closes it when it ends (finish): the holder's copy is the
// one that keeps the terminal.
func holdDetachedTerminal(containers *engine.Store, id string, console *os.File) {
	if conn, err := attach.Dial(containers.Dir(id)); err == nil {
		err = attach.HoldTerminal(conn, console)
		conn.Close()
		if err == nil {
			return
		}
	}
	held, err := dupFile(console)
	if err != nil {
		return
	}
	go func() {
		io.Copy(io.Discard, held)
		held.Close()
	}()
}

// dupFile is a descriptor of f's own (F_DUPFD_CLOEXEC), the same open
// file, for one that closes it at another time than f's owner.
func dupFile(f *os.File) (*os.File, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(old uintptr) {
		fd, dupErr = unix.FcntlInt(old, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", dupErr)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// relayExecTerminal passes the client's keys to the exec's terminal until
// the detach keys (ctrl-p ctrl-q, or the exec's DetachKeys): the client's
// connection then ends, and the process runs on with the daemon holding
// its terminal.
func relayExecTerminal(conn net.Conn, console *os.File, keys []byte) {
	_, err := io.Copy(console, attach.NewEscapeReader(conn, keys))
	if errors.Is(err, attach.ErrDetached) {
		closeWrite(conn)
	}
}

// dropOnError writes to w until a write fails (the client is gone), and
// swallows what follows.
type dropOnError struct {
	w      io.Writer
	failed bool
}

func (d *dropOnError) Write(p []byte) (int, error) {
	if !d.failed {
		if _, err := d.w.Write(p); err != nil {
			d.failed = true
		}
	}
	return len(p), nil
}

// begin records that the process runs.
func (e *execInstance) begin(p *runtime.ExecProcess) {
	e.mu.Lock()
	e.running, e.pid, e.console = true, p.Pid, p.Console
	e.mu.Unlock()
}

// wait reaps the process and records its exit code; then it gives the
// copiers of its output (if any) a moment to read what is left: a child it
// left behind may hold the streams open for ever.
func (e *execInstance) wait(copiers *sync.WaitGroup) {
	code, err := runtime.WaitExec(e.pid)
	if err != nil {
		code = runtime.ExitEngine
	}
	if copiers != nil {
		done := make(chan struct{})
		go func() { copiers.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	}
	e.finish(code)
}

// refused ends an exec that could not start, for mydocker's client
// (StartErrorsQuery): an answer of its own, which it says where daemonless
// mydocker does, not the stream's text; the code is inspect's, as for
// Docker's clients.
func (e *execInstance) refused(err error) error {
	e.finish(runtime.ExitCode(err, runtime.ExitEngine))
	return badRequest("%s", err.Error())
}

// finishUnlessBegun ends an instance whose start gave up before its
// process ran, and before it recorded why.
func (e *execInstance) finishUnlessBegun(code int) {
	e.mu.Lock()
	begun := e.running || e.exitCode != nil
	e.mu.Unlock()
	if !begun {
		e.finish(code)
	}
}

// finish records the exit code, closes the terminal, and forgets the
// instance execKeep later.
func (e *execInstance) finish(code int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.running, e.exitCode = false, &code
	time.AfterFunc(execKeep, func() {
		execs.mu.Lock()
		if execs.byID[e.ID] == e {
			delete(execs.byID, e.ID)
		}
		execs.mu.Unlock()
	})
	if e.console != nil {
		e.console.Close()
		e.console = nil
	}
}

// streamsOf are the pipes of an exec without a terminal: child are the
// ends the process gets, the others ours.
type streamsOf struct {
	child                 [3]*os.File
	stdin, stdout, stderr *os.File
}

func (p *streamsOf) open(null *os.File, stdin bool) error {
	p.child[0] = null
	if stdin {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		p.child[0], p.stdin = r, w
	}
	var err error
	if p.stdout, p.child[1], err = os.Pipe(); err != nil {
		p.closeChild()
		p.closeAll()
		return err
	}
	if p.stderr, p.child[2], err = os.Pipe(); err != nil {
		p.closeChild()
		p.closeAll()
		return err
	}
	return nil
}

// closeChild closes the process's ends (it has its own copies by now).
func (p *streamsOf) closeChild() {
	if p.stdin != nil && p.child[0] != nil {
		p.child[0].Close()
	}
	for _, f := range p.child[1:] {
		if f != nil {
			f.Close()
		}
	}
}

func (p *streamsOf) closeAll() {
	for _, f := range []*os.File{p.stdin, p.stdout, p.stderr} {
		if f != nil {
			f.Close()
		}
	}
}

func (s *Server) execInspect(w http.ResponseWriter, r *http.Request) error {
	e, err := execs.get(r.PathValue("id"))
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	args := []string{}
	if len(e.Config.Cmd) > 1 {
		args = e.Config.Cmd[1:]
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"ID": e.ID, "Running": e.running, "ExitCode": e.exitCode, "Pid": e.pid,
		"ContainerID": e.Container, "CanRemove": false, "DetachKeys": e.Config.DetachKeys,
		"OpenStdin": e.Config.AttachStdin, "OpenStdout": e.Config.AttachStdout, "OpenStderr": e.Config.AttachStderr,
		"ProcessConfig": map[string]any{"tty": e.Config.Tty, "entrypoint": e.Config.Cmd[0], "arguments": args,
			"privileged": e.Config.Privileged, "user": e.Config.User},
	})
}

func (s *Server) execResize(w http.ResponseWriter, r *http.Request) error {
	h, wd, err := terminalSize(r)
	if err != nil {
		return err
	}
	e, err := execs.get(r.PathValue("id"))
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.console == nil {
		if e.running {
			return nil // no terminal: nothing to size
		}
		return conflict("exec %s is not running", e.ID)
	}
	ws := &unix.Winsize{Row: h, Col: wd}
	if err := unix.IoctlSetWinsize(int(e.console.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		return os.NewSyscallError("ioctl TIOCSWINSZ", err)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

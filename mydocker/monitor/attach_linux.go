// The monitor's side of attach: it holds the container's stdio (the
// terminal's master with -t; with -i a stdin pipe, kept open), listens on
// attach.Socket in the container's directory, and serves up to maxClients
// clients: each gets what the container writes, as the json-file log
// does; what each sends goes to the container's stdin; a Resize sets the
// terminal's size; a Hold hands it the terminal of an `exec -dt` to keep
// open while that runs. The protocol is mydocker/attach's.
//
// A client that cannot keep up is dropped once maxQueued bytes wait for
// it: a stuck client must not stop the container's output, or the log.

package monitor

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// maxQueued is how much output may wait for one client.
const maxQueued = 4 << 20

// maxClients is how many clients the monitor serves at once: each holds
// two goroutines and a queue, and a daemon holds a connection per client.
// One more is refused (its connection closed at once).
const maxClients = 64

// hub is the monitor's attach server.
type hub struct {
	dir       string
	ln        *net.UnixListener
	stdinOnce bool // --stdin-once: a client's end of input ends the container's

	mu      sync.Mutex
	clients map[*client]bool
	input   *os.File      // the current run's stdin pipe or terminal; nil for none
	console *os.File      // the current run's terminal, for Resize
	ownIn   bool          // input is the stdin pipe's write end, the hub's to close
	size    *unix.Winsize // the last Resize, for a run that starts later
	// running is true from startRun to endRun: input that comes before
	// (from a client attached before the start) waits for it (started).
	running, closed bool
	held            int // terminals held for exec -dt (hold)
	started         *sync.Cond
	inMu            sync.Mutex
	writers         sync.WaitGroup // the clients' writeLoops
}

// client is one attached connection and the output waiting for it.
type client struct {
	conn   net.Conn
	mu     sync.Mutex
	cond   *sync.Cond
	queue  [][]byte // frames, header included
	queued int
	closed bool // no more frames: write what is queued, then close
}

// listen makes the socket; the monitor does it before it reports that the
// container runs, so that an attach right after `run -d` finds it.
func listen(dir string, stdinOnce bool) (*hub, error) {
	ln, err := attach.Listen(dir)
	if err != nil {
		return nil, err
	}
	h := &hub{dir: dir, ln: ln, stdinOnce: stdinOnce, clients: map[*client]bool{}}
	h.started = sync.NewCond(&h.mu)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed: the monitor ends
			}
			h.add(conn)
		}
	}()
	return h, nil
}

// add serves one client: a goroutine writes its output, another reads
// what it sends.
func (h *hub) add(conn net.Conn) {
	c := &client{conn: conn}
	c.cond = sync.NewCond(&c.mu)
	h.mu.Lock()
	if len(h.clients) >= maxClients {
		h.mu.Unlock()
		trace.Step("attach: %d clients already: one more refused", maxClients)
		conn.Close()
		return
	}
	h.clients[c] = true
	h.mu.Unlock()
	trace.Step("attach: a client connected")
	h.writers.Add(1)
	go func() {
		defer h.writers.Done()
		c.writeLoop()
	}()
	go h.readLoop(c)
}

// readLoop carries out what a client sends, until it goes.
func (h *hub) readLoop(c *client) {
	defer h.drop(c)
	buf := make([]byte, attach.MaxFrame)
	uc, _ := c.conn.(*net.UnixConn)
	for {
		var typ byte
		var p []byte
		var held *os.File
		var err error
		if uc != nil {
			typ, p, held, err = attach.ReadFrameFile(uc, buf)
		} else {
			typ, p, err = attach.ReadFrame(c.conn, buf)
		}
		if err != nil {
			return
		}
		switch typ {
		case attach.Hold:
			// The answer goes after whatever output is queued for
			// the client, in order (attach.HoldTerminal skips that).
			c.send(attach.Held, h.hold(held))
		case attach.Stdin:
			h.write(p)
		case attach.Resize:
			h.resize(p)
		case attach.CloseStdin:
			if h.stdinOnce && h.waitRun() {
				h.closeInput()
			}
		}
	}
}

// write passes input on to the container; one client's bytes at a time.
func (h *hub) write(p []byte) {
	if !h.waitRun() {
		return
	}
	h.mu.Lock()
	in := h.input
	h.mu.Unlock()
	if in == nil {
		return // no stdin (no -i, or closed by --stdin-once)
	}
	h.inMu.Lock()
	in.Write(p) // closed meanwhile (the run ended): dropped
	h.inMu.Unlock()
}

// maxHeld bounds the terminals the monitor holds at once for exec -dt.
const maxHeld = 64

// hold keeps a detached exec's terminal open, as Docker's shim does, and
// empties it (Docker keeps no exec's output), until every process that
// has it open is gone: reading the master side then fails (EIO). Closed
// early, it would hang up on the command (SIGHUP). The container's end
// ends them all: its pid namespace takes every such process with it.
//
// Only a pty master is held: reading anything else until its end may
// never end (/dev/zero: a core spun for ever) or hold what has no
// business here. The answer (a Held frame) is nil when held, else why not:
// the client must know before it closes its own copy of the terminal.
func (h *hub) hold(f *os.File) (refusal []byte) {
	if f == nil {
		return []byte("a Hold frame with no descriptor")
	}
	if err := checkPtyMaster(f); err != nil {
		trace.Step("attach: Hold refused: %v", err)
		f.Close()
		return []byte(err.Error())
	}
	h.mu.Lock()
	if h.held >= maxHeld {
		h.mu.Unlock()
		trace.Step("attach: %d terminals held already: one more refused", maxHeld)
		f.Close()
		return []byte(fmt.Sprintf("it holds %d terminals of detached execs already, its most", maxHeld))
	}
	h.held++
	h.mu.Unlock()
	trace.Step("attach: holding a detached exec's terminal")
	go func() {
		io.Copy(io.Discard, f)
		f.Close()
		h.mu.Lock()
		h.held--
		h.mu.Unlock()
	}()
	return nil
}

// checkPtyMaster makes sure f is the master side of a terminal, as the
// runtime checks the console init sends (runtime.CheckPtyMaster).
func checkPtyMaster(f *os.File) error {
	// Through SyscallConn, not Fd: Fd would make the descriptor blocking,
	// and hold's read a thread of its own.
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var checkErr error
	if err := rc.Control(func(fd uintptr) { checkErr = runtime.CheckPtyMaster(int(fd)) }); err != nil {
		return err
	}
	return checkErr
}

// waitRun waits until a run has started; false if the monitor ends first.
func (h *hub) waitRun() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for !h.running && !h.closed {
		h.started.Wait()
	}
	return h.running
}

// resize sets the terminal's size, as the client's terminal has it.
func (h *hub) resize(p []byte) {
	rows, cols, ok := attach.ParseResize(p)
	if !ok || rows == 0 || cols == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.size = &unix.Winsize{Row: rows, Col: cols}
	if h.console != nil {
		unix.IoctlSetWinsize(int(h.console.Fd()), unix.TIOCSWINSZ, h.size)
	}
}

// startRun gives the hub the new run's input: the stdin pipe's write end
// (the hub's to close), or the terminal (the monitor's).
func (h *hub) startRun(stdin, console *os.File) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running = true
	h.started.Broadcast()
	h.console = console
	h.input, h.ownIn = stdin, stdin != nil
	if console != nil {
		h.input, h.ownIn = console, false
		if h.size != nil {
			// A client attached before the command started (start -a).
			unix.IoctlSetWinsize(int(console.Fd()), unix.TIOCSWINSZ, h.size)
		}
	}
}

// closeInput closes the container's stdin: the command reads its end.
func (h *hub) closeInput() {
	h.mu.Lock()
	in, own := h.input, h.ownIn
	if own {
		h.input = nil
	}
	h.mu.Unlock()
	if own {
		trace.Step("attach: stdin closed (--stdin-once)")
		in.Close() // a Write blocked on a full pipe returns
	}
}

// stream is a writer of one output stream (attach.Stdout or Stderr) to
// every client.
func (h *hub) stream(typ byte) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		h.broadcast(typ, p)
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (h *hub) broadcast(typ byte, p []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for len(p) > 0 {
		chunk := p[:min(len(p), attach.MaxFrame)]
		p = p[len(chunk):]
		for c := range h.clients {
			if !c.send(typ, chunk) {
				trace.Step("attach: a client fell %d bytes behind: dropped", maxQueued)
				delete(h.clients, c)
			}
		}
	}
}

// endRun tells every client the run's exit code and lets them go, and
// closes the run's stdin. Clients that attach later get the next run.
func (h *hub) endRun(code int) {
	h.closeInput()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.input, h.console, h.running = nil, nil, false
	for c := range h.clients {
		c.send(attach.Exit, attach.ExitPayload(code))
		c.finish()
		delete(h.clients, c)
	}
}

// stopListening removes the socket: no more clients. Those attached stay
// until endRun or close.
func (h *hub) stopListening() {
	h.ln.Close()
	attach.Unlink(h.dir)
}

// close ends the server: no more clients, and the socket is gone. It
// returns once every client has been written what was queued for it (the
// exit code, endRun's), or after a second for one that does not read: the
// monitor exits next, and would cut the last frames off.
func (h *hub) close() {
	h.ln.Close()
	attach.Unlink(h.dir)
	h.mu.Lock()
	h.closed = true
	h.started.Broadcast()
	for c := range h.clients {
		c.finish()
		delete(h.clients, c)
	}
	h.mu.Unlock()
	flushed := make(chan struct{})
	go func() {
		h.writers.Wait()
		close(flushed)
	}()
	select {
	case <-flushed:
	case <-time.After(time.Second):
	}
}

func (h *hub) drop(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
	c.finish()
}

// send queues a frame for the client; false if it is too far behind (it
// is then finished).
func (c *client) send(typ byte, p []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return true
	}
	if c.queued+len(p) > maxQueued {
		c.closed = true
		c.queue = nil
		c.conn.Close()
		c.cond.Signal()
		return false
	}
	frame := make([]byte, 8+len(p))
	frame[0] = typ
	frame[4], frame[5], frame[6], frame[7] = byte(len(p)>>24), byte(len(p)>>16), byte(len(p)>>8), byte(len(p))
	copy(frame[8:], p)
	c.queue = append(c.queue, frame)
	c.queued += len(p)
	c.cond.Signal()
	return true
}

// finish lets the client go once what is queued is written.
func (c *client) finish() {
	c.mu.Lock()
	c.closed = true
	c.cond.Signal()
	c.mu.Unlock()
}

// writeLoop writes the client's frames in order, then closes it.
func (c *client) writeLoop() {
	defer c.conn.Close()
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.cond.Wait()
		}
		if len(c.queue) == 0 {
			c.mu.Unlock()
			return
		}
		frame := c.queue[0]
		c.queue = c.queue[1:]
		c.queued -= len(frame) - 8
		c.mu.Unlock()
		if _, err := c.conn.Write(frame); err != nil {
			if !errors.Is(err, net.ErrClosed) {
				trace.Step("attach: %v", err)
			}
			return
		}
	}
}

// attachedArg, after the monitor's data root and ID, says that attachFD
// is a client already: the caller of `start -a` (or of a foreground `run
// --restart`), connected before the command starts, so that it misses no
// output (Spawn's SpawnAttached).
const (
	attachedArg = "attached"
	attachFD    = 4
)

// serveAttach starts the hub, and adds the caller as its first client if
// it is attached.
func (m *monitor) serveAttach(c *engine.Container, attached bool) error {
	var err error
	if m.hub, err = listen(m.store.Dir(m.id), c.StdinOnce); err != nil {
		return fmt.Errorf("attach socket of container %s: %w", engine.ShortID(m.id), err)
	}
	if attached {
		f := os.NewFile(attachFD, "attach")
		conn, err := net.FileConn(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("attached caller: %w", err)
		}
		m.hub.add(conn)
	}
	return nil
}

// stdinPipe is the stdin of a container with -i and no terminal: init
// gets r, the monitor keeps w for attached clients, so the command's
// stdin stays open while no one is attached (Docker's OpenStdin). With -t
// the terminal is the command's stdin.
func stdinPipe(c *engine.Container) (r, w *os.File, err error) {
	if !c.OpenStdin || c.Config.TTY {
		return nil, nil, nil
	}
	return os.Pipe()
}

// streamType is a log stream's frame type.
func streamType(name string) byte {
	if name == "stderr" {
		return attach.Stderr
	}
	return attach.Stdout
}

// POST /containers/{id}/attach: the connection is hijacked (hijack in
// streams.go) and joined to the container's monitor, which holds the
// container's stdio and serves clients on its attach socket (package
// attach, chapter 06): output comes as the monitor's frames, passed on as
// Docker's (raw with a terminal), and the client's bytes go to the
// container's stdin.
//
// `docker run` attaches before it starts the container, so that it misses
// nothing the command writes: there is no monitor yet. The daemon then
// makes a socket pair, keeps one end for the client, and hands the other
// to the monitor that start spawns (monitor.SpawnAttached), which has the
// client from its first moment.

package daemon

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/logs"
)

// pendingAttach holds, per container not started yet, the monitor's end
// of the socket pair of a client attached before the start.
type pendingAttach struct {
	mu   sync.Mutex
	byID map[string]*pendingEntry
}

// pendingEntry is one client waiting for a start: theirs is the monitor's
// end, mon the daemon's, client the hijacked connection (nil until the
// hijack).
type pendingEntry struct {
	theirs      *os.File
	mon, client net.Conn
}

var pending = &pendingAttach{byID: map[string]*pendingEntry{}}

// take returns the monitor's end for container id, if a client waits.
func (p *pendingAttach) take(id string) *os.File {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.byID[id]
	delete(p.byID, id)
	if e == nil {
		return nil
	}
	return e.theirs
}

// connect joins the container's monitor: its socket if it runs, or a new
// socket pair whose other end waits for the start. A client already
// waiting for the start keeps its place (409), unless it hung up: its
// entry then goes, which ends its attach.
func (p *pendingAttach) connect(containers *engine.Store, c *engine.Container) (net.Conn, error) {
	if c.MonitorAlive() {
		conn, err := attach.Dial(containers.Dir(c.ID))
		if !errors.Is(err, attach.ErrNoMonitor) {
			return conn, err
		}
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socketpair", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "attach"), os.NewFile(uintptr(fds[1]), "attach")
	conn, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		theirs.Close()
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.byID[c.ID]; ok {
		if old.client == nil || !hungUp(old.client) {
			conn.Close()
			theirs.Close()
			return nil, conflict("container %s: another client is attached, waiting for its start", c.Name)
		}
		old.theirs.Close()
		old.mon.Close()
	}
	p.byID[c.ID] = &pendingEntry{theirs: theirs, mon: conn}
	return conn, nil
}

// hijacked records the client of mon's entry, once its connection is
// taken over.
func (p *pendingAttach) hijacked(id string, mon, client net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.byID[id]; e != nil && e.mon == mon {
		e.client = client
	}
}

// drop forgets mon's waiting end, if the container never started.
func (p *pendingAttach) drop(id string, mon net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.byID[id]; e != nil && e.mon == mon {
		e.theirs.Close()
		delete(p.byID, id)
	}
}

// hungUp reports whether the peer of conn closed it both ways (POLLHUP):
// a client that only ended its input (docker run -i at stdin's end) still
// reads the output.
func hungUp(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	hup := false
	raw.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN | unix.POLLRDHUP}}
		if n, _ := unix.Poll(fds, 0); n > 0 {
			hup = fds[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0
		}
	})
	return hup
}

// closeOnHangUp closes mon when the client's connection hangs up, after
// the client's input ended: without it, an attach to a container that
// writes nothing (or was never started) would hold both connections until
// the next output. It waits through Go's poller (no thread held), and
// returns when conn is closed.
func closeOnHangUp(conn, mon net.Conn) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return // TLS: the next write to the client finds it gone
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	if raw.Read(func(uintptr) bool { return hungUp(conn) }) == nil {
		mon.Close()
	}
}

func (s *Server) attachContainer(w http.ResponseWriter, r *http.Request) error {
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	stdin, stdout, stderr := boolValue(r, "stdin"), boolValue(r, "stdout"), boolValue(r, "stderr")
	var keys []byte
	if c.Config.TTY {
		spec := firstNonEmpty(r.URL.Query().Get("detachKeys"), attach.DefaultDetachKeys)
		if keys, err = attach.ParseDetachKeys(spec); err != nil {
			return badRequest("%v", err)
		}
	}
	mon, err := pending.connect(containers, c)
	if err != nil {
		return err
	}
	defer pending.drop(c.ID, mon)
	defer mon.Close()
	defer exits.relaying(c.ID)() // before the client can start it
	// The client is known before it hears 101: once it has, it may hang
	// up and attach again, and that attach must find this one's gone.
	conn, brw, err := hijack(w, r, func(conn net.Conn) { pending.hijacked(c.ID, mon, conn) })
	if err != nil {
		return nil // the client is gone
	}
	defer conn.Close()
	out := &frameWriter{w: conn, raw: c.Config.TTY}
	if boolValue(r, "logs") && c.LogPath != "" {
		logs.Read(c.LogPath, logs.ReadOptions{Tail: -1}, func(e logs.Entry) error {
			return out.write(streamOf(e.Stream), []byte(e.Log))
		})
	}
	go func() {
		relayInput(brw.Reader, mon, stdin, keys)
		closeOnHangUp(conn, mon)
	}()
	buf := make([]byte, attach.MaxFrame)
	for {
		typ, p, err := attach.ReadFrame(mon, buf)
		if err != nil {
			break
		}
		if typ == attach.Exit {
			if code, ok := attach.ParseExit(p); ok {
				exits.put(c.ID, code)
			}
			break
		}
		if (typ == attach.Stdout && stdout) || (typ == attach.Stderr && stderr) {
			if out.write(typ, p) != nil {
				break // the client is gone
			}
		}
	}
	closeWrite(conn)
	return nil
}

func streamOf(name string) byte {
	if name == "stderr" {
		return streamStderr
	}
	return streamStdout
}

// relayInput sends what the client types to the monitor, as Stdin frames,
// and its end as CloseStdin (which closes the container's stdin if it was
// created with StdinOnce, as `docker run -i` creates it). With a terminal
// the detach keys end the session; the container runs on. Without stdin,
// what the client sends is dropped.
func relayInput(client *bufio.Reader, mon net.Conn, stdin bool, keys []byte) {
	if !stdin {
		io.Copy(io.Discard, client)
		return
	}
	var in io.Reader = client
	if keys != nil {
		in = attach.NewEscapeReader(client, keys)
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 && attach.WriteFrame(mon, attach.Stdin, buf[:n]) != nil {
			return
		}
		if errors.Is(err, attach.ErrDetached) {
			mon.Close() // ends the output's loop: the client detached
			return
		}
		if err != nil {
			attach.WriteFrame(mon, attach.CloseStdin, nil)
			return
		}
	}
}

// resizeConsole sets the size of a container's terminal, through its
// monitor's attach socket.
func resizeConsole(containers *engine.Store, c *engine.Container, rows, cols uint16) error {
	conn, err := attach.Dial(containers.Dir(c.ID))
	if err != nil {
		return conflict("Container %s is not running", c.ID)
	}
	defer conn.Close()
	return attach.WriteFrame(conn, attach.Resize, attach.ResizePayload(rows, cols))
}

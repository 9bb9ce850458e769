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

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/logs"
)

// pendingAttach holds, per container not started yet, the monitor's end
// of the socket pair of a client attached before the start.
type pendingAttach struct {
	mu    sync.Mutex
	byID  map[string]*os.File
	owner map[string]net.Conn
}

var pending = &pendingAttach{byID: map[string]*os.File{}, owner: map[string]net.Conn{}}

// take returns the monitor's end for container id, if a client waits.
func (p *pendingAttach) take(id string) *os.File {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.byID[id]
	delete(p.byID, id)
	delete(p.owner, id)
	return f
}

// connect joins the container's monitor: its socket if it runs, or a new
// socket pair whose other end waits for the start.
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
	if _, ok := p.byID[c.ID]; ok {
		conn.Close()
		theirs.Close()
		return nil, conflict("container %s: another client is attached, waiting for its start", c.Name)
	}
	p.byID[c.ID], p.owner[c.ID] = theirs, conn
	return conn, nil
}

// drop forgets conn's waiting end, if the container never started.
func (p *pendingAttach) drop(id string, conn net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.owner[id] == conn {
		p.byID[id].Close()
		delete(p.byID, id)
		delete(p.owner, id)
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
	conn, brw, err := hijack(w, r)
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
	go relayInput(brw.Reader, mon, stdin, keys)
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

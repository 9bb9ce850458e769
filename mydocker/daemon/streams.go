// The endpoints that stream: wait (its headers at once, its body when the
// container ends), logs (the json-file log, as frames), attach (the
// connection hijacked, output as frames), and stats.
//
// Without a terminal, output goes as Docker's multiplexed stream (frames.go),
// so that one connection carries stdout and stderr apart. With a terminal
// there is one stream, raw.

package daemon

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/logs"
)

// The streams of a multiplexed frame's header.
const (
	streamStdin  = 0
	streamStdout = 1
	streamStderr = 2
)

// frameWriter writes a multiplexed stream; raw (a terminal) writes the
// bytes as they are. It is safe for two streams' copiers at once.
type frameWriter struct {
	mu    sync.Mutex
	w     io.Writer
	raw   bool
	flush func()
}

// write sends p as one frame of stream.
func (f *frameWriter) write(stream byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var err error
	if f.raw {
		_, err = f.w.Write(p)
	} else {
		err = WriteFrame(f.w, stream, p)
	}
	if err == nil && f.flush != nil {
		f.flush()
	}
	return err
}

// stream is an io.Writer for one stream of f.
func (f *frameWriter) stream(id byte) io.Writer { return streamWriter{f, id} }

type streamWriter struct {
	f  *frameWriter
	id byte
}

func (s streamWriter) Write(p []byte) (int, error) {
	if err := s.f.write(s.id, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// streamType is the Content-Type of an attach or logs answer.
const streamType = "application/vnd.docker.raw-stream"

// waitContainer answers its headers at once (the client waits on them
// before it starts the container), then {"StatusCode": N} when the
// condition holds: not-running (the default), next-exit, or removed.
func (s *Server) waitContainer(w http.ResponseWriter, r *http.Request) error {
	cond := firstNonEmpty(r.URL.Query().Get("condition"), "not-running")
	if cond != "not-running" && cond != "next-exit" && cond != "removed" {
		return badRequest("invalid condition: %q: want not-running, next-exit or removed", cond)
	}
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	code, err := waitFor(r, containers, c, cond)
	answer := map[string]any{"StatusCode": code, "Error": nil}
	if err != nil {
		answer["Error"] = map[string]string{"Message": err.Error()}
	}
	return writeBody(w, answer)
}

// waitFor sleeps until the container meets cond and returns its exit code.
// It wakes when the record changes (every change is a rename into the
// container's directory: the daemon's one inotify instance tells, see
// dirwatch.go), or every 100 ms at worst.
func waitFor(r *http.Request, containers *engine.Store, c *engine.Container, cond string) (int, error) {
	since := time.Now()
	changed, done := dirs.subscribe(containers.Dir(c.ID))
	defer done()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last := c
	for {
		now, err := containers.Load(c.ID)
		if errors.Is(err, engine.ErrNotFound) {
			return removedCode(last), nil // --rm
		}
		if err != nil {
			return -1, err
		}
		if now.State.Running && !now.MonitorAlive() {
			// Gone since Load read the record: read it again (Load
			// tells a monitor that recorded the end from one killed).
			continue
		}
		last = now
		stopped := !now.State.Running
		switch cond {
		case "not-running":
			if stopped {
				return now.State.ExitCode, nil
			}
		case "next-exit":
			if stopped && now.State.FinishedAt.After(since) {
				return now.State.ExitCode, nil
			}
		}
		select {
		case <-r.Context().Done():
			return -1, r.Context().Err()
		case <-changed:
		case <-tick.C:
		}
	}
}

// removedCode is the exit code of a container whose record has gone, last
// seen as last: as its monitor told an attached client (docker run's,
// whose relay may be reading that Exit frame right now), else as last
// seen. The record may have come and gone between two reads: last may be
// the created one, whose exit code means nothing. The monitor removes it,
// then its anonymous volumes, and exits: the removal is over once it has
// gone (5 s at most).
func removedCode(last *engine.Container) int {
	engine.WaitMonitor(last, 5*time.Second)
	if code, ok := exits.await(last.ID); ok {
		return code
	}
	return last.State.ExitCode
}

// exitCodes are the exit codes monitors told attached clients (the Exit
// frame), for a wait whose container was removed before it read the end
// in the record. Each is kept a minute at most.
type exitCodes struct {
	mu      sync.Mutex
	changed *sync.Cond // a code put, or a relay ended
	codes   map[string]int
	live    map[string]int // attach relays running, per container
}

var exits = newExitCodes()

func newExitCodes() *exitCodes {
	e := &exitCodes{codes: map[string]int{}, live: map[string]int{}}
	e.changed = sync.NewCond(&e.mu)
	return e
}

// relaying counts an attach relay of container id, which may put its exit
// code; the function it returns says the relay ended.
func (e *exitCodes) relaying(id string) func() {
	e.mu.Lock()
	e.live[id]++
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		if e.live[id]--; e.live[id] <= 0 {
			delete(e.live, id)
		}
		e.changed.Broadcast()
		e.mu.Unlock()
	}
}

// await is take, waiting (2 s at most) while a relay of the container
// still runs and may bring the code: woken by put or by the relay's end.
func (e *exitCodes) await(id string) (int, bool) {
	expired := false
	timer := time.AfterFunc(2*time.Second, func() {
		e.mu.Lock()
		expired = true
		e.changed.Broadcast()
		e.mu.Unlock()
	})
	defer timer.Stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		if code, ok := e.codes[id]; ok {
			delete(e.codes, id)
			return code, true
		}
		if e.live[id] == 0 || expired {
			return 0, false
		}
		e.changed.Wait()
	}
}

func (e *exitCodes) put(id string, code int) {
	e.mu.Lock()
	e.codes[id] = code
	e.changed.Broadcast()
	e.mu.Unlock()
	time.AfterFunc(time.Minute, func() { e.take(id) })
}

func (e *exitCodes) take(id string) (int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	code, ok := e.codes[id]
	delete(e.codes, id)
	return code, ok
}

// writeBody writes v as JSON after the headers have gone.
func writeBody(w http.ResponseWriter, v any) error {
	data, err := jsonLine(v)
	if err != nil {
		return err
	}
	w.Write(data)
	return nil
}

// logsContainer is `docker logs`: ?stdout, ?stderr, ?follow, ?tail,
// ?since (Unix seconds), ?timestamps.
func (s *Server) logsContainer(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	stdout, stderr := boolValue(r, "stdout"), boolValue(r, "stderr")
	if !stdout && !stderr {
		return badRequest("Bad parameters: you must choose at least one stream")
	}
	opts := logs.ReadOptions{Tail: -1, Follow: boolValue(r, "follow")}
	if t := q.Get("tail"); t != "" && t != "all" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return badRequest("invalid value for tail: %q: want a number or all", t)
		}
		opts.Tail = n
	}
	if v := q.Get("since"); v != "" && v != "0" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return badRequest("invalid value for since: %q: want Unix seconds", v)
		}
		opts.Since = time.Unix(0, int64(f*1e9))
	}
	timestamps := boolValue(r, "timestamps")
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	if c.LogPath == "" {
		return badRequest("container %s has no log: only containers under a monitor keep one", c.Name)
	}
	opts.Done = func() bool {
		now, err := containers.Load(c.ID)
		return r.Context().Err() != nil || err != nil || !now.MonitorAlive()
	}
	w.Header().Set("Content-Type", streamType)
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	out := &frameWriter{w: w, raw: c.Config.TTY, flush: func() { rc.Flush() }}
	err = logs.Read(c.LogPath, opts, func(e logs.Entry) error {
		id := byte(streamStdout)
		if e.Stream == "stderr" {
			if !stderr {
				return nil
			}
			id = streamStderr
		} else if !stdout {
			return nil
		}
		line := e.Log
		if timestamps {
			line = e.Time.UTC().Format(time.RFC3339Nano) + " " + line
		}
		return out.write(id, []byte(line))
	})
	if err != nil && !isGone(err) {
		return nil // the headers are gone: nothing more to say
	}
	return nil
}

// isGone reports whether err is a client that went away, or a log that
// never existed (a container never started).
func isGone(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.ENOENT)
}

// hijack takes the connection over from the HTTP server for a raw stream
// both ways (attach, exec start). A client that asked to upgrade gets
// exactly Docker's "101 UPGRADED"; one that did not, a 200. taken, if not
// nil, learns the connection before the client hears the answer.
func hijack(w http.ResponseWriter, r *http.Request, taken func(net.Conn)) (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if taken != nil {
		taken(conn)
	}
	head := "HTTP/1.1 200 OK\r\nContent-Type: " + streamType + "\r\n\r\n"
	if strings.EqualFold(r.Header.Get("Upgrade"), "tcp") || strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") {
		head = "HTTP/1.1 101 UPGRADED\r\nContent-Type: " + streamType + "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
	}
	if _, err := brw.WriteString(head); err != nil {
		conn.Close()
		return nil, nil, err
	}
	if err := brw.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, brw, nil
}

// closeWrite ends our half of a hijacked connection: the client reads the
// end of the stream, and may still send (its stdin).
func closeWrite(conn net.Conn) {
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

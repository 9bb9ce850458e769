// The hijacked streams of run, exec, start -a and attach through the
// daemon (chapter 09), as docker's client relays them. Without a terminal
// the daemon's answer is stdcopy frames (stdout and stderr apart), and
// signals we get go to the container (--sig-proxy). With one (-t) it is
// the terminal's raw bytes, and our own terminal is put in raw mode while
// we relay stdin (so ctrl-c is a byte for the container's terminal, not a
// signal for us), restored on every way out; its size goes to the daemon
// (POST …/resize) at the start and at each SIGWINCH; the detach keys
// (ctrl-p ctrl-q, --detach-keys) end the session and leave the process
// running. Like docker's client, we watch for the keys ourselves and also
// name them to the daemon: either side may see them first.
//
// The terminal code is the daemonless client's (runtime.MakeRaw,
// runtime.TerminalSize): one copy.

package cli

import (
	"errors"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/client"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/stdcopy"
)

// streamOptions say how a hijacked stream is relayed.
type streamOptions struct {
	tty        bool   // the process has a terminal: raw bytes, not frames
	stdin      bool   // relay our stdin
	detachKeys []byte // with tty: the keys that end the session
}

// remoteSession is one relayed stream.
type remoteSession struct {
	g        *Globals
	s        *client.Stream
	restore  func() // our terminal's settings, with tty and stdin
	stopSigs func()
	detached atomic.Bool
	done     chan struct{}
	err      error
	once     sync.Once
}

// relayStream starts relaying s: our stdin to it (if asked; its end is
// the stream's write end closed), its output to our stdout and stderr.
// The caller ends it with wait, which restores the terminal.
func relayStream(g *Globals, s *client.Stream, o streamOptions) *remoteSession {
	rs := &remoteSession{g: g, s: s, done: make(chan struct{})}
	if o.tty && o.stdin && runtime.IsTerminal(os.Stdin) {
		if restore, err := runtime.MakeRaw(os.Stdin); err == nil {
			rs.restore = restore
			rs.stopSigs = restoreOnSignal(restore)
		}
	}
	if o.stdin {
		go rs.input(o)
	}
	go func() {
		defer close(rs.done)
		if o.tty {
			_, rs.err = io.Copy(g.Stdout, s.Reader)
		} else {
			rs.err = stdcopy.Demux(s.Reader, g.Stdout, g.Stderr)
		}
	}()
	return rs
}

// input copies our stdin to the stream, watching for the detach keys.
func (rs *remoteSession) input(o streamOptions) {
	var in io.Reader = os.Stdin
	if o.tty && len(o.detachKeys) > 0 {
		in = attach.NewEscapeReader(os.Stdin, o.detachKeys)
	}
	_, err := io.Copy(rs.s.Conn, in)
	if errors.Is(err, attach.ErrDetached) {
		rs.detached.Store(true)
		rs.s.Close() // ends the output's copy: the process runs on
		return
	}
	rs.s.CloseWrite()
}

// wait waits for the output to end (the process's end, or a detach), and
// gives the terminal back as it was.
func (rs *remoteSession) wait() (detached bool, err error) {
	<-rs.done
	rs.once.Do(func() {
		if rs.stopSigs != nil {
			rs.stopSigs()
		}
		if rs.restore != nil {
			rs.restore()
		}
	})
	if rs.detached.Load() {
		return true, nil
	}
	return false, rs.err
}

// close ends the session early (an error before its end): the terminal is
// restored at once.
func (rs *remoteSession) close() {
	rs.s.Close()
	rs.wait()
}

// restoreOnSignal restores our terminal before a signal that would end us
// does, and lets the signal end us as it would have: a terminal left in
// raw mode is a shell that no longer echoes. With a terminal, signals are
// not the container's (ctrl-c is a byte in raw mode), as in docker's client.
func restoreOnSignal(restore func()) (stop func()) {
	sigs := []os.Signal{unix.SIGTERM, unix.SIGHUP, unix.SIGINT, unix.SIGQUIT}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	go func() {
		sig, ok := <-ch
		if !ok {
			return
		}
		restore()
		signal.Reset(sigs...)
		unix.Kill(os.Getpid(), sig.(unix.Signal))
	}()
	return func() { signal.Stop(ch); close(ch) }
}

// watchSize sends our terminal's size to the daemon now and at each
// SIGWINCH, through the endpoint path (a container's or an exec's
// resize), while the session lasts. Off a terminal it does nothing.
func (rs *remoteSession) watchSize(path string) {
	if !runtime.IsTerminal(os.Stdin) {
		return
	}
	send := func() {
		rows, cols := runtime.TerminalSize(os.Stdin)
		if rows == 0 || cols == 0 {
			return
		}
		q := url.Values{"h": {strconv.Itoa(int(rows))}, "w": {strconv.Itoa(int(cols))}}
		rs.g.client.JSON("POST", path, q, nil, nil) // gone meanwhile: nothing to size
	}
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	send()
	go func() {
		for {
			select {
			case <-winch:
				send()
			case <-rs.done:
				signal.Stop(winch)
				return
			}
		}
	}()
}

// detachQuery adds the detach keys to an attach's query, as the user
// spelled them, when they are not the default.
func detachQuery(q url.Values, spec string) {
	if spec != "" && spec != attach.DefaultDetachKeys {
		q.Set("detachKeys", spec)
	}
}

// apiContainer is what start -a and attach read of a container first.
type apiContainer struct {
	ID         string `json:"Id"`
	Name       string
	Config     struct{ Tty, OpenStdin bool }
	State      struct{ Status string }
	HostConfig struct{ AutoRemove bool }
}

func inspectForAttach(g *Globals, ref string) (*apiContainer, error) {
	var c apiContainer
	if err := g.client.JSON("GET", containerPath(ref, "/json"), nil, nil, &c); err != nil {
		return nil, err
	}
	c.Name = strings.TrimPrefix(c.Name, "/")
	return &c, nil
}

// remoteStartCmd is start -a or -i through the daemon: one container,
// attached from its first byte (or attached to, if it runs already), as
// daemonless start does.
func remoteStartCmd(g *Globals, ref string, o attachOptions) error {
	c, err := inspectForAttach(g, ref)
	if err != nil {
		return err
	}
	o.stdin = o.stdin && c.Config.OpenStdin
	if engine.Status(c.State.Status) == engine.Paused {
		return engine.Check(engine.Paused, engine.ActAttach, c.Name)
	}
	cond := "next-exit"
	if c.HostConfig.AutoRemove {
		cond = "removed"
	}
	return remoteAttached(g, c.ID, c.Config.Tty, o, cond, true)
}

// remoteAttach is attach through the daemon: to a running container
// only, as daemonless attach (and docker's).
func remoteAttach(g *Globals, ref string, o attachOptions) error {
	c, err := inspectForAttach(g, ref)
	if err != nil {
		return err
	}
	if err := engine.Check(engine.Status(c.State.Status), engine.ActAttach, c.Name); err != nil {
		return err
	}
	o.stdin = o.stdin && c.Config.OpenStdin
	return remoteAttached(g, c.ID, c.Config.Tty, o, "not-running", false)
}

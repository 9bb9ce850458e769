// Chapter 06's attach: `mydocker attach`, `start -a [-i]` and a foreground
// `run --restart`, all clients of the container's monitor over its socket
// (mydocker/attach). The client relays its stdio, its terminal's size and
// (without a terminal) its signals; with a terminal it watches for the
// detach keys, which end the session and leave the container running.

package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/monitor"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

// proxiedSignals are those an attached client passes on to the container
// (--sig-proxy), as docker's ForwardAllSignals does for the usual ones.
var proxiedSignals = []os.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGUSR1, unix.SIGUSR2}

// attachOptions say what a client attaches.
type attachOptions struct {
	stdin      bool   // relay our stdin (the container must have -i)
	detachKeys []byte // with a terminal
	keySpec    string // detachKeys as the user spelled them, for a daemon (chapter 09)
	sigProxy   bool
}

func attachCmd(g *Globals, args []string) error {
	var noStdin bool
	sigProxy := true
	keys := attach.DefaultDetachKeys
	fs := NewFlagSet("attach")
	fs.String(&keys, "detach-keys", "", "string", `override the key sequence for detaching a container (default "ctrl-p,ctrl-q")`)
	fs.Bool(&noStdin, "no-stdin", "", "do not attach STDIN")
	fs.Bool(&sigProxy, "sig-proxy", "", "proxy all received signals to the process (default true)")
	refs, err := parse(g, fs, args, 1, 1)
	if err != nil {
		return err
	}
	detachKeys, err := attach.ParseDetachKeys(keys)
	if err != nil {
		return err
	}
	if g.client != nil { // chapter 09
		return remoteAttach(g, refs[0], attachOptions{stdin: !noStdin, detachKeys: detachKeys, keySpec: keys, sigProxy: sigProxy})
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	c, err := store.Get(refs[0])
	if err != nil {
		return err
	}
	if err := engine.Check(c.State.Status, engine.ActAttach, c.Name); err != nil {
		return err
	}
	conn, err := dialMonitor(store, c)
	if err != nil {
		return err
	}
	return session(g, store, c, conn, attachOptions{stdin: !noStdin && c.OpenStdin, detachKeys: detachKeys, sigProxy: sigProxy})
}

// dialMonitor connects to a running container's monitor.
func dialMonitor(store *engine.Store, c *engine.Container) (net.Conn, error) {
	conn, err := attach.Dial(store.Dir(c.ID))
	if errors.Is(err, attach.ErrNoMonitor) {
		if c.MonitorAlive() {
			return nil, fmt.Errorf("cannot attach to container %s: it runs in the foreground of its mydocker run, which has no socket: attach works on containers started by run -d, start, or run --restart", c.Name)
		}
		return nil, fmt.Errorf("You cannot attach to a stopped container, start it first")
	}
	return conn, err
}

// startAttached starts a stopped container with the caller attached from
// the first byte (`start -a`, a foreground `run --restart`), and returns
// once the first run is over, with its exit code, or once detached.
func startAttached(g *Globals, store *engine.Store, c *engine.Container, o attachOptions) error {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socketpair", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "attach"), os.NewFile(uintptr(fds[1]), "attach")
	conn, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		theirs.Close()
		return err
	}
	done := make(chan error, 1)
	go func() { done <- session(g, store, c, conn, o) }()
	_, err = monitor.SpawnAttached(g.DataRoot, c.ID, theirs)
	theirs.Close()
	if err != nil {
		conn.Close()
		<-done // the terminal is restored
		return err
	}
	return <-done
}

// session relays the container's stdio until the run ends (its exit code
// becomes ours) or the user detaches (exit 0, the container runs on).
func session(g *Globals, store *engine.Store, c *engine.Container, conn net.Conn, o attachOptions) error {
	defer conn.Close()
	tty := c.Config.TTY
	streams := attach.Streams{Stdout: g.Stdout, Stderr: g.Stderr}
	if o.stdin {
		streams.Stdin = os.Stdin
	}
	if tty {
		streams.DetachKeys = o.detachKeys
		if runtime.IsTerminal(os.Stdin) {
			if o.stdin {
				if restore, err := runtime.MakeRaw(os.Stdin); err == nil {
					defer restore()
				}
			}
			stop := relayResize(conn)
			defer stop()
		}
	} else if o.sigProxy {
		sigs := make(chan os.Signal, 16)
		signal.Notify(sigs, proxiedSignals...)
		defer signal.Stop(sigs)
		go func() {
			for s := range sigs {
				engine.Signal(store, c.ID, s.(unix.Signal))
			}
		}()
	}
	code, _, err := attach.Session(conn, streams)
	if err != nil {
		return err
	}
	if code != 0 {
		return &statusError{code}
	}
	return nil
}

// relayResize sends our terminal's size now and at each SIGWINCH.
func relayResize(conn net.Conn) (stop func()) {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	send := func() {
		if rows, cols := runtime.TerminalSize(os.Stdin); rows > 0 {
			attach.WriteFrame(conn, attach.Resize, attach.ResizePayload(rows, cols))
		}
	}
	send()
	go func() {
		for range winch {
			send()
		}
	}()
	return func() { signal.Stop(winch); close(winch) }
}

// Detaching from a daemonless `exec -it`, as from Docker's: the detach
// keys (ctrl-p ctrl-q, or --detach-keys) leave the command running and
// `mydocker exec` exits 0.
//
// Two things must outlive `mydocker exec` then. The terminal: its master
// side is ours, and closed it hangs up on the command; the container's
// monitor takes it, as it takes an `exec -dt`'s (a Hold frame, answered).
// And the command's parent: forked from here it would be ours, and our
// exit would hand it to the host's reaper; so the command is started by a
// go-between inside the container (runtime's gobetween_linux.go, way
// "wait") that waits for it and exits with its code, or, once we cut its
// leash (a socket: we close our end), exits at once and leaves the command
// to the container's init.
//
// A container in the foreground of its `mydocker run` has no monitor to
// take the terminal: there the keys are plain input, as they are to that
// `run -it` itself, and the command is our child as before.

package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

// detacher watches an `exec -it`'s keys for the detach keys, and detaches.
// A nil detacher detaches nothing: the keys pass through.
type detacher struct {
	ref, dir string
	seq      []byte   // the detach keys
	leash    *os.File // the go-between's end, until it started (o.Leash)
	cut      *os.File // our end: closed, the go-between lets go
	master   *os.File
	gone     atomic.Bool
}

// newDetacher is a detacher for an exec into container ref, or nil when
// the container has no monitor.
func newDetacher(store *engine.Store, ref string, keys []byte) (*detacher, error) {
	c, err := store.Get(ref)
	if err != nil {
		return nil, err
	}
	dir := store.Dir(c.ID)
	conn, err := attach.Dial(dir)
	if errors.Is(err, attach.ErrNoMonitor) {
		return nil, nil // in the foreground of its run, or not running (Exec says so)
	}
	if err != nil {
		return nil, err
	}
	conn.Close()
	d := &detacher{ref: ref, dir: dir, seq: keys}
	if d.leash, d.cut, err = runtime.Leash(); err != nil {
		return nil, err
	}
	return d, nil
}

// started closes our copy of the go-between's end of the leash.
func (d *detacher) started() {
	if d != nil && d.leash != nil {
		d.leash.Close()
		d.leash = nil
	}
}

// close cuts the leash (a no-op once the go-between has ended).
func (d *detacher) close() {
	if d != nil {
		d.cut.Close()
	}
}

func (d *detacher) detached() bool { return d != nil && d.gone.Load() }

// keys is the reader of the keys to send to the terminal master: stdin,
// watched for the detach keys.
func (d *detacher) keys(stdin *os.File, master *os.File) io.Reader {
	if d == nil {
		return stdin
	}
	d.master = master
	return &detachReader{d: d, stdin: stdin, esc: attach.NewEscapeReader(stdin, d.seq)}
}

// detachReader is stdin up to the detach keys; then it detaches, or, if
// the monitor refuses the terminal, says so and goes on.
type detachReader struct {
	d     *detacher
	stdin *os.File
	esc   *attach.EscapeReader
}

func (r *detachReader) Read(p []byte) (int, error) {
	for {
		n, err := r.esc.Read(p)
		if !errors.Is(err, attach.ErrDetached) {
			return n, err
		}
		if err := r.d.detach(); err != nil {
			// The terminal is raw: \r for the line's start.
			fmt.Fprintf(os.Stderr, "\r\nmydocker: cannot detach: %v: still attached\r\n", err)
			r.esc = attach.NewEscapeReader(r.stdin, r.d.seq)
			continue
		}
		return 0, err
	}
}

// detach hands the terminal to the monitor, and once it holds it, cuts
// the leash: the go-between exits and `mydocker exec` with it, exit 0.
func (d *detacher) detach() error {
	conn, err := attach.Dial(d.dir)
	if err != nil {
		return fmt.Errorf("the monitor of container %s: %w", d.ref, err)
	}
	defer conn.Close()
	if err := attach.HoldTerminal(conn, d.master); err != nil {
		return fmt.Errorf("container %s: %w", d.ref, err)
	}
	d.gone.Store(true)
	d.cut.Close()
	return nil
}

// The socket and the client's side of a session. The socket's path is
// made through the container directory's descriptor (/proc/self/fd/N/...):
// a data root deep in the tree would make <dir>/attach.sock longer than
// the 108 bytes a unix socket's address may have.

package attach

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// ErrNoMonitor is Dial's error when nothing listens: the container has no
// monitor (it runs in the foreground of its `mydocker run`), or it ended.
var ErrNoMonitor = errors.New("no monitor listens")

// inDir calls fn with a short path to name in directory dir.
func inDir(dir, name string, fn func(path string) error) error {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	return fn(fmt.Sprintf("/proc/self/fd/%d/%s", fd, name))
}

// Listen makes the monitor's socket in the container's directory dir,
// mode 0600 (root's only, as the directory is). A socket left by a monitor
// that was killed is replaced.
func Listen(dir string) (*net.UnixListener, error) {
	var ln *net.UnixListener
	err := inDir(dir, Socket, func(path string) error {
		os.Remove(path)
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		if err != nil {
			return err
		}
		// The path names a descriptor that is closed on return: the
		// monitor removes the socket by its real path (Unlink).
		l.SetUnlinkOnClose(false)
		if err := os.Chmod(path, 0o600); err != nil {
			l.Close()
			os.Remove(path)
			return err
		}
		ln = l
		return nil
	})
	return ln, err
}

// Unlink removes the socket from dir.
func Unlink(dir string) {
	inDir(dir, Socket, os.Remove)
}

// Dial connects to the monitor of the container whose directory is dir.
func Dial(dir string) (*net.UnixConn, error) {
	var conn *net.UnixConn
	err := inDir(dir, Socket, func(path string) error {
		c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ECONNREFUSED) {
			return ErrNoMonitor
		}
		conn = c
		return err
	})
	return conn, err
}

// Streams are what a client attaches.
type Streams struct {
	Stdin          io.Reader // nil: no input (--no-stdin, or a container without -i)
	Stdout, Stderr io.Writer
	// DetachKeys end the session, leaving the container running: only
	// for a container with a terminal. Nil: none.
	DetachKeys []byte
}

// Session relays s over conn until the run is over, and returns its exit
// code; or until the user typed the detach keys: detached, code 0.
func Session(conn net.Conn, s Streams) (code int, detached bool, err error) {
	var gone atomic.Bool
	if s.Stdin != nil {
		go func() {
			in := NewEscapeReader(s.Stdin, s.DetachKeys)
			buf := make([]byte, 32<<10)
			for {
				n, err := in.Read(buf)
				if n > 0 && WriteFrame(conn, Stdin, buf[:n]) != nil {
					return
				}
				if errors.Is(err, ErrDetached) {
					gone.Store(true)
					conn.Close() // ends the reading below
					return
				}
				if err != nil {
					WriteFrame(conn, CloseStdin, nil)
					return
				}
			}
		}()
	}
	buf := make([]byte, MaxFrame)
	for {
		typ, p, err := ReadFrame(conn, buf)
		if err != nil {
			if gone.Load() {
				return 0, true, nil
			}
			return 0, false, fmt.Errorf("the monitor closed the connection: %w", err)
		}
		switch typ {
		case Stdout:
			s.Stdout.Write(p)
		case Stderr:
			s.Stderr.Write(p)
		case Exit:
			code, _ := ParseExit(p)
			return code, false, nil
		}
	}
}

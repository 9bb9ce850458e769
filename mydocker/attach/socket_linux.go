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
	"time"

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

// SendHold hands the monitor the master side of a terminal to hold: a
// Hold frame, whose header carries the descriptor (SCM_RIGHTS). The
// descriptor in flight keeps the terminal open: the caller may close its
// own copy at once.
func SendHold(conn *net.UnixConn, master *os.File) error {
	var h [headerSize]byte
	h[0] = Hold
	_, _, err := conn.WriteMsgUnix(h[:], unix.UnixRights(int(master.Fd())), nil)
	return err
}

// ErrHoldRefused is HoldTerminal's error when the monitor answers that it
// does not hold the terminal (it holds as many as it may already).
var ErrHoldRefused = errors.New("the monitor refused to hold the terminal")

// holdAnswerWait bounds the wait for a Held answer: a monitor that takes
// longer is stuck, and the caller must not hang with it.
const holdAnswerWait = 10 * time.Second

// HoldTerminal hands the monitor a terminal's master (SendHold) and waits
// for its answer (a Held frame), so that a refusal reaches the caller
// before it lets the terminal go: a terminal nobody holds hangs up on its
// command. Output frames that come first (the monitor broadcasts the
// container's to every client) are skipped; an Exit frame means the run
// ended, and the terminal is not held either. The connection stays open:
// the caller closes it.
func HoldTerminal(conn *net.UnixConn, master *os.File) error {
	if err := SendHold(conn, master); err != nil {
		return err
	}
	conn.SetReadDeadline(time.Now().Add(holdAnswerWait))
	buf := make([]byte, MaxFrame)
	for {
		typ, p, err := ReadFrame(conn, buf)
		if err != nil {
			return fmt.Errorf("the monitor's answer to Hold: %w", err)
		}
		switch typ {
		case Held:
			if len(p) > 0 {
				return fmt.Errorf("%w: %s", ErrHoldRefused, p)
			}
			return nil
		case Exit:
			return fmt.Errorf("%w: the container's run ended", ErrHoldRefused)
		}
	}
}

// ReadFrameFile is ReadFrame on a unix socket, which also returns the
// descriptor a Hold frame carries (nil for any other frame: whatever
// descriptors came with one are closed). The header is read with
// recvmsg(2): the kernel gives the descriptor with the first byte of the
// frame, and a plain read(2) would drop it. Only frames' exact lengths
// are ever read, so no read reaches into the next frame.
func ReadFrameFile(conn *net.UnixConn, buf []byte) (byte, []byte, *os.File, error) {
	var h [headerSize]byte
	oob := make([]byte, unix.CmsgSpace(4*4)) // room for a few descriptors, to close them
	n, oobn, _, _, err := conn.ReadMsgUnix(h[:], oob)
	if err != nil {
		return 0, nil, nil, err
	}
	files := receivedFiles(oob[:oobn])
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	if n == 0 {
		closeAll()
		return 0, nil, nil, io.EOF
	}
	typ, p, err := readFrame(conn, h[:], n, buf) // the rest as ReadFrame reads it
	if err != nil {
		closeAll()
		return 0, nil, nil, err
	}
	var f *os.File
	if typ == Hold && len(files) > 0 {
		f, files = files[0], files[1:]
	}
	closeAll()
	return typ, p, f, nil
}

// receivedFiles are the descriptors of SCM_RIGHTS messages in oob.
func receivedFiles(oob []byte) []*os.File {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var files []*os.File
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			files = append(files, os.NewFile(uintptr(fd), "held"))
		}
	}
	return files
}

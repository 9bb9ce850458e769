// Package attach is the wire between a container's monitor and the clients
// attached to it (`mydocker attach`, `start -a`, a foreground `run
// --restart`; chapter 09's daemon for Docker's hijacked attach). The
// monitor listens on a unix socket in the container's directory, named
// Socket; a client connects and both sides speak in frames.
//
// A frame is Docker's stream header, eight bytes, then the payload:
//
//	[type, 0, 0, 0, size (uint32, big-endian)] payload (size bytes)
//
// Types 0, 1, 2 are Docker's own (stdcopy's stdin, stdout, stderr), so a
// non-tty container's two output streams stay apart on the wire; the rest
// are this engine's control messages:
//
//	Stdin      client → monitor  bytes for the container's stdin (or terminal)
//	Stdout     monitor → client  the container's stdout (all output with -t)
//	Stderr     monitor → client  the container's stderr
//	Resize     client → monitor  the client's terminal size: rows, cols (uint16 each)
//	CloseStdin client → monitor  the client's stdin ended (honoured with --stdin-once)
//	Exit       monitor → client  the run is over: its exit code (int32); the
//	                             monitor closes the connection after it
//	Hold       client → monitor  no payload; the master side of a terminal
//	                             comes with it (SCM_RIGHTS, as runc's console
//	                             socket passes one): the monitor holds it, and
//	                             empties it, while any process has it open
//	                             (`exec -dt`, see SendHold)
//	Held       monitor → client  the answer to a Hold: no payload if the
//	                             monitor holds the terminal, else why it
//	                             refused it (HoldTerminal)
//
// A frame larger than MaxFrame is refused: whoever sent it is dropped.
package attach

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Socket is the name of the monitor's socket in the container's directory.
const Socket = "attach.sock"

// Frame types.
const (
	Stdin      byte = 0
	Stdout     byte = 1
	Stderr     byte = 2
	Resize     byte = 3
	CloseStdin byte = 4
	Exit       byte = 5
	Hold       byte = 6
	Held       byte = 7
)

// MaxFrame bounds a frame's payload: a pipe's or a terminal's read is
// smaller, and a peer cannot make the other side hold more.
const MaxFrame = 64 << 10

// headerSize is Docker's stdcopy header: type, three zero bytes, size.
const headerSize = 8

// WriteFrame writes one frame. It is one write(2), so frames from several
// goroutines never interleave on a stream socket as long as each is one call.
func WriteFrame(w io.Writer, typ byte, p []byte) error {
	if len(p) > MaxFrame {
		return fmt.Errorf("attach frame of %d bytes: at most %d", len(p), MaxFrame)
	}
	buf := make([]byte, headerSize+len(p))
	buf[0] = typ
	binary.BigEndian.PutUint32(buf[4:], uint32(len(p)))
	copy(buf[headerSize:], p)
	_, err := w.Write(buf)
	return err
}

// ReadFrame reads one frame into buf (which must hold MaxFrame bytes) and
// returns its type and payload, a slice of buf.
func ReadFrame(r io.Reader, buf []byte) (byte, []byte, error) {
	var h [headerSize]byte
	return readFrame(r, h[:], 0, buf)
}

// readFrame reads the rest of a frame whose header's first got bytes are
// in h already: the header's remainder, then the payload into buf.
func readFrame(r io.Reader, h []byte, got int, buf []byte) (byte, []byte, error) {
	if _, err := io.ReadFull(r, h[got:]); err != nil {
		if got > 0 {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[4:])
	if n > MaxFrame || int(n) > len(buf) {
		return 0, nil, fmt.Errorf("attach frame of %d bytes: at most %d", n, MaxFrame)
	}
	if _, err := io.ReadFull(r, buf[:n]); err != nil {
		return 0, nil, io.ErrUnexpectedEOF
	}
	return h[0], buf[:n], nil
}

// ResizePayload is a Resize frame's payload.
func ResizePayload(rows, cols uint16) []byte {
	p := make([]byte, 4)
	binary.BigEndian.PutUint16(p, rows)
	binary.BigEndian.PutUint16(p[2:], cols)
	return p
}

// ParseResize reads a Resize frame's payload.
func ParseResize(p []byte) (rows, cols uint16, ok bool) {
	if len(p) != 4 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]), true
}

// ExitPayload is an Exit frame's payload.
func ExitPayload(code int) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(int32(code)))
}

// ParseExit reads an Exit frame's payload.
func ParseExit(p []byte) (int, bool) {
	if len(p) != 4 {
		return 0, false
	}
	return int(int32(binary.BigEndian.Uint32(p))), true
}

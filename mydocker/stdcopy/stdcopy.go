// Package stdcopy is Docker's multiplexed stream, the format of attach,
// logs and exec output when the container has no terminal: one connection
// carries stdout and stderr as frames, each an 8-byte header then the
// bytes,
//
//	[stream, 0, 0, 0, size (uint32, big-endian)] payload (size bytes)
//
// stream 0 is stdin, 1 stdout, 2 stderr (docker's pkg/stdcopy). The daemon
// writes frames (daemon.WriteFrame is this package's), the command line in
// client mode reads them (Demux). A leaf: both sides import it.
package stdcopy

import (
	"encoding/binary"
	"fmt"
	"io"
)

// The streams a frame's first byte names.
const (
	Stdin  = 0
	Stdout = 1
	Stderr = 2
)

// WriteFrame writes p as one frame of stream.
func WriteFrame(w io.Writer, stream byte, p []byte) error {
	var hdr [8]byte
	hdr[0] = stream
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(p)))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err := w.Write(p)
	return err
}

// ReadFrame reads one frame: its stream and payload. A payload larger than
// max is refused before it is read (a hostile peer could name 4 GiB), and
// a stream other than 0, 1, 2 is an error. At the end of r it returns
// io.EOF; in the middle of a frame, io.ErrUnexpectedEOF.
func ReadFrame(r io.Reader, max int) (byte, []byte, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	if hdr[0] > Stderr {
		return 0, nil, fmt.Errorf("frame of unknown stream %d: not Docker's multiplexed stream", hdr[0])
	}
	size := binary.BigEndian.Uint32(hdr[4:])
	if uint64(size) > uint64(max) {
		return 0, nil, fmt.Errorf("frame of %d bytes: more than the %d allowed", size, max)
	}
	p := make([]byte, size)
	if _, err := io.ReadFull(r, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return hdr[0], p, nil
}

// MaxFrame bounds one frame a reader accepts: the daemon writes what one
// read of a pipe gave (at most 32 KiB); a megabyte leaves room.
const MaxFrame = 1 << 20

// Demux copies the frames of r to stdout and stderr until r ends. A
// stream that ends between frames is the normal end (nil).
func Demux(r io.Reader, stdout, stderr io.Writer) error {
	for {
		stream, p, err := ReadFrame(r, MaxFrame)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		w := stdout
		if stream == Stderr {
			w = stderr
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
}

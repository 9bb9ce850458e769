// Lab 09: Docker's multiplexed stream.
//
// Without a terminal, `docker run`, `docker logs` and `docker exec` read
// the container's stdout and stderr from one connection: the daemon cuts
// them into frames, each an 8-byte header and the bytes. Write both
// halves. This file is the only one you edit. Run the checker with
//
//	make lab N=09
//
// Chapter 09's README (chapters/09-daemon/README.md, "Hijacking and the
// multiplexed stream") gives the format. The daemon's own version is
// mydocker/daemon/frames.go, but try first without it. This file may use
// the standard library only.
package lab09

import (
	"errors"
	"io"
)

// WriteFrame writes p as one frame of stream: 0 stdin, 1 stdout, 2 stderr.
//
// HINT: [stream, 0, 0, 0, size as 4 bytes, big-endian], then p
// (encoding/binary's BigEndian.PutUint32).
func WriteFrame(w io.Writer, stream byte, p []byte) error {
	// TODO: lab09: not implemented.
	return errors.New("lab09: not implemented")
}

// ReadFrame reads one frame and returns its stream and payload. It refuses
// a payload over max bytes before reading it, and a stream other than 0,
// 1, 2. At the end of r it returns io.EOF; inside a frame,
// io.ErrUnexpectedEOF.
//
// HINT: io.ReadFull reads exactly what it is asked, or says why not.
func ReadFrame(r io.Reader, max int) (byte, []byte, error) {
	// TODO: lab09: not implemented.
	return 0, nil, errors.New("lab09: not implemented")
}

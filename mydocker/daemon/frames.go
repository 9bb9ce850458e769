// Docker's multiplexed stream, the format of attach, logs and exec output
// when the container has no terminal: one connection carries stdout and
// stderr as frames, each an 8-byte header then the bytes,
//
//	[stream, 0, 0, 0, size (uint32, big-endian)] payload (size bytes)
//
// stream 0 is stdin, 1 stdout, 2 stderr (docker's pkg/stdcopy). The
// daemon writes frames (frameWriter); ReadFrame is the client's half, what
// docker's stdcopy.StdCopy does. The code is the leaf package
// mydocker/stdcopy's, which the command line reads frames with in client
// mode. The monitor's wire (mydocker/attach, chapter 06) uses the same
// header with more types; the daemon decodes it, drops Exit, and
// re-encodes with WriteFrame. Lab 09 writes both halves;
// daemontest.CheckFrames holds them to these.

package daemon

import (
	"io"

	"github.com/mydocker/mydocker/mydocker/stdcopy"
)

// WriteFrame writes p as one frame of stream.
func WriteFrame(w io.Writer, stream byte, p []byte) error { return stdcopy.WriteFrame(w, stream, p) }

// ReadFrame reads one frame: its stream and payload. A payload larger than
// max is refused before it is read, and a stream other than 0, 1, 2 is an
// error. At the end of r it returns io.EOF; in the middle of a frame,
// io.ErrUnexpectedEOF.
func ReadFrame(r io.Reader, max int) (byte, []byte, error) { return stdcopy.ReadFrame(r, max) }

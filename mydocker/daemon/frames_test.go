package daemon

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/mydocker/mydocker/mydocker/daemon/daemontest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

func TestFrames(t *testing.T) {
	daemontest.CheckFrames(t, daemontest.Framer{Write: WriteFrame, Read: ReadFrame})
}

// Wrong answers to lab 09: the checker must fail each, for its reason.
var wrongFramers = map[string]struct {
	f    daemontest.Framer
	want string
}{
	// The size is big-endian, as Docker's stdcopy writes it.
	"size little-endian": {daemontest.Framer{
		Write: func(w io.Writer, stream byte, p []byte) error {
			h := [8]byte{stream}
			binary.LittleEndian.PutUint32(h[4:], uint32(len(p)))
			if _, err := w.Write(h[:]); err != nil {
				return err
			}
			_, err := w.Write(p)
			return err
		},
		Read: ReadFrame,
	}, "want the size big-endian"},
	// A stream the format does not have is an error, not a frame.
	"any stream taken": {daemontest.Framer{
		Write: WriteFrame,
		Read: func(r io.Reader, max int) (byte, []byte, error) {
			var h [8]byte
			if _, err := io.ReadFull(r, h[:]); err != nil {
				return 0, nil, err
			}
			n := binary.BigEndian.Uint32(h[4:])
			if int64(n) > int64(max) {
				return 0, nil, io.ErrShortBuffer
			}
			p := make([]byte, n)
			if _, err := io.ReadFull(r, p); err != nil {
				return 0, nil, io.ErrUnexpectedEOF
			}
			return h[0], p, nil
		},
	}, "Read(stream 7) = nil, want any error"},
	// The size is checked before the payload is read or a buffer made.
	"no limit": {daemontest.Framer{
		Write: WriteFrame,
		Read: func(r io.Reader, max int) (byte, []byte, error) {
			return ReadFrame(r, 1<<40)
		},
	}, "a header naming 4 GiB"},
}

// The checker lab 09 is held to fails each wrong answer above.
func TestCheckerCatchesWrongFramers(t *testing.T) {
	if w := testenv.WrongAnswer(); w != "" {
		daemontest.CheckFrames(t, wrongFramers[w].f)
		return
	}
	for name, w := range wrongFramers {
		t.Run(name, func(t *testing.T) { testenv.CheckerFails(t, "TestCheckerCatchesWrongFramers", name, w.want) })
	}
}

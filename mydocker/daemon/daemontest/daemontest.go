// Package daemontest checks a reader and writer of Docker's multiplexed
// stream (mydocker/daemon/frames.go). The daemon's own (daemon.WriteFrame,
// daemon.ReadFrame) and lab 09 pass the same checker, so the lab cannot
// drift from the daemon.
package daemontest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// Framer is what the checker holds to Docker's format.
type Framer struct {
	// Write writes p as one frame of stream (0 stdin, 1 stdout, 2 stderr).
	Write func(w io.Writer, stream byte, p []byte) error
	// Read reads one frame, refusing a payload over max bytes.
	Read func(r io.Reader, max int) (byte, []byte, error)
}

// CheckFrames runs the checker's cases on f.
func CheckFrames(t *testing.T, f Framer) {
	t.Run("header", func(t *testing.T) {
		var buf bytes.Buffer
		if err := f.Write(&buf, 2, []byte("oops\n")); err != nil {
			t.Fatalf("Write(stderr, %q) = %v", "oops\n", err)
		}
		want := append([]byte{2, 0, 0, 0, 0, 0, 0, 5}, "oops\n"...)
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("Write(stderr, %q) wrote %v, want %v", "oops\n", buf.Bytes(), want)
		}
		buf.Reset()
		f.Write(&buf, 1, bytes.Repeat([]byte("x"), 0x10203))
		if got := buf.Bytes()[:8]; !bytes.Equal(got, []byte{1, 0, 0, 0, 0, 1, 2, 3}) {
			t.Errorf("Write(stdout, 66051 bytes) header = %v, want the size big-endian: [1 0 0 0 0 1 2 3]", got)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		var buf bytes.Buffer
		frames := []struct {
			stream byte
			data   string
		}{{1, "out\n"}, {2, "err\n"}, {1, ""}, {1, strings.Repeat("y", 70000)}}
		for _, fr := range frames {
			f.Write(&buf, fr.stream, []byte(fr.data))
		}
		for i, fr := range frames {
			s, p, err := f.Read(&buf, 1<<20)
			if err != nil || s != fr.stream || string(p) != fr.data {
				t.Fatalf("Read, frame %d = stream %d, %d bytes, %v; want stream %d, %d bytes", i, s, len(p), err, fr.stream, len(fr.data))
			}
		}
		if _, _, err := f.Read(&buf, 1<<20); err != io.EOF {
			t.Errorf("Read at the end = %v, want io.EOF", err)
		}
	})
	t.Run("hostile", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			in   []byte
			want error
		}{
			{"a header cut short", []byte{1, 0, 0}, io.ErrUnexpectedEOF},
			{"a payload cut short", []byte{1, 0, 0, 0, 0, 0, 0, 9, 'a'}, io.ErrUnexpectedEOF},
			{"4 GiB named", []byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, nil},
			{"stream 7", []byte{7, 0, 0, 0, 0, 0, 0, 1, 'a'}, nil},
		} {
			_, _, err := f.Read(bytes.NewReader(tt.in), 1<<20)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("Read(%s) = %v, want an error (%v)", tt.name, err, tt.want)
			}
		}
	})
}

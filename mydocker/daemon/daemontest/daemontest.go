// Package daemontest checks a reader and writer of Docker's multiplexed
// stream (mydocker/daemon/frames.go). The daemon's own (daemon.WriteFrame,
// daemon.ReadFrame) and lab 09 pass the same checker, so the lab cannot
// drift from the daemon.
package daemontest

import (
	"bytes"
	"errors"
	"io"
	"runtime"
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

// maxFrame is the max the checker passes to Read.
const maxFrame = 1 << 20

// CheckFrames runs the checker's cases on f.
func CheckFrames(t *testing.T, f Framer) {
	t.Run("header", func(t *testing.T) { checkHeader(t, f) })
	t.Run("round trip", func(t *testing.T) { checkRoundTrip(t, f) })
	t.Run("hostile", func(t *testing.T) { checkHostile(t, f) })
	t.Run("4 GiB named", func(t *testing.T) { checkHugeSize(t, f) })
}

func checkHeader(t *testing.T, f Framer) {
	var buf bytes.Buffer
	if err := f.Write(&buf, 2, []byte("oops\n")); err != nil {
		t.Fatalf("Write(stderr, %q) = %v, want nil", "oops\n", err)
	}
	want := append([]byte{2, 0, 0, 0, 0, 0, 0, 5}, "oops\n"...)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Write(stderr, %q) wrote %v, want %v", "oops\n", buf.Bytes(), want)
	}
	buf.Reset()
	if err := f.Write(&buf, 1, bytes.Repeat([]byte("x"), 0x10203)); err != nil {
		t.Fatalf("Write(stdout, 66051 bytes) = %v, want nil", err)
	}
	if buf.Len() < 8 {
		t.Fatalf("Write(stdout, 66051 bytes) wrote %d bytes, want an 8-byte header and the payload", buf.Len())
	}
	if got := buf.Bytes()[:8]; !bytes.Equal(got, []byte{1, 0, 0, 0, 0, 1, 2, 3}) {
		t.Errorf("Write(stdout, 66051 bytes) header = %v, want the size big-endian: [1 0 0 0 0 1 2 3]", got)
	}
	if buf.Len() != 8+0x10203 {
		t.Errorf("Write(stdout, 66051 bytes) wrote %d bytes, want %d (header and payload)", buf.Len(), 8+0x10203)
	}
}

func checkRoundTrip(t *testing.T, f Framer) {
	var buf bytes.Buffer
	frames := []struct {
		stream byte
		data   string
	}{{1, "out\n"}, {2, "err\n"}, {1, ""}, {1, strings.Repeat("y", 70000)}}
	for _, fr := range frames {
		if err := f.Write(&buf, fr.stream, []byte(fr.data)); err != nil {
			t.Fatalf("Write(stream %d, %d bytes) = %v, want nil", fr.stream, len(fr.data), err)
		}
	}
	for i, fr := range frames {
		s, p, err := f.Read(&buf, maxFrame)
		if err != nil || s != fr.stream || string(p) != fr.data {
			t.Fatalf("Read, frame %d = stream %d, %d bytes, %v; want stream %d, %d bytes, nil", i, s, len(p), err, fr.stream, len(fr.data))
		}
	}
	if _, _, err := f.Read(&buf, maxFrame); err != io.EOF {
		t.Errorf("Read at the end = %v, want io.EOF", err)
	}
}

func checkHostile(t *testing.T, f Framer) {
	for _, tt := range []struct {
		name string
		in   []byte
		want error // nil: any error
	}{
		{"a header cut short", []byte{1, 0, 0}, io.ErrUnexpectedEOF},
		{"a header alone", []byte{1, 0, 0, 0, 0, 0, 0, 5}, io.ErrUnexpectedEOF},
		{"a payload cut short", []byte{1, 0, 0, 0, 0, 0, 0, 9, 'a'}, io.ErrUnexpectedEOF},
		{"stream 7", []byte{7, 0, 0, 0, 0, 0, 0, 1, 'a'}, nil},
	} {
		_, _, err := f.Read(bytes.NewReader(tt.in), maxFrame)
		switch {
		case tt.want == nil && err == nil:
			t.Errorf("Read(%s) = nil, want any error", tt.name)
		case tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("Read(%s) = %v, want io.ErrUnexpectedEOF", tt.name, err)
		}
	}
}

// payloadReader serves a header, then counts every byte asked of it after
// the header, serving zeros up to limit and then io.EOF.
type payloadReader struct {
	header []byte
	asked  int64
	served int64
	limit  int64
}

func (r *payloadReader) Read(p []byte) (int, error) {
	if len(r.header) > 0 {
		n := copy(p, r.header)
		r.header = r.header[n:]
		return n, nil
	}
	r.asked += int64(len(p))
	if r.served >= r.limit {
		return 0, io.EOF
	}
	if int64(len(p)) > r.limit-r.served {
		p = p[:r.limit-r.served]
	}
	clear(p)
	r.served += int64(len(p))
	return len(p), nil
}

// checkHugeSize names 4 GiB in a header: the size must be refused before
// a byte of payload is read or a buffer for it made.
func checkHugeSize(t *testing.T, f Framer) {
	r := &payloadReader{header: []byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, limit: 4 * maxFrame}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := f.Read(r, maxFrame)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Errorf("Read(a header naming 4 GiB, max %d) = nil, want any error", maxFrame)
	}
	if r.asked > 0 {
		t.Errorf("Read(a header naming 4 GiB, max %d) asked for %d bytes of payload, want the size refused before reading it", maxFrame, r.asked)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4*maxFrame {
		t.Errorf("Read(a header naming 4 GiB, max %d) allocated %d bytes, want the size refused before allocating", maxFrame, grew)
	}
}

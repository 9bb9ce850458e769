package attach

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

func ExampleParseDetachKeys() {
	for _, s := range []string{"ctrl-p,ctrl-q", "ctrl-a,b", "ctrl-[,ctrl-@", "ctrl-pq", "meta-x"} {
		keys, err := ParseDetachKeys(s)
		fmt.Printf("%s: %q %v\n", s, keys, err != nil)
	}
	// Output:
	// ctrl-p,ctrl-q: "\x10\x11" false
	// ctrl-a,b: "\x01b" false
	// ctrl-[,ctrl-@: "\x1b\x00" false
	// ctrl-pq: "" true
	// meta-x: "" true
}

// oneByte reads one byte per Read, as a terminal in raw mode hands out keys.
type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

func TestEscapeReader(t *testing.T) {
	keys := []byte{0x10, 0x11} // ctrl-p ctrl-q
	tests := []struct {
		in       string
		want     string
		detached bool
	}{
		{"ls\n", "ls\n", false},
		{"ls\x10\x11rest", "ls", true},
		{"\x10a", "\x10a", false},      // a lone ctrl-p is passed through
		{"a\x10", "a\x10", false},      // and at the end of the stream too
		{"\x10\x10\x11", "\x10", true}, // the second ctrl-p starts the sequence
		{"x\x10\x11", "x", true},
	}
	for _, tt := range tests {
		for _, in := range []io.Reader{bytes.NewReader([]byte(tt.in)), oneByte{bytes.NewReader([]byte(tt.in))}} {
			got, err := io.ReadAll(NewEscapeReader(in, keys))
			if string(got) != tt.want || errors.Is(err, ErrDetached) != tt.detached {
				t.Errorf("EscapeReader(%q) = %q, %v, want %q, detached %v", tt.in, got, err, tt.want, tt.detached)
			}
		}
	}
}

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	WriteFrame(&buf, Stderr, []byte("oops\n"))
	WriteFrame(&buf, Exit, ExitPayload(-1))
	if got := buf.Bytes()[:8]; !bytes.Equal(got, []byte{2, 0, 0, 0, 0, 0, 0, 5}) {
		t.Errorf("header = %v, want Docker's stdcopy header for stderr, 5 bytes", got)
	}
	b := make([]byte, MaxFrame)
	typ, p, err := ReadFrame(&buf, b)
	if typ != Stderr || string(p) != "oops\n" || err != nil {
		t.Errorf("ReadFrame = %d %q %v", typ, p, err)
	}
	typ, p, _ = ReadFrame(&buf, b)
	if code, ok := ParseExit(p); typ != Exit || !ok || code != -1 {
		t.Errorf("ReadFrame exit = %d %v", typ, code)
	}
	huge := []byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}
	if _, _, err := ReadFrame(bytes.NewReader(huge), b); err == nil {
		t.Errorf("ReadFrame of a 4 GiB frame: no error")
	}
}

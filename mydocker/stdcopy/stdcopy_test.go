package stdcopy_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/stdcopy"
)

// The 8-byte header: the stream, three zeros, the size big-endian.
func ExampleWriteFrame() {
	var b bytes.Buffer
	stdcopy.WriteFrame(&b, stdcopy.Stderr, []byte("hi\n"))
	fmt.Printf("% x\n", b.Bytes())
	// Output: 02 00 00 00 00 00 00 03 68 69 0a
}

func ExampleDemux() {
	var b bytes.Buffer
	stdcopy.WriteFrame(&b, stdcopy.Stdout, []byte("out\n"))
	stdcopy.WriteFrame(&b, stdcopy.Stderr, []byte("err\n"))
	stdcopy.Demux(&b, os.Stdout, os.Stdout)
	// Output:
	// out
	// err
}

func TestDemuxRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"unknown stream", "\x07\x00\x00\x00\x00\x00\x00\x01x", "unknown stream 7"},
		{"huge frame", "\x01\x00\x00\x00\xff\xff\xff\xff", "more than the"},
		{"cut frame", "\x01\x00\x00\x00\x00\x00\x00\x05ab", "unexpected EOF"},
	} {
		err := stdcopy.Demux(strings.NewReader(tc.in), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Demux(%s) = %v, want %q", tc.name, err, tc.want)
		}
	}
}

package layer

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

func TestReadAhead(t *testing.T) {
	for _, size := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 5*chunkSize + 12345, 20 * chunkSize} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rand.IntN(256))
		}
		got, err := io.ReadAll(readAhead(io.NopCloser(bytes.NewReader(data))))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("readAhead of %d bytes: got %d bytes, %v", size, len(got), err)
		}
	}
	// An unexpected EOF stays one: it is how a truncated stream says so.
	r0 := readAhead(io.NopCloser(io.MultiReader(bytes.NewReader(make([]byte, 10)), &errReader{io.ErrUnexpectedEOF})))
	if _, err := io.ReadAll(r0); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("readAhead of a truncated source: %v, want io.ErrUnexpectedEOF", err)
	}
	boom := errors.New("boom")
	r := readAhead(io.NopCloser(io.MultiReader(bytes.NewReader(make([]byte, 3*chunkSize/2)), &errReader{boom})))
	if _, err := io.ReadAll(r); !errors.Is(err, boom) {
		t.Errorf("readAhead of a failing source: %v, want its error", err)
	}
	// Closing early stops the goroutine without reading everything.
	r = readAhead(io.NopCloser(bytes.NewReader(make([]byte, 100*chunkSize))))
	r.Read(make([]byte, 10))
	if err := r.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

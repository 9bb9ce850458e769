package image

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/digest"
)

// Decompress gives the same tar, and the same verdicts on a bad blob,
// through unpigz and through Go's gzip: pull must work either way, and
// Docker's hosts differ in whether unpigz is installed.
func TestDecompressWithAndWithoutUnpigz(t *testing.T) {
	data := make([]byte, 3<<20+12345) // more than one pipe buffer
	for i := range data {
		data[i] = byte(rand.IntN(16)) // compressible, and not trivially so
	}
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write(data)
	zw.Close()
	blob := zbuf.Bytes()
	flipped := bytes.Clone(blob)
	flipped[len(flipped)/2] ^= 0xff

	ways := []struct {
		name   string
		setup  func(t *testing.T)
		unpigz bool
	}{
		{"unpigz", func(t *testing.T) {
			if _, err := exec.LookPath("unpigz"); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatal("unpigz is not on the PATH (scripts/provision.sh installs pigz)")
				}
				t.Skip("unpigz is not on the PATH: install pigz to test Docker's way")
			}
		}, true},
		{"no unpigz on the PATH", func(t *testing.T) { t.Setenv("PATH", t.TempDir()) }, false},
		{"MYDOCKER_DISABLE_PIGZ=1", func(t *testing.T) { t.Setenv("MYDOCKER_DISABLE_PIGZ", "1") }, false},
	}
	for _, w := range ways {
		t.Run(w.name, func(t *testing.T) {
			w.setup(t)
			open := func(b []byte, tail error) io.ReadCloser {
				t.Helper()
				var src io.Reader = bytes.NewReader(b)
				if tail != nil {
					src = io.MultiReader(src, &failing{tail})
				}
				rc, err := Decompress(io.NopCloser(src), MediaTypeOCILayerGzip)
				if err != nil {
					t.Fatalf("Decompress: %v", err)
				}
				if _, used := rc.(*unpigzReader); used != w.unpigz {
					t.Fatalf("Decompress through unpigz = %v, want %v", used, w.unpigz)
				}
				return rc
			}

			rc := open(blob, nil)
			got, err := io.ReadAll(rc)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("Decompress(good blob) = %d bytes, %v; want the %d bytes back", len(got), err, len(data))
			}
			if err := rc.Close(); err != nil {
				t.Errorf("Close after the end = %v", err)
			}

			for _, bad := range []struct {
				name string
				blob []byte
			}{{"truncated", blob[:len(blob)-100]}, {"a flipped byte", flipped}, {"not gzip", []byte("hello, world, this is no gzip stream")}} {
				// Go's gzip finds a bad header in Decompress already.
				rc, err := Decompress(io.NopCloser(bytes.NewReader(bad.blob)), MediaTypeOCILayerGzip)
				if err == nil {
					_, err = io.ReadAll(rc)
					rc.Close()
				}
				if err == nil {
					t.Errorf("Decompress(%s blob): no error", bad.name)
				}
			}

			// The source's own error (a digest checked at the end of the
			// blob) is the one reported, not the decompressor's complaint.
			rc = open(blob[:len(blob)/2], digest.ErrDigestMismatch)
			if _, err := io.ReadAll(rc); !errors.Is(err, digest.ErrDigestMismatch) {
				t.Errorf("Decompress(blob whose reader fails with a digest mismatch) = %v, want digest.ErrDigestMismatch", err)
			}
			rc.Close()

			// Closed early (a layer over a limit), it ends at once, also
			// while another goroutine reads it (the layer store's
			// read-ahead does), whether or not that one is at the end.
			for _, stop := range []int{10, len(data) - 100, len(data)} {
				rc := open(blob, nil)
				reading, read := make(chan struct{}), make(chan struct{})
				go func() {
					defer close(read)
					io.ReadFull(rc, make([]byte, stop))
					close(reading)
					io.Copy(io.Discard, rc)
				}()
				<-reading
				done := make(chan error, 1)
				go func() { done <- rc.Close() }()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					t.Fatalf("Close after %d bytes, while another goroutine reads, did not return", stop)
				}
				select {
				case <-read:
				case <-time.After(10 * time.Second):
					t.Fatalf("a Read after %d bytes did not return once the reader was closed", stop)
				}
			}
		})
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

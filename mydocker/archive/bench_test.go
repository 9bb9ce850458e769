package archive_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
)

// BenchmarkApply extracts archivetest.BaseLayer into an empty directory, as the layer
// store does after a pull: from the tar ("tar"), and from the gzip blob a
// registry serves ("gzip", what `umoci unpack` and `docker pull` do).
// MYDOCKER_BENCH_LAYER=file also writes the tar there, to compare with other
// tools (make bench); MYDOCKER_BENCH_DIR=dir extracts there instead of in a
// temporary directory (a tmpfs, to leave the disk out of the figure).
//
// To compare with umoci: gzip the tar into an OCI layout by hand (oci-layout,
// index.json naming the manifest "bench", blobs/sha256/ with the layer, a
// config listing its DiffID, the manifest), then time
// `umoci raw unpack --image DIR:bench ROOTFS` (extraction only) and
// `umoci unpack --image DIR:bench BUNDLE` (plus config.json and an mtree
// manifest of the whole rootfs) against the "gzip" figure.
//
// The extracted trees are removed only at the end: ext4 without a journal
// skips inodes freed in the last 30 s when it allocates new ones, and
// deleting 20,000 files between runs makes the next run several times
// slower.
func BenchmarkApply(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("Apply needs root")
	}
	layer := archivetest.BaseLayer()
	if p := os.Getenv("MYDOCKER_BENCH_LAYER"); p != "" {
		if err := os.WriteFile(p, layer, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	// One directory for all runs, removed at the very end.
	base := b.TempDir()
	if d := os.Getenv("MYDOCKER_BENCH_DIR"); d != "" {
		var err error
		if base, err = os.MkdirTemp(d, "bench"); err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(base)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(layer)
	zw.Close()
	for _, bc := range []struct {
		name string
		open func() io.Reader
	}{
		{"tar", func() io.Reader { return bytes.NewReader(layer) }},
		{"gzip", func() io.Reader {
			zr, err := gzip.NewReader(bytes.NewReader(gz.Bytes()))
			if err != nil {
				panic(err)
			}
			return zr
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(layer)))
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				dir, err := os.MkdirTemp(base, "layer")
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				_, err = archive.Apply(dir, bc.open(), archive.Options{Whiteouts: archive.OverlayWhiteouts})
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

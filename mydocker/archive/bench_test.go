package archive_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/archive"
)

// benchLayer is a synthetic layer shaped like a distribution's base image:
// 20,000 files in 525 directories, about 100 MB, most files small, a few
// hundred symlinks and hardlinks. Made once, the same every run.
var benchLayer = sync.OnceValue(func() []byte {
	rng := rand.New(rand.NewPCG(4, 2))
	pool := make([]byte, 1<<20)
	for i := range pool {
		pool[i] = byte(rng.Uint32())
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	write := func(hdr *tar.Header, body []byte) {
		hdr.Mode, hdr.ModTime = 0o644, archiveEpoch
		if hdr.Typeflag == tar.TypeDir {
			hdr.Mode = 0o755
		}
		hdr.Size = int64(len(body))
		if err := tw.WriteHeader(hdr); err != nil {
			panic(err)
		}
		tw.Write(body)
	}
	for d := range 25 {
		top := fmt.Sprintf("usr%02d/", d)
		write(&tar.Header{Name: top, Typeflag: tar.TypeDir}, nil)
		for s := range 20 {
			sub := fmt.Sprintf("%slib%02d/", top, s)
			write(&tar.Header{Name: sub, Typeflag: tar.TypeDir}, nil)
			for f := range 40 {
				name := fmt.Sprintf("%sfile%02d", sub, f)
				switch r := rng.IntN(200); {
				case r == 0 && f > 0:
					write(&tar.Header{Name: name, Typeflag: tar.TypeLink, Linkname: fmt.Sprintf("%sfile%02d", sub, f-1)}, nil)
					continue
				case r < 3:
					write(&tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: "../lib00/file00"}, nil)
					continue
				}
				var size int
				switch p := rng.Float64(); {
				case p < 0.6:
					size = rng.IntN(2 << 10)
				case p < 0.9:
					size = 2<<10 + rng.IntN(6<<10)
				case p < 0.99:
					size = 8<<10 + rng.IntN(24<<10)
				default:
					size = 32<<10 + rng.IntN(224<<10)
				}
				off := rng.IntN(len(pool) - size)
				write(&tar.Header{Name: name, Typeflag: tar.TypeReg}, pool[off:off+size])
			}
		}
	}
	tw.Close()
	return buf.Bytes()
})

var archiveEpoch = time.Date(2020, 2, 2, 2, 2, 2, 0, time.UTC)

// BenchmarkApply extracts benchLayer into an empty directory, as the layer
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
	layer := benchLayer()
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

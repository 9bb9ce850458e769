// A layer to measure with: what the archive and layer benchmarks unpack.

package archivetest

import (
	"archive/tar"
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// BaseLayer is a synthetic layer shaped like a distribution's base image:
// 20,000 files in 525 directories, about 100 MB, most files small, a few
// hundred symlinks and hardlinks. Made once, the same every run: the
// benchmarks of archive and layer unpack it.
var BaseLayer = sync.OnceValue(func() []byte {
	rng := rand.New(rand.NewPCG(4, 2))
	pool := make([]byte, 1<<20)
	for i := range pool {
		pool[i] = byte(rng.Uint32())
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	write := func(hdr *tar.Header, body []byte) {
		hdr.Mode, hdr.ModTime = 0o644, baseLayerEpoch
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

var baseLayerEpoch = time.Date(2020, 2, 2, 2, 2, 2, 0, time.UTC)

package tarball

import (
	"archive/tar"
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mydocker/mydocker/mydocker/image"
)

// bigTarball writes a tarball whose one image has a layer of size bytes
// (incompressible, so the blob is as big) and returns its path.
func bigTarball(b *testing.B, size int) string {
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	tw.WriteHeader(&tar.Header{Name: "blob", Mode: 0o644, Size: int64(size), Typeflag: tar.TypeReg})
	io.CopyN(tw, rand.NewChaCha8([32]byte{}), int64(size))
	tw.Close()
	l, err := image.LayerFromTar(layer.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	img, err := image.Build(image.ConfigFile{}, []image.Layer{l})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "big.tar")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := Write(f, []Entry{{RepoTags: []string{"big:1"}, Image: img}}); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpen opens a tarball with a 256 MiB layer: indexing seeks over
// the blob instead of reading it, so this costs the same for any size.
func BenchmarkOpen(b *testing.B) {
	path := bigTarball(b, 256<<20)
	b.ResetTimer()
	for b.Loop() {
		tb, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		tb.Close()
	}
}

// BenchmarkReadLayer reads (and verifies) the 256 MiB layer, compressed:
// the price of Open plus one pass over the blob.
func BenchmarkReadLayer(b *testing.B) {
	path := bigTarball(b, 256<<20)
	b.SetBytes(256 << 20)
	b.ResetTimer()
	for b.Loop() {
		tb, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		layers, _ := tb.Entries[0].Image.Layers()
		r, _ := layers[0].Compressed()
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
		tb.Close()
	}
}

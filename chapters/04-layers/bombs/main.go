// Command bombs writes the hostile layers of chapter 04's "Bombs, and the
// limits on a layer" as `docker save` tarballs, for a student to load:
//
//	go run ./chapters/04-layers/bombs DIR
//
// gzip-64m.tar is 64 MiB of zeros in about 66 KB of gzip; sparse-1t.tar and
// sparse-1g.tar each hold one PAX sparse file, of 1 TiB and of 1 GiB, in a
// few hundred bytes. The layers are the ones the chapter's tests load
// (mydocker/archive/archivetest, GzipBomb and SparseTar).
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/tarball"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./chapters/04-layers/bombs DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	bombs := []struct {
		file, tag string
		blob      []byte
	}{
		{"gzip-64m.tar", "bomb:64m", archivetest.GzipBomb(16, 4<<20)},
		{"sparse-1t.tar", "sparse:1t", gzipped(archivetest.SparseTar(1<<40, "big"))},
		{"sparse-1g.tar", "sparse:1g", gzipped(archivetest.SparseTar(1<<30, "big"))},
	}
	for _, b := range bombs {
		if err := save(filepath.Join(dir, b.file), b.tag, b.blob); err != nil {
			fmt.Fprintf(os.Stderr, "bombs: %s: %v\n", b.file, err)
			os.Exit(1)
		}
	}
}

// save writes a `docker save` tarball of an image whose one layer is blob,
// a gzipped tar, tagged tag.
func save(path, tag string, blob []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return err
	}
	diff := digest.NewDigester()
	if _, err := io.Copy(diff, zr); err != nil {
		return err
	}
	blobPath := path + ".layer"
	if err := os.WriteFile(blobPath, blob, 0o644); err != nil {
		return err
	}
	defer os.Remove(blobPath)
	l := image.LayerFromBlob(blobPath, digest.FromBytes(blob), diff.Digest(), int64(len(blob)), image.MediaTypeOCILayerGzip)
	img, err := image.Build(image.ConfigFile{}, []image.Layer{l})
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := tarball.Write(f, []tarball.Entry{{RepoTags: []string{tag}, Image: img}}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func gzipped(tarBytes []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(tarBytes)
	zw.Close()
	return buf.Bytes()
}

// Bombs: layers that are small on the wire and huge on disk, for the
// tests of archive.Limits (the unit tests, and chapter 04's, which load
// them as images). A checker of limits needs them made, not downloaded.

package archivetest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"strconv"
)

// SparseTar is a layer of files stored as sparse in GNU's PAX format 1.0
// (as `tar --sparse --format=pax` writes them): each of size bytes, a
// hole but for "data" at offset 0. The layer is 3 KB a file whatever size
// says. Go's tar writer refuses GNU.sparse.* records, so they are written
// under a stand-in prefix of the same length and renamed in the bytes:
// the records' length fields stay right.
func SparseTar(size int64, names ...string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	// Format 1.0 stores the map at the start of the data: the number of
	// fragments, then each one's offset and length, a number a line,
	// padded to a block.
	sparseMap := []byte("1\n0\n4\n")
	body := append(append(sparseMap, make([]byte, 512-len(sparseMap))...), "data"...)
	for _, name := range names {
		hdr := &tar.Header{
			Name: "GNUSparseFile.0/" + name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)),
			PAXRecords: map[string]string{
				"XNU.sparse.major": "1", "XNU.sparse.minor": "0",
				"XNU.sparse.name": name, "XNU.sparse.realsize": strconv.FormatInt(size, 10),
			},
			Format: tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			panic(err)
		}
		tw.Write(body)
	}
	tw.Close()
	return bytes.ReplaceAll(buf.Bytes(), []byte(" XNU.sparse."), []byte(" GNU.sparse."))
}

// GzipBomb is a gzipped layer of files files of size bytes of zeros each:
// deflate shrinks zeros about 1,000 times.
func GzipBomb(files int, size int64) []byte {
	var blob bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&blob, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	for i := range files {
		tw.WriteHeader(&tar.Header{Name: "zeros" + strconv.Itoa(i), Typeflag: tar.TypeReg, Mode: 0o644, Size: size})
		io.CopyN(tw, zeros{}, size)
	}
	tw.Close()
	zw.Close()
	return blob.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

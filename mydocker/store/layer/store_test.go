package layer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

func requireRoot(t *testing.T) {
	testenv.RequireRoot(t, "unpacking sets owners")
}

// A layer must hash to its DiffID, whatever the stream does: here a gzip
// stream cut before its trailer, whose blob digest is its own (so it
// "verifies") and whose tar claims another layer's DiffID.
func TestUnpackChecksTheDiffID(t *testing.T) {
	requireRoot(t)
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	tw.WriteHeader(&tar.Header{Name: "planted", Mode: 0o644, Size: 5, Typeflag: tar.TypeReg})
	tw.Write([]byte("evil\n"))
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tarBuf.Bytes())
	zw.Close()
	blob := gz.Bytes()[:gz.Len()-8] // no trailer: gzip ends with io.ErrUnexpectedEOF
	path := filepath.Join(t.TempDir(), "blob")
	require.NoError(t, os.WriteFile(path, blob, 0o644))
	claimed := image.FromBytes([]byte("someone else's layer"))
	l := image.LayerFromBlob(path, image.FromBytes(blob), claimed, int64(len(blob)), image.MediaTypeOCILayerGzip)

	s, err := Open(t.TempDir())
	require.NoError(t, err)
	_, err = s.Unpack([]image.Layer{l}, nil)
	if err == nil {
		t.Fatalf("Unpack of a layer that does not hash to its DiffID = nil error")
	}
	if s.Has(claimed) {
		t.Errorf("the layer was stored under the DiffID it claimed")
	}
}

// A DiffID that is not a digest names no directory.
func TestUnpackRefusesInvalidDiffIDs(t *testing.T) {
	requireRoot(t)
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	bad := image.LayerFromBlob("/nonexistent", image.FromBytes(nil), image.Digest("sha256:../../outside"), 0, image.MediaTypeOCILayer)
	if _, err := s.Unpack([]image.Layer{bad}, nil); err == nil {
		t.Fatalf("Unpack with DiffID sha256:../../outside = nil error")
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "..", "outside")); err == nil {
		t.Errorf("a directory was made outside the layer store")
	}
}

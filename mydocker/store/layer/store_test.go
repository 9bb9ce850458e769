package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

func requireRoot(t *testing.T) {
	testenv.RequireRoot(t, "unpacking sets owners")
}

// A layer must hash to its DiffID whatever its reader does. unpack hashes
// the tar itself as it applies it, and relies on no reader below to have
// checked (image.Uncompress's VerifyReader checks too, but only if the
// stream reaches a clean end). So the first case gives unpack a reader that
// checks nothing and ends cleanly: only unpack's own hash can refuse it.
// The second is the whole path, Unpack of a well-formed gzip layer whose
// config claims another tar's DiffID.
func TestUnpackChecksTheDiffID(t *testing.T) {
	requireRoot(t)
	planted := tarOf(t, "planted", "evil\n")
	claimed := digest.FromBytes([]byte("someone else's layer"))

	t.Run("a reader that checks nothing", func(t *testing.T) {
		s, err := Open(t.TempDir())
		require.NoError(t, err)
		err = s.unpack(claimed, claimed, "", nil, func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(planted)), nil
		})
		if !errors.Is(err, digest.ErrDigestMismatch) {
			t.Errorf("unpack of a tar that does not hash to its DiffID = %v, want %v", err, digest.ErrDigestMismatch)
		}
		if s.Has(claimed) {
			t.Errorf("the layer was stored under the DiffID it claimed")
		}
	})

	t.Run("a layer whose config lies", func(t *testing.T) {
		s, err := Open(t.TempDir())
		require.NoError(t, err)
		real, err := image.LayerFromTar(planted)
		require.NoError(t, err)
		_, err = s.Unpack([]image.Layer{&fakeLayer{Layer: real, diffID: claimed}}, nil)
		if !errors.Is(err, digest.ErrDigestMismatch) {
			t.Errorf("Unpack of a layer that does not hash to its DiffID = %v, want %v", err, digest.ErrDigestMismatch)
		}
		if s.Has(claimed) {
			t.Errorf("the layer was stored under the DiffID it claimed")
		}
	})
}

// A DiffID that is not a digest names no directory: a hostile config's
// "sha256:../../outside" is refused before any layer of the image is read.
// The layers are real and readable, so nothing but that check can refuse
// them early (the tar's hash would refuse the bad one, but only after
// reading it, and after the good one below it was unpacked).
func TestUnpackRefusesInvalidDiffIDs(t *testing.T) {
	requireRoot(t)
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	base, err := image.LayerFromTar(tarOf(t, "base", "base\n"))
	require.NoError(t, err)
	top, err := image.LayerFromTar(tarOf(t, "top", "top\n"))
	require.NoError(t, err)
	const bad = digest.Digest("sha256:../../outside")
	layers := []*fakeLayer{{Layer: base}, {Layer: top, diffID: bad}}
	_, err = s.Unpack([]image.Layer{layers[0], layers[1]}, nil)
	if err == nil || !strings.Contains(err.Error(), "invalid digest") || !strings.Contains(err.Error(), string(bad)) {
		t.Fatalf("Unpack with DiffID %s = %v, want an invalid digest error naming it", bad, err)
	}
	for i, l := range layers {
		if l.opened > 0 {
			t.Errorf("layer %d was read before the DiffIDs were checked", i)
		}
	}
	if all, _ := s.List(); len(all) > 0 {
		t.Errorf("the store holds %d layer(s) of an image refused", len(all))
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "..", "outside")); err == nil {
		t.Errorf("a directory was made outside the layer store")
	}
}

// fakeLayer is a real layer that may claim another DiffID, and counts how
// often its blob is opened.
type fakeLayer struct {
	image.Layer
	diffID digest.Digest // "" keeps the layer's own
	opened int
}

func (l *fakeLayer) DiffID() (digest.Digest, error) {
	if l.diffID != "" {
		return l.diffID, nil
	}
	return l.Layer.DiffID()
}

func (l *fakeLayer) Compressed() (io.ReadCloser, error) {
	l.opened++
	return l.Layer.Compressed()
}

// tarOf is a tar of one regular file.
func tarOf(t *testing.T, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}))
	_, err := tw.Write([]byte(body))
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

package layout

import (
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
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/layout/tarfs"
)

func TestArchiveRoundTrip(t *testing.T) {
	busybox, alpine := imagetest.Image(t, "busybox", 3), imagetest.Image(t, "alpine", 2)
	idx, _ := multiPlatform(t)
	idxDigest, err := idx.Digest()
	require.NoError(t, err)
	var buf bytes.Buffer
	a := NewArchiveWriter(&buf)
	require.NoError(t, a.Add(busybox, map[string]string{AnnotationRefName: "busybox"}))
	require.NoError(t, a.Add(alpine, map[string]string{AnnotationRefName: "alpine"}))
	require.NoError(t, a.Add(busybox, map[string]string{AnnotationRefName: "busybox-again"}))
	require.NoError(t, a.AddIndex(idx, map[string]string{AnnotationRefName: "multi"}))
	require.NoError(t, a.Close())
	path := filepath.Join(t.TempDir(), "images.tar")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))

	fromFile, err := ReadArchive(path)
	require.NoError(t, err)
	defer fromFile.Close()
	fromStream, err := ReadArchiveFrom(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	defer fromStream.Close()
	for _, l := range []*Layout{fromFile, fromStream} {
		for name, want := range map[string]image.Image{"busybox": busybox, "busybox-again": busybox, "alpine": alpine} {
			got, err := l.ImageByRef(name)
			require.NoError(t, err, name)
			imagetest.Check(t, got)
			imagetest.Equal(t, got, want)
		}
		read, err := l.IndexAt(idxDigest)
		require.NoError(t, err)
		imagetest.CheckIndex(t, read)
		if err := l.Write(busybox, nil); !errors.Is(err, ErrReadOnly) {
			t.Errorf("Write to an archive = %v, want ErrReadOnly", err)
		}
	}

	// archive → directory → archive keeps every digest, and the bytes.
	dir, err := Create(t.TempDir())
	require.NoError(t, err)
	got, _ := fromFile.ImageByRef("busybox")
	require.NoError(t, dir.Write(got, map[string]string{AnnotationRefName: "busybox"}))
	again, _ := dir.ImageByRef("busybox")
	var buf2, buf3 bytes.Buffer
	require.NoError(t, WriteArchive(&buf2, busybox, map[string]string{AnnotationRefName: "busybox"}))
	require.NoError(t, WriteArchive(&buf3, again, map[string]string{AnnotationRefName: "busybox"}))
	if !bytes.Equal(buf2.Bytes(), buf3.Bytes()) {
		t.Errorf("WriteArchive of the same image read back from a layout made another archive")
	}
}

func TestBadArchives(t *testing.T) {
	img := imagetest.Image(t, "img", 1)
	var good bytes.Buffer
	require.NoError(t, WriteArchive(&good, img, map[string]string{AnnotationRefName: "img"}))
	m, _ := img.Manifest()
	layer := m.Layers[0].Digest
	// The layer's bytes, flipped in place in the tar.
	bad := bytes.Clone(good.Bytes())
	blob, _ := img.Layers()
	rc, _ := blob[0].Compressed()
	lb, _ := io.ReadAll(rc)
	at := bytes.Index(bad, lb)
	require.True(t, at > 0)
	bad[at+10] ^= 0xff

	tests := []struct {
		name string
		data []byte
		// "open" if ReadArchive must fail, "layer" if reading the layer must.
		at   string
		want error
	}{
		{"garbage", bytes.Repeat([]byte("garbage "), 300), "open", tarfs.ErrNotTar},
		{"truncated", good.Bytes()[:good.Len()/2], "open", tarfs.ErrNotTar},
		{"a tar but not a layout", imagetest.Tar(map[string]string{"hello": "world"}), "open", ErrNotLayout},
		{"a layer's bytes changed", bad, "layer", digest.ErrDigestMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.tar")
			require.NoError(t, os.WriteFile(path, tt.data, 0o644))
			l, err := ReadArchive(path)
			if tt.at == "layer" {
				require.NoError(t, err)
				defer l.Close()
				got, err2 := l.ImageByRef("img")
				require.NoError(t, err2)
				layers, _ := got.Layers()
				rc, _ := layers[0].Compressed()
				_, err = io.ReadAll(rc)
				if err == nil || !strings.Contains(err.Error(), string(layer)) {
					t.Errorf("reading the changed layer: error = %v, want one naming %s", err, layer)
				}
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
		})
	}
}

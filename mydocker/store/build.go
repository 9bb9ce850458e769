// Making new images in the store: `mydocker import` (a root filesystem tar
// becomes a one-layer image), `mydocker commit` (a container's writable
// layer becomes a new layer on top of its image), and `mydocker mkimage`
// (the built-in busybox). Each new layer is gzipped into a temp file while
// both its digests are computed on the way; the store then copies it in.

package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"time"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

// NewLayer compresses the layer tar r into a temp file in the store and
// returns it as a layer, with a function that removes the temp file.
func (s *Store) NewLayer(r io.Reader) (image.Layer, func(), error) {
	f, err := os.CreateTemp(s.layout.Dir(), ".tmp-layer-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	blob, diff := digest.NewDigester(), digest.NewDigester()
	zw, _ := gzip.NewWriterLevel(io.MultiWriter(f, blob), gzip.BestSpeed)
	if _, err := io.Copy(io.MultiWriter(zw, diff), s.layers.LimitReader(r)); err != nil {
		f.Close()
		cleanup()
		return nil, nil, err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		cleanup()
		return nil, nil, err
	}
	size, _ := f.Seek(0, io.SeekCurrent)
	if err := f.Close(); err != nil {
		cleanup()
		return nil, nil, err
	}
	return image.LayerFromBlob(f.Name(), blob.Digest(), diff.Digest(), size, image.MediaTypeOCILayerGzip), cleanup, nil
}

// Import makes a one-layer image of a root filesystem tar, named name.
func (s *Store) Import(name string, r io.Reader, cfg image.ConfigFile) (image.Image, error) {
	l, cleanup, err := s.NewLayer(r)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if cfg.Created == nil {
		now := time.Now().UTC()
		cfg.Created = &now
	}
	img, err := image.Build(cfg, []image.Layer{l})
	if err != nil {
		return nil, err
	}
	return img, s.putUnpacked(name, img)
}

// putUnpacked unpacks img's layers and stores it under name, as Docker
// does on import, load and commit: the first run needs no wait, and
// `images` can tell the image's size. Unpacking comes first: a layer over
// a limit (layer/limits_linux.go) leaves no image behind.
func (s *Store) putUnpacked(name string, img image.Image) error {
	if _, err := s.Unpack(img, nil); err != nil {
		return err
	}
	if name == "" {
		return s.layout.Write(img, nil)
	}
	return s.Put(name, img)
}

// Commit makes a new image of base plus the layer tar r (a container's
// changes), named name, recording how in its history.
func (s *Store) Commit(name string, base image.Image, r io.Reader, createdBy, comment string) (image.Image, error) {
	l, cleanup, err := s.NewLayer(r)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var cfg image.ConfigFile
	var layers []image.Layer
	if base != nil {
		c, err := base.ConfigFile()
		if err != nil {
			return nil, err
		}
		cfg = *c
		if layers, err = base.Layers(); err != nil {
			return nil, err
		}
	}
	now := time.Now().UTC()
	cfg.Created = &now
	cfg.History = append(cfg.History, image.History{Created: &now, CreatedBy: createdBy, Comment: comment})
	img, err := image.Build(cfg, append(layers, l))
	if err != nil {
		return nil, err
	}
	return img, s.putUnpacked(name, img)
}

// TarReader reads a root filesystem tar, gunzipping it if it is gzipped,
// and refuses what is not a tar at all (the ustar magic of its first
// header), so that no garbage becomes a layer.
func TarReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var in io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		br = bufio.NewReaderSize(zr, 1<<16)
		in = br
	}
	head, err := br.Peek(512)
	if err != nil || !bytes.Equal(head[257:262], []byte("ustar")) {
		return nil, errors.New("not a tar archive (no ustar header)")
	}
	return in, nil
}

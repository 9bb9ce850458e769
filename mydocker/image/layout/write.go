// Writing an image into a layout, blobs first: layers, then the config,
// then the manifest, and only then the index.json entry that names it. At
// every moment what index.json names is complete, and an interrupted Write
// leaves at worst some unnamed blobs, which GC collects.

package layout

import (
	"bytes"
	"fmt"
	"io"
	"maps"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

// blobSink is where writeImage puts blobs: a layout directory, or an
// archive being written.
type blobSink interface {
	// putBlob stores the blob d of size bytes unless the sink has it.
	putBlob(d digest.Digest, size int64, open func() (io.ReadCloser, error)) error
}

// Write stores img (the blobs the layout lacks, verified) and names it in
// index.json with annotations, typically {AnnotationRefName: "latest"}. An
// entry with the same ref.name is replaced: the name moves to img. With no
// ref.name, img is listed unnamed (once).
func (l *Layout) Write(img image.Image, annotations map[string]string) error {
	if err := l.writable(); err != nil {
		return err
	}
	unlock, err := l.lock(lockBlobs, shared)
	if err != nil {
		return err
	}
	defer unlock()
	desc, err := writeImage(dirSink{l}, img)
	if err != nil {
		return err
	}
	desc.Annotations = maps.Clone(annotations)
	return l.updateIndex(func(idx *image.IndexManifest) error {
		putEntry(idx, desc)
		return nil
	})
}

// WriteIndex stores a multi-platform image: every image idx lists (and
// every index, if idx can open nested ones), then idx itself, and names it
// in index.json as Write does. Every manifest idx lists must be readable:
// the layout gets the whole index or nothing named.
func (l *Layout) WriteIndex(idx image.Index, annotations map[string]string) error {
	if err := l.writable(); err != nil {
		return err
	}
	unlock, err := l.lock(lockBlobs, shared)
	if err != nil {
		return err
	}
	defer unlock()
	desc, err := writeIndex(dirSink{l}, idx, 0)
	if err != nil {
		return err
	}
	desc.Annotations = maps.Clone(annotations)
	return l.updateIndex(func(x *image.IndexManifest) error {
		putEntry(x, desc)
		return nil
	})
}

// nested is an index that can open the indexes it lists; image.Index has
// no such method (yet).
type nested interface {
	ImageIndex(d digest.Digest) (image.Index, error)
}

func writeIndex(sink blobSink, idx image.Index, depth int) (image.Descriptor, error) {
	raw, err := idx.RawManifest()
	if err != nil {
		return image.Descriptor{}, err
	}
	digest := digest.FromBytes(raw)
	m, err := image.ParseIndex(raw)
	if err != nil {
		return image.Descriptor{}, fmt.Errorf("index %s: %w", digest, err)
	}
	for _, child := range m.Manifests {
		switch {
		case image.IsManifest(child.MediaType):
			img, err := idx.Image(child.Digest)
			if err != nil {
				return image.Descriptor{}, fmt.Errorf("index %s: %w", digest, err)
			}
			if _, err := writeImage(sink, img); err != nil {
				return image.Descriptor{}, err
			}
		case image.IsIndex(child.MediaType):
			n, ok := idx.(nested)
			if !ok || depth > 4 {
				return image.Descriptor{}, fmt.Errorf("index %s: cannot open the nested index %s", digest, child.Digest)
			}
			sub, err := n.ImageIndex(child.Digest)
			if err != nil {
				return image.Descriptor{}, fmt.Errorf("index %s: %w", digest, err)
			}
			if _, err := writeIndex(sink, sub, depth+1); err != nil {
				return image.Descriptor{}, err
			}
		default:
			return image.Descriptor{}, fmt.Errorf("index %s: entry %s has media type %q, which mydocker cannot copy", digest, child.Digest, child.MediaType)
		}
	}
	if err := sink.putBlob(digest, int64(len(raw)), bytesOpener(raw)); err != nil {
		return image.Descriptor{}, fmt.Errorf("index %s: %w", digest, err)
	}
	mt, err := idx.MediaType()
	if err != nil {
		return image.Descriptor{}, err
	}
	return image.Descriptor{MediaType: mt, Digest: digest, Size: int64(len(raw))}, nil
}

type dirSink struct{ l *Layout }

func (s dirSink) putBlob(d digest.Digest, size int64, open func() (io.ReadCloser, error)) error {
	if s.l.HasBlob(d) {
		return nil // content-addressed: the same name is the same bytes
	}
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	return s.l.writeBlob(d, size, r)
}

// writeImage puts img's blobs into sink and returns the descriptor an
// index entry for it needs (without annotations).
func writeImage(sink blobSink, img image.Image) (image.Descriptor, error) {
	raw, err := img.RawManifest()
	if err != nil {
		return image.Descriptor{}, err
	}
	m, err := image.ParseManifest(raw)
	if err != nil {
		return image.Descriptor{}, fmt.Errorf("manifest: %w", err)
	}
	digest := digest.FromBytes(raw)
	layers, err := img.Layers()
	if err != nil {
		return image.Descriptor{}, fmt.Errorf("image %s: %w", digest, err)
	}
	if len(layers) != len(m.Layers) {
		return image.Descriptor{}, fmt.Errorf("image %s: %d layers, but its manifest lists %d", digest, len(layers), len(m.Layers))
	}
	// The manifest's descriptors are what the blobs must match: the layer
	// only supplies the bytes, and the sink verifies them.
	for i, desc := range m.Layers {
		if err := sink.putBlob(desc.Digest, desc.Size, layers[i].Compressed); err != nil {
			return image.Descriptor{}, fmt.Errorf("image %s: layer %d: %w", digest, i, err)
		}
	}
	config, err := img.RawConfig()
	if err != nil {
		return image.Descriptor{}, err
	}
	if err := sink.putBlob(m.Config.Digest, m.Config.Size, bytesOpener(config)); err != nil {
		return image.Descriptor{}, fmt.Errorf("image %s: config: %w", digest, err)
	}
	if err := sink.putBlob(digest, int64(len(raw)), bytesOpener(raw)); err != nil {
		return image.Descriptor{}, fmt.Errorf("image %s: manifest: %w", digest, err)
	}
	mt, err := img.MediaType()
	if err != nil {
		return image.Descriptor{}, err
	}
	desc := image.Descriptor{MediaType: mt, Digest: digest, Size: int64(len(raw))}
	// The platform is optional in an index entry; with it, the layout
	// says what it holds without opening the config.
	if cfg, err := image.ParseConfig(config); err == nil && cfg.OS != "" && cfg.Architecture != "" {
		desc.Platform = &image.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	}
	return desc, nil
}

func bytesOpener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

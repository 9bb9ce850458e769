// Images read from a layout. Image reads and verifies the manifest and the
// config at once (they are small, and a missing or corrupt one is best
// reported before anything starts); the layers stay on disk until a caller
// reads them, and are verified as they are read.

package layout

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

// DefaultPlatform is the platform ImageByRef picks from a multi-platform
// index: this machine's.
func DefaultPlatform() image.Platform {
	return image.Platform{OS: "linux", Architecture: runtime.GOARCH}
}

// ImageByRef reads the image called name in index.json (see Lookup). If the
// name is on a multi-platform index, the image for DefaultPlatform is read.
func (l *Layout) ImageByRef(name string) (image.Image, error) {
	desc, err := l.Lookup(name)
	if err != nil {
		return nil, err
	}
	img, err := l.Resolve(desc, DefaultPlatform())
	if err != nil {
		return nil, fmt.Errorf("image %q: %w", name, err)
	}
	return img, nil
}

// Resolve reads the image desc points at. If desc is an index, it picks p's
// manifest from it (and from indexes nested in it).
func (l *Layout) Resolve(desc image.Descriptor, p image.Platform) (image.Image, error) {
	for depth := 0; depth < 4; depth++ {
		if !image.IsIndex(desc.MediaType) {
			return l.image(desc.Digest, desc.Size)
		}
		idx, err := l.index(desc.Digest, desc.Size)
		if err != nil {
			return nil, err
		}
		if desc, err = SelectPlatform(idx.idx, p); err != nil {
			return nil, fmt.Errorf("index %s: %w", idx.digest, err)
		}
	}
	return nil, fmt.Errorf("index %s: indexes nested too deep", desc.Digest)
}

// Image reads the image whose manifest is the blob d.
func (l *Layout) Image(d digest.Digest) (image.Image, error) { return l.image(d, -1) }

// IndexAt reads the index (of a multi-platform image) that is the blob d.
func (l *Layout) IndexAt(d digest.Digest) (image.Index, error) { return l.index(d, -1) }

// probe is what tells a manifest from an index, whatever their media type.
type probe struct {
	MediaType string          `json:"mediaType"`
	Manifests json.RawMessage `json:"manifests"`
	Config    json.RawMessage `json:"config"`
}

func (l *Layout) image(d digest.Digest, size int64) (*layoutImage, error) {
	raw, err := l.readBlob(d, size)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", d, err)
	}
	if image.IsIndex(p.MediaType) || p.Manifests != nil {
		return nil, fmt.Errorf("manifest %s is an index of several images, not one: use IndexAt or Resolve", d)
	}
	m, err := image.ParseManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", d, err)
	}
	config, err := l.readBlob(m.Config.Digest, m.Config.Size)
	if err != nil {
		return nil, fmt.Errorf("image %s: config: %w", d, err)
	}
	cfg, err := image.ParseConfig(config)
	if err != nil {
		return nil, fmt.Errorf("image %s: config %s: %w", d, m.Config.Digest, err)
	}
	mt := m.MediaType
	if mt == "" {
		mt = image.MediaTypeOCIManifest // optional in OCI manifests
	}
	return &layoutImage{l: l, digest: d, raw: raw, m: m, config: config, cfg: cfg, mediaType: mt}, nil
}

// layoutImage is an image whose manifest and config have been read.
type layoutImage struct {
	l           *Layout
	digest      digest.Digest
	raw, config []byte
	m           *image.Manifest
	cfg         *image.ConfigFile
	mediaType   string
}

func (i *layoutImage) RawManifest() ([]byte, error)       { return i.raw, nil }
func (i *layoutImage) MediaType() (string, error)         { return i.mediaType, nil }
func (i *layoutImage) Digest() (digest.Digest, error)     { return i.digest, nil }
func (i *layoutImage) RawConfig() ([]byte, error)         { return i.config, nil }
func (i *layoutImage) ConfigName() (digest.Digest, error) { return i.m.Config.Digest, nil }

// Manifest and ConfigFile parse afresh, so callers may change what they get.
func (i *layoutImage) Manifest() (*image.Manifest, error)     { return image.ParseManifest(i.raw) }
func (i *layoutImage) ConfigFile() (*image.ConfigFile, error) { return image.ParseConfig(i.config) }

func (i *layoutImage) Layers() ([]image.Layer, error) {
	diffIDs := i.cfg.RootFS.DiffIDs
	if len(diffIDs) != len(i.m.Layers) {
		return nil, fmt.Errorf("image %s: manifest has %d layers, config lists %d diff_ids", i.digest, len(i.m.Layers), len(diffIDs))
	}
	layers := make([]image.Layer, len(i.m.Layers))
	for n, desc := range i.m.Layers {
		layers[n] = &layoutLayer{l: i.l, desc: desc, diffID: diffIDs[n]}
	}
	return layers, nil
}

// layoutLayer is a layer blob in the layout, read when asked for.
type layoutLayer struct {
	l      *Layout
	desc   image.Descriptor
	diffID digest.Digest
}

func (ll *layoutLayer) Digest() (digest.Digest, error) { return ll.desc.Digest, nil }
func (ll *layoutLayer) DiffID() (digest.Digest, error) { return ll.diffID, nil }
func (ll *layoutLayer) Size() (int64, error)           { return ll.desc.Size, nil }
func (ll *layoutLayer) MediaType() (string, error)     { return ll.desc.MediaType, nil }

func (ll *layoutLayer) Compressed() (io.ReadCloser, error) {
	r, err := ll.l.openBlob(ll.desc.Digest, ll.desc.Size)
	if err != nil && len(ll.desc.URLs) > 0 {
		// A "foreign" layer (Windows base layers) lives at its URLs, and
		// tools leave it out of layouts on purpose.
		return nil, fmt.Errorf("%w (a foreign layer, to fetch from %s)", err, ll.desc.URLs[0])
	}
	return r, err
}

func (ll *layoutLayer) Uncompressed() (io.ReadCloser, error) {
	r, err := ll.Compressed()
	if err != nil {
		return nil, err
	}
	return image.Uncompress(r, ll.desc.MediaType, ll.diffID)
}

// layoutIndex is an index (a multi-platform image) in the layout.
type layoutIndex struct {
	l         *Layout
	digest    digest.Digest
	raw       []byte
	idx       *image.IndexManifest
	mediaType string
}

func (l *Layout) index(d digest.Digest, size int64) (*layoutIndex, error) {
	raw, err := l.readBlob(d, size)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("index %s: %w", d, err)
	}
	if image.IsManifest(p.MediaType) || p.Config != nil {
		return nil, fmt.Errorf("index %s is the manifest of one image: use Image", d)
	}
	idx, err := image.ParseIndex(raw)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", d, err)
	}
	mt := idx.MediaType
	if mt == "" {
		mt = image.MediaTypeOCIIndex
	}
	return &layoutIndex{l: l, digest: d, raw: raw, idx: idx, mediaType: mt}, nil
}

func (x *layoutIndex) RawManifest() ([]byte, error)   { return x.raw, nil }
func (x *layoutIndex) MediaType() (string, error)     { return x.mediaType, nil }
func (x *layoutIndex) Digest() (digest.Digest, error) { return x.digest, nil }

func (x *layoutIndex) IndexManifest() (*image.IndexManifest, error) { return image.ParseIndex(x.raw) }

// Image reads a manifest the index lists.
func (x *layoutIndex) Image(d digest.Digest) (image.Image, error) {
	desc, err := x.child(d)
	if err != nil {
		return nil, err
	}
	return x.l.image(d, desc.Size)
}

// ImageIndex reads an index the index lists (indexes may nest).
func (x *layoutIndex) ImageIndex(d digest.Digest) (image.Index, error) {
	desc, err := x.child(d)
	if err != nil {
		return nil, err
	}
	return x.l.index(d, desc.Size)
}

func (x *layoutIndex) child(d digest.Digest) (image.Descriptor, error) {
	for _, desc := range x.idx.Manifests {
		if desc.Digest == d {
			return desc, nil
		}
	}
	return image.Descriptor{}, fmt.Errorf("index %s does not list %s: %w", x.digest, d, ErrNotFound)
}

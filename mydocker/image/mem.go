// Images built in memory: from a tar, a layer; from a config and layers, an
// image; from images and their platforms, an index. `mydocker import` and
// `commit` build images this way before a store keeps them, and tests build
// their fixtures (multi-platform ones too) with it.

package image

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/mydocker/mydocker/mydocker/digest"
)

// blobLayer is a layer whose compressed bytes are at hand, in memory or in
// a file.
type blobLayer struct {
	digest, diffID digest.Digest
	size           int64
	mediaType      string
	open           func() (io.ReadCloser, error) // the compressed bytes
}

func (l *blobLayer) Digest() (digest.Digest, error) { return l.digest, nil }
func (l *blobLayer) DiffID() (digest.Digest, error) { return l.diffID, nil }
func (l *blobLayer) Size() (int64, error)           { return l.size, nil }
func (l *blobLayer) MediaType() (string, error)     { return l.mediaType, nil }

func (l *blobLayer) Compressed() (io.ReadCloser, error) {
	r, err := l.open()
	if err != nil {
		return nil, err
	}
	return digest.VerifyReader(r, l.digest, l.size), nil
}

func (l *blobLayer) Uncompressed() (io.ReadCloser, error) {
	c, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	return Uncompress(c, l.mediaType, l.diffID)
}

// LayerFromTar makes a gzip-compressed layer of an uncompressed tar, in memory.
func LayerFromTar(tarBytes []byte) (Layer, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := zw.Write(tarBytes); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	blob := buf.Bytes()
	return &blobLayer{
		digest: digest.FromBytes(blob), diffID: digest.FromBytes(tarBytes), size: int64(len(blob)),
		mediaType: MediaTypeOCILayerGzip,
		open:      func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blob)), nil },
	}, nil
}

// LayerFromBlob is a layer whose compressed blob is the file at path, with
// its digests and media type already known.
func LayerFromBlob(path string, blob, diffID digest.Digest, size int64, mediaType string) Layer {
	return &blobLayer{digest: blob, diffID: diffID, size: size, mediaType: mediaType,
		open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// Uncompress turns a layer blob into its tar, by media type. If diffID is
// not empty, the tar is verified against it.
func Uncompress(r io.ReadCloser, mediaType string, diffID digest.Digest) (io.ReadCloser, error) {
	var out io.ReadCloser
	switch mediaType {
	case MediaTypeOCILayerGzip, MediaTypeDockerLayer, MediaTypeDockerForeign:
		zr, err := gzip.NewReader(r)
		if err != nil {
			r.Close()
			return nil, err
		}
		out = &readCloser{Reader: &gunzipReader{zr: zr, src: r}, close: r.Close}
	case MediaTypeOCILayer:
		out = r
	case MediaTypeOCILayerZstd:
		r.Close()
		return nil, ErrZstd
	default:
		r.Close()
		return nil, &UnknownMediaTypeError{mediaType}
	}
	if diffID != "" {
		out = digest.VerifyReader(out, diffID, -1)
	}
	return out, nil
}

// ErrZstd is returned for zstd-compressed layers: Go's standard library
// has no zstd decoder, and mydocker has no dependencies beyond it.
var ErrZstd = errors.New("zstd-compressed layers are not supported (Go's standard library has no zstd): use an image with gzip layers")

// UnknownMediaTypeError names a media type mydocker cannot read.
type UnknownMediaTypeError struct{ MediaType string }

func (e *UnknownMediaTypeError) Error() string {
	return "unknown media type " + e.MediaType
}

// gunzipReader explains a decompression error. A flipped byte usually
// breaks gzip before the blob's digest can be checked at its end; when gzip
// fails, the rest of the blob is read, and if its digest is wrong, that is
// the error reported: the blob is corrupt, not the format.
type gunzipReader struct {
	zr  *gzip.Reader
	src io.Reader
}

func (g *gunzipReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		if _, derr := io.Copy(io.Discard, g.src); errors.Is(derr, digest.ErrDigestMismatch) {
			return n, derr
		}
	}
	return n, err
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

// memImage is an image whose manifest and config are in memory.
type memImage struct {
	manifest, config []byte
	layers           []Layer
	mediaType        string
}

// Build assembles an image from a config and its layers: it fills in the
// config's rootfs from the layers' DiffIDs and writes an OCI manifest.
func Build(cfg ConfigFile, layers []Layer) (Image, error) {
	cfg.RootFS = RootFS{Type: "layers", DiffIDs: []digest.Digest{}}
	m := Manifest{SchemaVersion: 2, MediaType: MediaTypeOCIManifest, Layers: []Descriptor{}}
	for _, l := range layers {
		diffID, err := l.DiffID()
		if err != nil {
			return nil, err
		}
		d, _ := l.Digest()
		size, _ := l.Size()
		mt, _ := l.MediaType()
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, diffID)
		m.Layers = append(m.Layers, Descriptor{MediaType: mt, Digest: d, Size: size})
	}
	// An image made here (import, commit of nothing) is for this machine,
	// as Docker records it: the OS and CPU mydocker was built for.
	if cfg.OS == "" {
		cfg.OS = runtime.GOOS
	}
	if cfg.Architecture == "" {
		cfg.Architecture = runtime.GOARCH
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	m.Config = Descriptor{MediaType: MediaTypeOCIConfig, Digest: digest.FromBytes(config), Size: int64(len(config))}
	manifest, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return &memImage{manifest: manifest, config: config, layers: layers, mediaType: MediaTypeOCIManifest}, nil
}

// FromParts is an image made of a manifest, a config and layers already at
// hand, kept byte for byte (so its digest is unchanged).
func FromParts(manifest, config []byte, layers []Layer) (Image, error) {
	var m Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, err
	}
	mt := m.MediaType
	if mt == "" {
		mt = MediaTypeOCIManifest
	}
	return &memImage{manifest: manifest, config: config, layers: layers, mediaType: mt}, nil
}

func (i *memImage) RawManifest() ([]byte, error)       { return i.manifest, nil }
func (i *memImage) RawConfig() ([]byte, error)         { return i.config, nil }
func (i *memImage) MediaType() (string, error)         { return i.mediaType, nil }
func (i *memImage) Digest() (digest.Digest, error)     { return digest.FromBytes(i.manifest), nil }
func (i *memImage) ConfigName() (digest.Digest, error) { return digest.FromBytes(i.config), nil }
func (i *memImage) Layers() ([]Layer, error)           { return i.layers, nil }
func (i *memImage) Manifest() (*Manifest, error)       { return ParseManifest(i.manifest) }
func (i *memImage) ConfigFile() (*ConfigFile, error)   { return ParseConfig(i.config) }

// IndexEntry is one image of an index built by BuildIndex: the image, the
// platform it runs on (nil for none), and its descriptor's annotations.
type IndexEntry struct {
	Image       Image
	Platform    *Platform
	Annotations map[string]string
}

// memIndex is an index whose manifest and images are in memory.
type memIndex struct {
	raw    []byte
	images map[digest.Digest]Image
}

// BuildIndex assembles an OCI index listing the entries' images, in order,
// each under its platform and annotations: a multi-platform image, as a
// registry or a layout would serve it.
func BuildIndex(entries []IndexEntry) (Index, error) {
	x := &memIndex{images: map[digest.Digest]Image{}}
	m := IndexManifest{SchemaVersion: 2, MediaType: MediaTypeOCIIndex, Manifests: make([]Descriptor, 0, len(entries))}
	for i, e := range entries {
		raw, err := e.Image.RawManifest()
		if err != nil {
			return nil, fmt.Errorf("index entry %d: %w", i, err)
		}
		mt, err := e.Image.MediaType()
		if err != nil {
			return nil, fmt.Errorf("index entry %d: %w", i, err)
		}
		d := digest.FromBytes(raw)
		x.images[d] = e.Image
		m.Manifests = append(m.Manifests, Descriptor{MediaType: mt, Digest: d, Size: int64(len(raw)),
			Platform: e.Platform, Annotations: e.Annotations})
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	x.raw = raw
	return x, nil
}

func (x *memIndex) RawManifest() ([]byte, error)   { return x.raw, nil }
func (x *memIndex) MediaType() (string, error)     { return MediaTypeOCIIndex, nil }
func (x *memIndex) Digest() (digest.Digest, error) { return digest.FromBytes(x.raw), nil }

// IndexManifest is parsed afresh each call, so a caller that edits it
// cannot change the index.
func (x *memIndex) IndexManifest() (*IndexManifest, error) { return ParseIndex(x.raw) }

func (x *memIndex) Image(d digest.Digest) (Image, error) {
	if img, ok := x.images[d]; ok {
		return img, nil
	}
	return nil, fmt.Errorf("image %s: not in the index: %w", d, os.ErrNotExist)
}

// ParseManifest decodes a manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// ParseConfig decodes a config blob, and checks that its DiffIDs are
// digests: they name directories in the layer store.
func ParseConfig(b []byte) (*ConfigFile, error) {
	var c ConfigFile
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	for i, d := range c.RootFS.DiffIDs {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("config: diff_ids[%d]: %w", i, err)
		}
	}
	return &c, nil
}

// ParseIndex decodes an index or manifest list.
func ParseIndex(b []byte) (*IndexManifest, error) {
	var m IndexManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

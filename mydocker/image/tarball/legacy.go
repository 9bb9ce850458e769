// Images from Docker's legacy save layout (Docker 24 and before, and
// skopeo's docker-archive:). What is there is a config and the layers as
// files; what is not is the registry's manifest. So mydocker writes one:
// an OCI manifest listing each layer as it lies in the tarball.
//
// Layers are uncompressed tars in what Docker writes, and stay so: the
// layer's media type is the OCI uncompressed one and its Digest is its
// DiffID. Compressing them would invent bytes and digests no registry
// has seen; a push can compress later. Some producers gzip the layer files
// instead: those are recognised by their magic bytes and kept as they are.
// Either way the digests differ from the registry's: a legacy tarball
// cannot give the registry's digests back.

package tarball

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

// maxConfig bounds a config read into memory.
const maxConfig = 32 << 20

func legacyImage(fsys fs.FS, m manifestEntry) (image.Image, error) {
	config, err := readConfig(fsys, m.Config)
	if err != nil {
		return nil, err
	}
	cfg, err := image.ParseConfig(config)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", m.Config, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("config %s lists %d diff_ids, manifest.json %d layers", m.Config, len(cfg.RootFS.DiffIDs), len(m.Layers))
	}
	manifest := image.Manifest{
		SchemaVersion: 2,
		MediaType:     image.MediaTypeOCIManifest,
		Config:        image.Descriptor{MediaType: image.MediaTypeOCIConfig, Digest: digest.FromBytes(config), Size: int64(len(config))},
		Layers:        []image.Descriptor{},
	}
	var layers []image.Layer
	for i, name := range m.Layers {
		l, err := legacyLayer(fsys, name, cfg.RootFS.DiffIDs[i])
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
		manifest.Layers = append(manifest.Layers, image.Descriptor{MediaType: l.mediaType, Digest: l.digest, Size: l.size})
	}
	raw, err := json.Marshal(manifest)
	if err != nil {
		return nil, err
	}
	return image.FromParts(raw, config, layers)
}

// readConfig reads the config file and, where its name is its digest
// ("<hex>.json", "blobs/sha256/<hex>"), checks it.
func readConfig(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", name, missing(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfig+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	if len(b) > maxConfig {
		return nil, fmt.Errorf("config %s: bigger than %d bytes", name, maxConfig)
	}
	want := blobDigest(name)
	if hex, ok := strings.CutSuffix(path.Base(name), ".json"); ok && want == "" {
		want = digest.Digest("sha256:" + hex)
	}
	if want.Validate() == nil && digest.FromBytes(b) != want {
		return nil, fmt.Errorf("config %s: %w: it hashes to %s", name, digest.ErrDigestMismatch, digest.FromBytes(b))
	}
	return b, nil
}

// missing turns "file does not exist" into what it means here.
func missing(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("manifest.json names it, but the tarball lacks it (%w)", fs.ErrNotExist)
	}
	return err
}

// Magic numbers of compressed streams.
var (
	gzipMagic  = []byte{0x1f, 0x8b}
	zstdMagic  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	otherMagic = map[string][]byte{"bzip2": []byte("BZh"), "xz": {0xfd, '7', 'z', 'X', 'Z', 0}}
)

// legacyLayer makes a layer of the file name, which must hold diffID.
func legacyLayer(fsys fs.FS, name string, diffID digest.Digest) (*tarLayer, error) {
	l := &tarLayer{fsys: fsys, name: name, diffID: diffID, digest: diffID, mediaType: image.MediaTypeOCILayer}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", name, missing(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	l.size = st.Size()
	head := make([]byte, 6)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	compressed := true
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		l.mediaType = image.MediaTypeOCILayerGzip
	case bytes.HasPrefix(head, zstdMagic):
		l.mediaType = image.MediaTypeOCILayerZstd
	default:
		compressed = false
		for kind, magic := range otherMagic {
			if bytes.HasPrefix(head, magic) {
				return nil, fmt.Errorf("layer %s is %s-compressed, which image layers never are", name, kind)
			}
		}
	}
	if !compressed {
		return l, nil // an uncompressed layer: its digest is its DiffID
	}
	// A compressed layer's digest is over the compressed bytes. A blob
	// path names it; otherwise it must be computed, by one read.
	if l.digest = blobDigest(name); l.digest == "" {
		rest, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		defer rest.Close()
		if l.digest, _, err = digest.FromReader(rest); err != nil {
			return nil, fmt.Errorf("layer %s: %w", name, err)
		}
	}
	return l, nil
}

// tarLayer is a layer file inside the tarball, read in place.
type tarLayer struct {
	fsys           fs.FS
	name           string
	digest, diffID digest.Digest
	size           int64
	mediaType      string
}

func (l *tarLayer) Digest() (digest.Digest, error) { return l.digest, nil }
func (l *tarLayer) DiffID() (digest.Digest, error) { return l.diffID, nil }
func (l *tarLayer) Size() (int64, error)           { return l.size, nil }
func (l *tarLayer) MediaType() (string, error)     { return l.mediaType, nil }

func (l *tarLayer) Compressed() (io.ReadCloser, error) {
	f, err := l.fsys.Open(l.name)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.name, err)
	}
	return &named{digest.VerifyReader(f, l.digest, l.size), l.name}, nil
}

// named says which file of the tarball an error came from.
type named struct {
	io.ReadCloser
	name string
}

func (n *named) Read(p []byte) (int, error) {
	c, err := n.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("layer %s: %w", n.name, err)
	}
	return c, err
}

func (l *tarLayer) Uncompressed() (io.ReadCloser, error) {
	r, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	return image.Uncompress(r, l.mediaType, l.diffID)
}

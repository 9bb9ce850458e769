// Checks of indexes (multi-platform images), and of two images being the
// same image.

package imagetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

// nested is an index that can open the indexes it lists. image.Index has
// no such method yet; sources that have one get their nested indexes
// checked too.
type nested interface {
	ImageIndex(d digest.Digest) (image.Index, error)
}

// CheckIndex checks idx as Check checks an image, then every image it
// lists (and, if idx can open them, every index). Every manifest the index
// lists must be readable: a partial index fails.
func CheckIndex(t testing.TB, idx image.Index) {
	t.Helper()
	checkIndex(t, idx, 0)
}

func checkIndex(t reporter, idx image.Index, depth int) {
	t.Helper()
	raw, err := idx.RawManifest()
	if err != nil {
		t.Errorf("RawManifest() error: %v", err)
		return
	}
	var m image.IndexManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Errorf("RawManifest() does not parse: %v", err)
		return
	}
	if m.SchemaVersion != 2 {
		t.Errorf("index schemaVersion = %d, want 2", m.SchemaVersion)
	}
	if d, err := idx.Digest(); err != nil || d != digest.FromBytes(raw) {
		t.Errorf("Digest() = %s, %v; want %s, the digest of RawManifest()", d, err, digest.FromBytes(raw))
	}
	wantMT := m.MediaType
	if wantMT == "" {
		wantMT = image.MediaTypeOCIIndex
	}
	if mt, err := idx.MediaType(); err != nil || mt != wantMT || !image.IsIndex(mt) {
		t.Errorf("MediaType() = %q, %v; want %q, the index's", mt, err, wantMT)
	}
	if got, err := idx.IndexManifest(); err != nil || !reflect.DeepEqual(got, &m) {
		t.Errorf("IndexManifest() = %+v, %v; want %+v, RawManifest() parsed", got, err, &m)
	}
	for _, desc := range m.Manifests {
		p := prefixed{t, fmt.Sprintf("manifest %s (%s): ", desc.Digest, platform(desc))}
		switch {
		case image.IsManifest(desc.MediaType):
			img, err := idx.Image(desc.Digest)
			if err != nil {
				p.Errorf("Image() error: %v", err)
				continue
			}
			checkChild(p, img, desc)
			check(p, img)
		case image.IsIndex(desc.MediaType):
			n, ok := idx.(nested)
			if !ok || depth > 4 {
				continue
			}
			child, err := n.ImageIndex(desc.Digest)
			if err != nil {
				p.Errorf("ImageIndex() error: %v", err)
				continue
			}
			checkIndex(p, child, depth+1)
		}
	}
}

// checkChild checks an image against the index entry that lists it.
func checkChild(t reporter, img image.Image, desc image.Descriptor) {
	t.Helper()
	raw, _ := img.RawManifest()
	if d, _ := img.Digest(); d != desc.Digest || int64(len(raw)) != desc.Size {
		t.Errorf("image is %s, %d bytes; the index says %s, %d bytes", d, len(raw), desc.Digest, desc.Size)
	}
	if mt, _ := img.MediaType(); mt != desc.MediaType {
		t.Errorf("MediaType() = %q; the index says %q", mt, desc.MediaType)
	}
	if desc.Platform == nil || desc.Platform.OS == "unknown" {
		return // no platform, or an attestation
	}
	cfg, err := img.ConfigFile()
	if err == nil && (cfg.OS != desc.Platform.OS || cfg.Architecture != desc.Platform.Architecture) {
		t.Errorf("config is for %s/%s; the index says %s", cfg.OS, cfg.Architecture, desc.Platform)
	}
}

func platform(d image.Descriptor) string {
	if d.Platform == nil {
		return "no platform"
	}
	return d.Platform.String()
}

// Equal reports whether a and b differ as images: manifest digest, config
// digest, and layers' digests and DiffIDs. Two sources of one image must
// agree on all of them.
func Equal(t testing.TB, a, b image.Image) {
	t.Helper()
	equal(t, a, b)
}

func equal(t reporter, a, b image.Image) {
	t.Helper()
	da, errA := a.Digest()
	db, errB := b.Digest()
	if errA != nil || errB != nil || da != db {
		t.Errorf("manifest digests differ: %s (%v) and %s (%v)", da, errA, db, errB)
	}
	ca, errA := a.ConfigName()
	cb, errB := b.ConfigName()
	if errA != nil || errB != nil || ca != cb {
		t.Errorf("config digests differ: %s (%v) and %s (%v)", ca, errA, cb, errB)
	}
	la, errA := layerIDs(a)
	lb, errB := layerIDs(b)
	if errA != nil || errB != nil || !reflect.DeepEqual(la, lb) {
		t.Errorf("layers differ:\n %v (%v)\n %v (%v)", la, errA, lb, errB)
	}
}

// layerIDs lists "digest/diffID" of each layer.
func layerIDs(img image.Image) ([]string, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		diffID, err := l.DiffID()
		if err != nil {
			return nil, err
		}
		ids = append(ids, string(d)+"/"+string(diffID))
	}
	return ids, nil
}

// Package imagetest is the conformance checker every image source passes,
// in the spirit of testing/fstest.TestFS: an image read from a layout, from
// a `docker save` tarball, from a registry or from mydocker's store must
// agree with itself in every way the image spec promises, and Check finds
// where it does not. Each medium's tests write images with their sink, read
// them back with their source, and Check what they read.
//
// Check reads every layer in full, twice, so keep test images small.
// fixture.go makes such images.
package imagetest

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/iocount"
)

// reporter is what the checks need of a testing.TB, so that the checker's
// own tests can hand it a recorder and see it fail.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Check reports every way img breaks the image spec's promises: the
// manifest's digest, media type and config, and each layer's digests,
// sizes and media type against the manifest and the config.
func Check(t testing.TB, img image.Image) {
	t.Helper()
	check(t, img)
}

func check(t reporter, img image.Image) {
	t.Helper()
	raw, err := img.RawManifest()
	if err != nil {
		t.Errorf("RawManifest() error: %v", err)
		return
	}
	var m image.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Errorf("RawManifest() does not parse: %v", err)
		return
	}
	if m.SchemaVersion != 2 {
		t.Errorf("manifest schemaVersion = %d, want 2", m.SchemaVersion)
	}
	if d, err := img.Digest(); err != nil || d != digest.FromBytes(raw) {
		t.Errorf("Digest() = %s, %v; want %s, the digest of RawManifest()", d, err, digest.FromBytes(raw))
	}
	wantMT := m.MediaType
	if wantMT == "" {
		wantMT = image.MediaTypeOCIManifest // OCI manifests may omit it
	}
	if mt, err := img.MediaType(); err != nil || mt != wantMT {
		t.Errorf("MediaType() = %q, %v; want %q, the manifest's", mt, err, wantMT)
	} else if !image.IsManifest(mt) {
		t.Errorf("MediaType() = %q, want a manifest media type", mt)
	}
	if got, err := img.Manifest(); err != nil || !reflect.DeepEqual(got, &m) {
		t.Errorf("Manifest() = %+v, %v; want %+v, RawManifest() parsed", got, err, &m)
	}
	cfg := checkConfig(t, img, m.Config)
	if cfg == nil {
		return
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		t.Errorf("config lists %d diff_ids, manifest %d layers; want as many", len(cfg.RootFS.DiffIDs), len(m.Layers))
		return
	}
	layers, err := img.Layers()
	if err != nil {
		t.Errorf("Layers() error: %v", err)
		return
	}
	if len(layers) != len(m.Layers) {
		t.Errorf("Layers() gives %d layers, manifest lists %d", len(layers), len(m.Layers))
		return
	}
	for i, l := range layers {
		checkLayer(prefixed{t, fmt.Sprintf("layer %d (%s): ", i, m.Layers[i].Digest)}, l, m.Layers[i], cfg.RootFS.DiffIDs[i])
	}
}

// checkConfig checks the config blob against its descriptor and returns
// it parsed, or nil if it cannot be.
func checkConfig(t reporter, img image.Image, desc image.Descriptor) *image.ConfigFile {
	t.Helper()
	config, err := img.RawConfig()
	if err != nil {
		t.Errorf("RawConfig() error: %v", err)
		return nil
	}
	if d := digest.FromBytes(config); d != desc.Digest {
		t.Errorf("RawConfig() hashes to %s, want %s, the manifest's config digest", d, desc.Digest)
	}
	if int64(len(config)) != desc.Size {
		t.Errorf("RawConfig() is %d bytes, want %d, the manifest's config size", len(config), desc.Size)
	}
	if name, err := img.ConfigName(); err != nil || name != desc.Digest {
		t.Errorf("ConfigName() = %s, %v; want %s", name, err, desc.Digest)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Errorf("ConfigFile() error: %v", err)
		return nil
	}
	if cfg.RootFS.Type != "layers" {
		t.Errorf("config rootfs.type = %q, want \"layers\"", cfg.RootFS.Type)
	}
	if cfg.OS == "" || cfg.Architecture == "" {
		t.Errorf("config os/architecture = %q/%q, want both set", cfg.OS, cfg.Architecture)
	}
	return cfg
}

func checkLayer(t reporter, l image.Layer, desc image.Descriptor, diffID digest.Digest) {
	t.Helper()
	if d, err := l.Digest(); err != nil || d != desc.Digest {
		t.Errorf("Digest() = %s, %v; want %s, the manifest's", d, err, desc.Digest)
	}
	if n, err := l.Size(); err != nil || n != desc.Size {
		t.Errorf("Size() = %d, %v; want %d, the manifest's", n, err, desc.Size)
	}
	if mt, err := l.MediaType(); err != nil || mt != desc.MediaType {
		t.Errorf("MediaType() = %q, %v; want %q, the manifest's", mt, err, desc.MediaType)
	}
	if d, err := l.DiffID(); err != nil || d != diffID {
		t.Errorf("DiffID() = %s, %v; want %s, the config's diff_id", d, err, diffID)
	}
	for try := 1; try <= 2; try++ { // a second read must give the same bytes
		d, n, err := digestOf(l.Compressed, false)
		if err != nil {
			t.Errorf("Compressed() read %d: %v", try, err)
			return
		}
		if d != desc.Digest || n != desc.Size {
			t.Errorf("Compressed() read %d gives %d bytes hashing to %s; want %d bytes, %s", try, n, d, desc.Size, desc.Digest)
		}
		d, n, err = digestOf(l.Uncompressed, true)
		if errors.Is(err, image.ErrZstd) {
			return // cannot look inside, and that is said elsewhere
		}
		if err != nil {
			t.Errorf("Uncompressed() read %d: %v", try, err)
			return
		}
		if d != diffID {
			t.Errorf("Uncompressed() read %d gives %d bytes hashing to %s; want %s, the config's diff_id", try, n, d, diffID)
		}
	}
}

// digestOf hashes what open yields. With isTar it also reads the bytes as
// a tar, since an uncompressed layer must be one.
func digestOf(open func() (io.ReadCloser, error), isTar bool) (digest.Digest, int64, error) {
	r, err := open()
	if err != nil {
		return "", 0, err
	}
	defer r.Close()
	sum := sha256.New()
	h := &iocount.Writer{W: sum}
	if isTar {
		// The tar reader reads through the hash; what lies past the
		// tar's end (zero padding) is hashed after.
		tr := tar.NewReader(io.TeeReader(r, h))
		for {
			_, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return "", 0, fmt.Errorf("not a tar: %w", err)
			}
		}
	}
	if _, err := io.Copy(h, r); err != nil {
		return "", 0, err
	}
	return digest.Digest("sha256:" + hex.EncodeToString(sum.Sum(nil))), h.N, nil
}

// prefixed says which part of an image an error is about.
type prefixed struct {
	reporter
	prefix string
}

func (p prefixed) Errorf(format string, args ...any) {
	p.reporter.Helper()
	p.reporter.Errorf(p.prefix+format, args...)
}

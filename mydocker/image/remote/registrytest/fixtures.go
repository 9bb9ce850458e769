// Images to push, made in memory from tars the test writes (never
// downloaded), an index over them, and an OCI layout on disk (written by
// mydocker/image/layout) for skopeo to push.

package registrytest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/layout"
)

// Entry is one tar entry: a file with Body, or a directory if Dir.
type Entry struct {
	Name string
	Body string
	Dir  bool
}

// Layer is a gzip layer of the entries, byte-for-byte the same each run
// (fixed times and owners), so digests are stable.
func Layer(t testing.TB, entries ...Entry) image.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Unix(1700000000, 0)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Mode: 0o644, Size: int64(len(e.Body)), Typeflag: tar.TypeReg, ModTime: mtime, Format: tar.FormatPAX}
		if e.Dir {
			h.Mode, h.Size, h.Typeflag = 0o755, 0, tar.TypeDir
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.Body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := image.LayerFromTar(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Image is a three-layer image for the platform (zero: linux/amd64):
// a base with /etc and /bin/hello, a layer adding /tmp/junk and /etc/motd,
// and a top layer whose whiteout `.wh.junk` deletes /tmp/junk. seed goes
// into the files, so two seeds are two different images.
func Image(t testing.TB, seed string, p image.Platform) image.Image {
	t.Helper()
	layers := []image.Layer{
		Layer(t, Entry{Name: "etc/", Dir: true}, Entry{Name: "etc/hostname", Body: seed + "\n"},
			Entry{Name: "bin/", Dir: true}, Entry{Name: "bin/hello", Body: "#!/bin/sh\necho hello from " + seed + "\n"}),
		Layer(t, Entry{Name: "tmp/", Dir: true}, Entry{Name: "tmp/junk", Body: "to be deleted"},
			Entry{Name: "etc/motd", Body: "welcome to " + seed + "\n"}),
		Layer(t, Entry{Name: "tmp/.wh.junk"}, Entry{Name: "etc/motd", Body: "motd, version 2 (" + seed + ")\n"}),
	}
	img, err := image.Build(image.ConfigFile{
		OS: p.OS, Architecture: p.Architecture, Variant: p.Variant,
		Config: image.Config{Cmd: []string{"/bin/hello"}, Env: []string{"PATH=/bin", "SEED=" + seed}},
	}, layers)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// IndexEntry is one image of an index, with its platform and annotations.
type IndexEntry = image.IndexEntry

// Index is an OCI index of the entries (image.BuildIndex), failing the
// test if it cannot be built.
func Index(t testing.TB, entries ...IndexEntry) image.Index {
	t.Helper()
	idx, err := image.BuildIndex(entries)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// Attestation is a BuildKit-style attestation entry for subject: a
// manifest whose one layer is an in-toto statement, listed as platform
// unknown/unknown. Pullers must skip it.
func Attestation(t testing.TB, subject image.Image) IndexEntry {
	t.Helper()
	statement := []byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2"}`)
	layer := &rawLayer{data: statement, mediaType: "application/vnd.in-toto+json"}
	config := []byte(`{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":["` + string(digest.FromBytes(statement)) + `"]}}`)
	m := image.Manifest{SchemaVersion: 2, MediaType: image.MediaTypeOCIManifest,
		Config: image.Descriptor{MediaType: image.MediaTypeOCIConfig, Digest: digest.FromBytes(config), Size: int64(len(config))},
		Layers: []image.Descriptor{{MediaType: layer.mediaType, Digest: digest.FromBytes(statement), Size: int64(len(statement)),
			Annotations: map[string]string{"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}}}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	img, err := image.FromParts(raw, config, []image.Layer{layer})
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := subject.Digest()
	return IndexEntry{Image: img, Platform: &image.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": string(sd)}}
}

// BlobLayer is a layer of data as is, of any media type: an
// attestation's statement, or a layer in a format mydocker cannot read.
func BlobLayer(data []byte, mediaType string) image.Layer {
	return &rawLayer{data: data, mediaType: mediaType}
}

type rawLayer struct {
	data      []byte
	mediaType string
}

func (l *rawLayer) Digest() (digest.Digest, error) { return digest.FromBytes(l.data), nil }
func (l *rawLayer) DiffID() (digest.Digest, error) { return digest.FromBytes(l.data), nil }
func (l *rawLayer) Size() (int64, error)           { return int64(len(l.data)), nil }
func (l *rawLayer) MediaType() (string, error)     { return l.mediaType, nil }
func (l *rawLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.data)), nil
}
func (l *rawLayer) Uncompressed() (io.ReadCloser, error) { return l.Compressed() }

// WriteOCILayout writes img as an OCI layout in dir, tagged tag, for
// `skopeo copy oci:DIR:TAG`. It is mydocker's own layout writer, so what
// skopeo pushes is also a check that skopeo reads mydocker's layouts.
func WriteOCILayout(t testing.TB, dir, tag string, img image.Image) {
	t.Helper()
	l, err := layout.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(img, map[string]string{layout.AnnotationRefName: tag}); err != nil {
		t.Fatalf("write %s into layout %s: %v", tag, dir, err)
	}
}

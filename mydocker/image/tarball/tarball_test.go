package tarball

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/layout"
	"github.com/mydocker/mydocker/mydocker/image/layout/tarfs"
)

// file is one entry of a hand-made tar.
type file struct{ name, body, symlink string }

func mkTar(t *testing.T, files []file) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		switch {
		case strings.HasSuffix(f.name, "/"):
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		case f.symlink != "":
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeSymlink, f.symlink, 0
		}
		require.NoError(t, tw.WriteHeader(hdr))
		_, err := tw.Write([]byte(f.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func save(t *testing.T, data []byte) string {
	p := filepath.Join(t.TempDir(), "save.tar")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func write(t *testing.T, entries []Entry) string {
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, entries))
	return save(t, buf.Bytes())
}

func open(t *testing.T, path string) *Tarball {
	tb, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { tb.Close() })
	return tb
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func digestOf(img image.Image) digest.Digest { d, _ := img.Digest(); return d }

func TestRoundTrip(t *testing.T) {
	busybox, alpine := imagetest.Image(t, "busybox", 3), imagetest.Image(t, "alpine", 2)
	base, _ := busybox.Layers()
	shared, err := image.Build(image.ConfigFile{Config: image.Config{Cmd: []string{"true"}}}, base[:2])
	require.NoError(t, err)
	in := []Entry{
		{RepoTags: []string{"busybox:latest", "busybox:1.36"}, Image: busybox},
		{RepoTags: []string{"localhost:5000/team/alpine:3"}, Image: alpine},
		{Image: shared}, // untagged, sharing two layers with busybox
		{RepoTags: []string{"hub/app:v2"}, Image: imagetest.DockerImage(t, "hub", 2)},
	}
	path := write(t, in)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	streamed, err := Read(f, t.TempDir())
	require.NoError(t, err)
	defer streamed.Close()
	for _, tb := range []*Tarball{open(t, path), streamed} {
		require.Len(t, tb.Entries, len(in))
		for i, e := range tb.Entries {
			if !reflect.DeepEqual(e.RepoTags, in[i].RepoTags) || e.Legacy {
				t.Errorf("entry %d: RepoTags %q, Legacy %v; want %q, false", i, e.RepoTags, e.Legacy, in[i].RepoTags)
			}
			imagetest.Check(t, e.Image)
			imagetest.Equal(t, e.Image, in[i].Image)
		}
	}
	// The same images, the same bytes: writing is deterministic.
	var again bytes.Buffer
	require.NoError(t, Write(&again, in))
	first, _ := os.ReadFile(path)
	if !bytes.Equal(first, again.Bytes()) {
		t.Errorf("Write twice gave different tarballs")
	}
	// 3+2+2 layers (the third image's are busybox's), 4 configs, 4 manifests.
	names := tarNames(t, first)
	if got := len(filterPrefix(names, "blobs/sha256/")); got != 15 {
		t.Errorf("tarball holds %d blobs, want 15 (each blob once): %v", got, names)
	}
}

func tarNames(t *testing.T, b []byte) []string {
	var names []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names
		}
		require.NoError(t, err)
		names = append(names, hdr.Name)
	}
}

func filterPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && len(n) > len(prefix) {
			out = append(out, n)
		}
	}
	return out
}

func TestLayoutTarballLayout(t *testing.T) {
	// layout → tarball → layout keeps the manifest digest.
	img := imagetest.Image(t, "busybox", 2)
	src, err := layout.Create(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, src.Write(img, map[string]string{layout.AnnotationRefName: "busybox"}))
	fromLayout, err := src.ImageByRef("busybox")
	require.NoError(t, err)
	tb := open(t, write(t, []Entry{{RepoTags: []string{"busybox:latest"}, Image: fromLayout}}))
	dst, err := layout.Create(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, dst.Write(tb.Entries[0].Image, map[string]string{layout.AnnotationRefName: "busybox"}))
	back, err := dst.ImageByRef("busybox")
	require.NoError(t, err)
	imagetest.Check(t, back)
	if digestOf(back) != digestOf(img) {
		t.Errorf("layout → tarball → layout: digest %s, want %s", digestOf(back), digestOf(img))
	}
}

// docker25 makes a tarball as Docker 25's docker save does with the classic
// image store: blobs first (layers uncompressed, so the OCI manifest lists
// them as such), then index.json, manifest.json, oci-layout, repositories.
//
// With multi, it is what the containerd image store saves instead:
// index.json names a multi-platform index, of which only this machine's
// image (and not the arm64 one, nor the attestation) is in the tarball.
func docker25(t *testing.T, multi bool, tarsOf ...map[string]string) (data []byte, manifestDigest, configDigest digest.Digest) {
	var files []file
	var descs []image.Descriptor
	var diffIDs []digest.Digest
	var layerPaths []string
	files = append(files, file{name: "blobs/"}, file{name: "blobs/sha256/"})
	for _, fs := range tarsOf {
		b := imagetest.Tar(fs)
		d := digest.FromBytes(b)
		files = append(files, file{name: "blobs/sha256/" + d.Hex(), body: string(b)})
		descs = append(descs, image.Descriptor{MediaType: image.MediaTypeOCILayer, Digest: d, Size: int64(len(b))})
		diffIDs = append(diffIDs, d)
		layerPaths = append(layerPaths, "blobs/sha256/"+d.Hex())
	}
	config := mustJSON(image.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: image.RootFS{Type: "layers", DiffIDs: diffIDs}})
	configDigest = digest.FromBytes([]byte(config))
	manifest := mustJSON(image.Manifest{SchemaVersion: 2, MediaType: image.MediaTypeOCIManifest,
		Config: image.Descriptor{MediaType: image.MediaTypeOCIConfig, Digest: configDigest, Size: int64(len(config))}, Layers: descs})
	manifestDigest = digest.FromBytes([]byte(manifest))
	entry := image.Descriptor{MediaType: image.MediaTypeOCIManifest, Digest: manifestDigest, Size: int64(len(manifest))}
	if multi {
		absent := digest.FromBytes([]byte("not saved"))
		platforms := mustJSON(image.IndexManifest{SchemaVersion: 2, MediaType: image.MediaTypeOCIIndex, Manifests: []image.Descriptor{
			{MediaType: image.MediaTypeOCIManifest, Digest: absent, Size: 9, Platform: &image.Platform{OS: "linux", Architecture: "arm64"}},
			{MediaType: image.MediaTypeOCIManifest, Digest: manifestDigest, Size: int64(len(manifest)), Platform: &image.Platform{OS: "linux", Architecture: "amd64"}},
			{MediaType: image.MediaTypeOCIManifest, Digest: absent, Size: 9, Platform: &image.Platform{OS: "unknown", Architecture: "unknown"},
				Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}},
		}})
		d := digest.FromBytes([]byte(platforms))
		files = append(files, file{name: "blobs/sha256/" + d.Hex(), body: platforms})
		entry = image.Descriptor{MediaType: image.MediaTypeOCIIndex, Digest: d, Size: int64(len(platforms))}
	}
	entry.Annotations = map[string]string{"io.containerd.image.name": "docker.io/library/busybox:latest", "org.opencontainers.image.ref.name": "latest"}
	index := mustJSON(image.IndexManifest{SchemaVersion: 2, MediaType: image.MediaTypeOCIIndex, Manifests: []image.Descriptor{entry}})
	files = append(files,
		file{name: "blobs/sha256/" + configDigest.Hex(), body: config},
		file{name: "blobs/sha256/" + manifestDigest.Hex(), body: manifest},
		file{name: "index.json", body: index},
		file{name: "manifest.json", body: mustJSON([]manifestEntry{{Config: "blobs/sha256/" + configDigest.Hex(), RepoTags: []string{"busybox:latest"}, Layers: layerPaths}})},
		file{name: "oci-layout", body: `{"imageLayoutVersion":"1.0.0"}`},
		file{name: "repositories", body: `{"busybox":{"latest":"` + diffIDs[len(diffIDs)-1].Hex() + `"}}`},
	)
	return mkTar(t, files), manifestDigest, configDigest
}

func TestDocker25(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the multi-platform fixture saves only amd64")
	}
	for _, multi := range []bool{false, true} {
		data, md, cd := docker25(t, multi, map[string]string{"bin/": "", "bin/sh": "#!"}, map[string]string{"etc/.wh.passwd": ""})
		tb := open(t, save(t, data))
		require.Len(t, tb.Entries, 1)
		e := tb.Entries[0]
		imagetest.Check(t, e.Image)
		name, _ := e.Image.ConfigName()
		if digestOf(e.Image) != md || name != cd || e.Legacy || !reflect.DeepEqual(e.RepoTags, []string{"busybox:latest"}) {
			t.Errorf("Docker 25 tarball (multi-platform %v) read as %s (config %s), tags %q, legacy %v; want the OCI manifest %s (config %s), [busybox:latest], false",
				multi, digestOf(e.Image), name, e.RepoTags, e.Legacy, md, cd)
		}
	}
}

// docker24 makes a tarball as Docker 24's docker save does: a directory
// per layer, the config by its digest, manifest.json and repositories. The
// second image shares the first layer, which docker saves once and links.
// Its second layer is gzipped, as some producers do.
func docker24(t *testing.T) ([]byte, []digest.Digest) {
	l1 := imagetest.Tar(map[string]string{"bin/": "", "bin/sh": "#!"})
	l2 := imagetest.Tar(map[string]string{"etc/.wh.passwd": "", "etc/group": "root:x:0:"})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(l2)
	zw.Close()
	d1, d2 := digest.FromBytes(l1), digest.FromBytes(l2)
	cfg := func(cmd string, diffIDs ...digest.Digest) string {
		return mustJSON(image.ConfigFile{OS: "linux", Architecture: "amd64", Config: image.Config{Cmd: []string{cmd}},
			RootFS: image.RootFS{Type: "layers", DiffIDs: diffIDs}})
	}
	c1, c2 := cfg("sh", d1), cfg("id", d1, d2)
	h1, h2 := digest.FromBytes([]byte(c1)).Hex(), digest.FromBytes([]byte(c2)).Hex()
	manifest := mustJSON([]manifestEntry{
		{Config: h1 + ".json", RepoTags: []string{"busybox:latest"}, Layers: []string{"aaa/layer.tar"}},
		{Config: h2 + ".json", RepoTags: []string{"myapp:1", "myapp:latest"}, Layers: []string{"bbb/layer.tar", "ccc/layer.tar"}},
	})
	return mkTar(t, []file{
		{name: "aaa/"}, {name: "aaa/VERSION", body: "1.0"}, {name: "aaa/json", body: `{"id":"aaa"}`}, {name: "aaa/layer.tar", body: string(l1)},
		{name: "bbb/"}, {name: "bbb/VERSION", body: "1.0"}, {name: "bbb/json", body: `{"id":"bbb"}`}, {name: "bbb/layer.tar", symlink: "../aaa/layer.tar"},
		{name: "ccc/"}, {name: "ccc/VERSION", body: "1.0"}, {name: "ccc/json", body: `{"id":"ccc","parent":"bbb"}`}, {name: "ccc/layer.tar", body: gz.String()},
		{name: h1 + ".json", body: c1}, {name: h2 + ".json", body: c2},
		{name: "manifest.json", body: manifest},
		{name: "repositories", body: `{"busybox":{"latest":"aaa"},"myapp":{"1":"ccc","latest":"ccc"}}`},
	}), []digest.Digest{d1, d2}
}

func TestDocker24(t *testing.T) {
	data, diffIDs := docker24(t)
	tb := open(t, save(t, data))
	require.Len(t, tb.Entries, 2)
	for _, e := range tb.Entries {
		imagetest.Check(t, e.Image)
		if !e.Legacy {
			t.Errorf("%q: Legacy = false, want true", e.RepoTags)
		}
	}
	if got := tb.Entries[1].RepoTags; !reflect.DeepEqual(got, []string{"myapp:1", "myapp:latest"}) {
		t.Errorf("second image's RepoTags = %q", got)
	}
	m, _ := tb.Entries[1].Image.Manifest()
	// The uncompressed layer keeps its bytes (digest = DiffID), the gzipped
	// one too.
	if m.Layers[0].Digest != diffIDs[0] || m.Layers[0].MediaType != image.MediaTypeOCILayer || m.Layers[1].MediaType != image.MediaTypeOCILayerGzip {
		t.Errorf("legacy layers read as %+v; want uncompressed with digest %s, then gzip", m.Layers, diffIDs[0])
	}
}

func TestOCIArchiveGivenToLoad(t *testing.T) {
	// docker load of an oci-archive (no manifest.json) reads its names.
	img := imagetest.Image(t, "busybox", 1)
	var buf bytes.Buffer
	require.NoError(t, layout.WriteArchive(&buf, img, map[string]string{layout.AnnotationRefName: "busybox:1"}))
	tb := open(t, save(t, buf.Bytes()))
	require.Len(t, tb.Entries, 1)
	imagetest.Equal(t, tb.Entries[0].Image, img)
	if got := tb.Entries[0].RepoTags; !reflect.DeepEqual(got, []string{"busybox:1"}) {
		t.Errorf("RepoTags = %q, want [busybox:1]", got)
	}
}

func TestBadTarballs(t *testing.T) {
	good, _, _ := docker25(t, false, map[string]string{"hello": "world"})
	legacy, diffIDs := docker24(t)
	// The layer of the Docker 25 tarball with a byte changed, in place.
	layerTar := imagetest.Tar(map[string]string{"hello": "world"})
	badBlob := bytes.Clone(good)
	badBlob[bytes.Index(badBlob, layerTar)+600] ^= 0xff
	l1 := imagetest.Tar(map[string]string{"bin/": "", "bin/sh": "#!"})
	badLegacy := bytes.Clone(legacy)
	badLegacy[bytes.Index(badLegacy, l1)+1100] ^= 0xff
	badConfig := bytes.Replace(legacy, []byte(`"Cmd":["sh"]`), []byte(`"Cmd":["rm"]`), 1)
	noLayer := mkTar(t, []file{
		{name: "abc.json", body: `{"rootfs":{"type":"layers","diff_ids":["` + string(diffIDs[0]) + `"]}}`},
		{name: "manifest.json", body: `[{"Config":"abc.json","RepoTags":["x:1"],"Layers":["gone/layer.tar"]}]`},
	})
	// Files read whole, over the bound: refused before they are read.
	huge := "[" + strings.Repeat(" ", 33<<20) + "]"
	hugeManifest := mkTar(t, []file{{name: "manifest.json", body: huge}})
	hugeIndex := mkTar(t, []file{{name: "oci-layout", body: `{"imageLayoutVersion":"1.0.0"}`}, {name: "index.json", body: huge}})

	tests := []struct {
		name string
		data []byte
		want error
		// in must appear in the error; layer says the error comes when the
		// layer is read, not at Open.
		in    string
		layer bool
	}{
		{"garbage", bytes.Repeat([]byte("garbage "), 300), tarfs.ErrNotTar, "not a tar", false},
		{"truncated", good[:len(good)*2/3], tarfs.ErrNotTar, "truncated", false},
		{"a tar but no save", imagetest.Tar(map[string]string{"x": "y"}), ErrNotTarball, "no manifest.json", false},
		{"manifest.json names a missing layer", noLayer, fs.ErrNotExist, "gone/layer.tar", false},
		{"a 33 MiB manifest.json", hugeManifest, layout.ErrTooBig, "manifest.json", false},
		{"a 33 MiB index.json", hugeIndex, layout.ErrTooBig, "index.json", false},
		{"config does not match its name", badConfig, digest.ErrDigestMismatch, ".json", false},
		{"Docker 25 layer blob changed", badBlob, digest.ErrDigestMismatch, string(digest.FromBytes(layerTar)), true},
		{"legacy layer.tar changed", badLegacy, digest.ErrDigestMismatch, "aaa/layer.tar", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // where Read spools
			tb, err := Read(bytes.NewReader(tt.data), t.TempDir())
			if tt.layer {
				require.NoError(t, err)
				err = readLayers(tb.Entries[0].Image)
				tb.Close()
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.in) {
				t.Errorf("reading a tarball with %s: error = %v, want %v naming %q", tt.name, err, tt.want, tt.in)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("reading a tarball with %s left %d files in $TMPDIR", tt.name, len(left))
			}
		})
	}
}

// readLayers reads every layer in full, as a load does.
func readLayers(img image.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		r, err := l.Uncompressed()
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, r)
		r.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func TestFullName(t *testing.T) {
	tests := []struct{ tag, want string }{
		{"busybox:latest", "docker.io/library/busybox:latest"},
		{"team/app:1", "docker.io/team/app:1"},
		{"localhost/app:1", "localhost/app:1"},
		{"127.0.0.1:5000/app:1", "127.0.0.1:5000/app:1"},
		{"ghcr.io/o/app:v2", "ghcr.io/o/app:v2"},
	}
	for _, tt := range tests {
		if got := fullName(tt.tag); got != tt.want {
			t.Errorf("fullName(%q) = %q, want %q", tt.tag, got, tt.want)
		}
	}
	for _, bad := range []string{"busybox", "localhost:5000/app", "app@sha256:abc"} {
		if _, _, ok := splitTag(bad); ok {
			t.Errorf("splitTag(%q) ok, want refused: docker save names need a tag", bad)
		}
	}
}

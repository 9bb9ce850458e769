package layout

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
)

// A re-run of the test binary with childEnv set writes images into a
// layout, as a second process sharing it would.
const childEnv = "MYDOCKER_LAYOUT_TEST_CHILD"

func TestMain(m *testing.M) {
	if arg := os.Getenv(childEnv); arg != "" {
		os.Exit(child(arg))
	}
	os.Exit(m.Run())
}

// child writes n images named PREFIX-i into DIR, given "DIR PREFIX N".
func child(arg string) int {
	var dir, prefix string
	var n int
	fmt.Sscan(arg, &dir, &prefix, &n)
	l, err := Create(dir)
	if err == nil {
		err = writeMany(l, prefix, n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func writeMany(l *Layout, prefix string, n int) error {
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s-%d", prefix, i)
		if err := l.Write(fixture(name, 1), map[string]string{AnnotationRefName: name}); err != nil {
			return err
		}
	}
	return nil
}

// fixture is imagetest.Image for code without a testing.TB.
func fixture(name string, n int) image.Image { return imagetest.Image(panicTB{}, name, n) }

type panicTB struct{ testing.TB }

func (panicTB) Helper()                      {}
func (panicTB) Fatalf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }

func refs(t *testing.T, l *Layout) []string {
	idx, err := l.Index()
	require.NoError(t, err)
	var names []string
	for _, d := range idx.Manifests {
		names = append(names, RefName(d)+"="+d.Digest.Short())
	}
	sort.Strings(names)
	return names
}

func manifestDigest(t *testing.T, img image.Image) digest.Digest {
	d, err := img.Digest()
	require.NoError(t, err)
	return d
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir)
	require.NoError(t, err)
	busybox, alpine := imagetest.Image(t, "busybox", 3), imagetest.Image(t, "alpine", 2)
	require.NoError(t, l.Write(busybox, map[string]string{AnnotationRefName: "busybox:latest"}))
	require.NoError(t, l.Write(alpine, map[string]string{AnnotationRefName: "alpine:3"}))
	require.NoError(t, l.Write(alpine, nil)) // an unnamed entry too

	// Reopened, as another process would.
	l, err = Open(dir)
	require.NoError(t, err)
	for name, want := range map[string]image.Image{"busybox:latest": busybox, "alpine:3": alpine} {
		got, err := l.ImageByRef(name)
		require.NoError(t, err, "ImageByRef(%q)", name)
		imagetest.Check(t, got)
		imagetest.Equal(t, got, want)
	}
	byDigest, err := l.Image(manifestDigest(t, alpine))
	require.NoError(t, err)
	imagetest.Check(t, byDigest)

	if _, err := l.ImageByRef("nginx"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ImageByRef(%q) error = %v, want ErrNotFound", "nginx", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "oci-layout"))
	if string(b) != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %s", b)
	}
	// 3+2 layers, 2 configs, 2 manifests; nothing else, no temp files.
	blobs, _ := os.ReadDir(filepath.Join(dir, blobsDir))
	if len(blobs) != 9 {
		t.Errorf("layout holds %d blobs, want 9", len(blobs))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, tmpPrefix+"*")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
	if got := len(refs(t, l)); got != 3 {
		t.Errorf("index.json has %d entries, want 3: %v", got, refs(t, l))
	}
}

func TestTagMoves(t *testing.T) {
	l, err := Create(t.TempDir())
	require.NoError(t, err)
	v1, v2 := imagetest.Image(t, "app-v1", 1), imagetest.Image(t, "app-v2", 1)
	require.NoError(t, l.Write(v1, map[string]string{AnnotationRefName: "app:latest"}))
	require.NoError(t, l.Write(v1, map[string]string{AnnotationRefName: "app:v1"}))
	require.NoError(t, l.Write(v2, map[string]string{AnnotationRefName: "app:latest"}))
	want := []string{"app:latest=" + manifestDigest(t, v2).Short(), "app:v1=" + manifestDigest(t, v1).Short()}
	if got := refs(t, l); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after moving app:latest, index.json = %v, want %v", got, want)
	}
}

func TestUntagAndGC(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir)
	require.NoError(t, err)
	// child is built on base's first layer, as images share base layers.
	base := imagetest.Image(t, "base", 2)
	baseLayers, _ := base.Layers()
	extra, _ := imagetest.Image(t, "extra", 1).Layers()
	child, err := image.Build(image.ConfigFile{}, []image.Layer{baseLayers[0], extra[0]})
	require.NoError(t, err)
	require.NoError(t, l.Write(base, map[string]string{AnnotationRefName: "base"}))
	require.NoError(t, l.Write(child, map[string]string{AnnotationRefName: "child"}))
	require.NoError(t, l.WriteBlob(digest.FromBytes([]byte("loose")), strings.NewReader("loose")))
	// What a writer killed mid-blob leaves behind.
	require.NoError(t, os.WriteFile(filepath.Join(dir, blobsDir, tmpPrefix+"123"), []byte("half"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, tmpPrefix+"index.json-123"), []byte("half"), 0o644))

	removed, err := l.GC()
	require.NoError(t, err)
	if len(removed) != 1 || removed[0] != digest.FromBytes([]byte("loose")) {
		t.Errorf("GC() with everything named removed %v, want only the loose blob", removed)
	}
	for _, d := range []string{dir, filepath.Join(dir, blobsDir)} {
		if left, _ := filepath.Glob(filepath.Join(d, tmpPrefix+"*")); len(left) != 0 {
			t.Errorf("GC left temp files: %v", left)
		}
	}

	require.NoError(t, l.Untag("base"))
	if err := l.Untag("base"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Untag(%q) twice: error = %v, want ErrNotFound", "base", err)
	}
	removed, err = l.GC()
	require.NoError(t, err)
	// base's own: its second layer, config and manifest. Its first layer
	// is child's too.
	if len(removed) != 3 || l.HasBlob(manifestDigest(t, base)) {
		t.Errorf("GC() after Untag(base) removed %v, want 3 blobs including %s", removed, manifestDigest(t, base))
	}
	img, err := l.ImageByRef("child")
	require.NoError(t, err)
	imagetest.Check(t, img)

	require.NoError(t, l.RemoveImage(manifestDigest(t, child)))
	_, err = l.GC()
	require.NoError(t, err)
	if blobs, _ := os.ReadDir(filepath.Join(dir, blobsDir)); len(blobs) != 0 {
		t.Errorf("after removing every image, GC left %d blobs", len(blobs))
	}
}

func TestGCRefusesWhenUnsure(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir)
	require.NoError(t, err)
	img := imagetest.Image(t, "img", 1)
	require.NoError(t, l.Write(img, map[string]string{AnnotationRefName: "img"}))
	corrupt(t, dir, manifestDigest(t, img))
	blobsBefore, _ := os.ReadDir(filepath.Join(dir, blobsDir))
	if _, err := l.GC(); err == nil || !strings.Contains(err.Error(), "nothing deleted") {
		t.Errorf("GC() with a corrupt manifest: error = %v, want a refusal", err)
	}
	if blobs, _ := os.ReadDir(filepath.Join(dir, blobsDir)); len(blobs) != len(blobsBefore) {
		t.Errorf("GC() deleted blobs though it could not read a manifest")
	}
}

// corrupt flips the first byte of blob d, keeping its size.
func corrupt(t *testing.T, dir string, d digest.Digest) {
	p := filepath.Join(dir, blobsDir, d.Hex())
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	b[0] ^= 0xff
	require.NoError(t, os.Chmod(p, 0o644))
	require.NoError(t, os.WriteFile(p, b, 0o644))
}

func TestCorruptBlobs(t *testing.T) {
	img := imagetest.Image(t, "img", 2)
	m, _ := img.Manifest()
	tests := []struct {
		name   string
		blob   digest.Digest
		remove bool
		// where the damage shows: "image" when reading it, "layer" when
		// reading the layer's bytes.
		at string
	}{
		{"manifest corrupt", manifestDigest(t, img), false, "image"},
		{"config corrupt", m.Config.Digest, false, "image"},
		{"config missing", m.Config.Digest, true, "image"},
		{"layer corrupt", m.Layers[1].Digest, false, "layer"},
		{"layer missing", m.Layers[1].Digest, true, "layer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l, err := Create(dir)
			require.NoError(t, err)
			require.NoError(t, l.Write(img, map[string]string{AnnotationRefName: "img"}))
			if tt.remove {
				require.NoError(t, os.Remove(filepath.Join(dir, blobsDir, tt.blob.Hex())))
			} else {
				corrupt(t, dir, tt.blob)
			}
			got, err := l.ImageByRef("img")
			if tt.at == "layer" && err == nil {
				layers, _ := got.Layers()
				var r io.ReadCloser
				if r, err = layers[1].Compressed(); err == nil {
					_, err = io.ReadAll(r)
				}
			}
			if err == nil || !strings.Contains(err.Error(), string(tt.blob)) {
				t.Errorf("reading with %s: error = %v, want one naming %s", tt.name, err, tt.blob)
			}
			if tt.remove != errors.Is(err, ErrNotFound) || !tt.remove && !errors.Is(err, digest.ErrDigestMismatch) {
				t.Errorf("reading with %s: error = %v, want ErrNotFound if missing, ErrDigestMismatch if corrupt", tt.name, err)
			}
		})
	}
}

func TestWriteBlobVerifies(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir)
	require.NoError(t, err)
	d := digest.FromBytes([]byte("right"))
	tests := []struct {
		name string
		r    io.Reader
	}{
		{"wrong bytes", strings.NewReader("wrong")},
		{"stream breaks", io.MultiReader(strings.NewReader("ri"), errReader{})},
	}
	for _, tt := range tests {
		if err := l.WriteBlob(d, tt.r); err == nil {
			t.Errorf("WriteBlob(%s, %s) = nil, want an error", d, tt.name)
		}
		if l.HasBlob(d) {
			t.Errorf("after WriteBlob(%s, %s), the layout has the blob", d, tt.name)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, tmpPrefix+"*")); len(left) != 0 {
		t.Errorf("failed writes left temp files: %v", left)
	}
	if err := l.WriteBlob("sha256:../../../etc/passwd", strings.NewReader("x")); err == nil {
		t.Errorf("WriteBlob with a path for a digest = nil, want an error")
	}
}

// TestTeeBlob: a blob streamed through TeeBlob is stored only when its
// verifying reader ends cleanly: not when the reader ends in a mismatch, is
// cut short, is closed early or yields the wrong size.
func TestTeeBlob(t *testing.T) {
	right := []byte("right bytes")
	d := digest.FromBytes(right)
	verified := func(b string) io.ReadCloser {
		return digest.VerifyReader(io.NopCloser(strings.NewReader(b)), d, -1)
	}
	tests := []struct {
		name  string
		r     io.ReadCloser
		size  int64
		read  bool // read to the end (else: close after the first read)
		store bool
	}{
		{"the right bytes", verified(string(right)), int64(len(right)), true, true},
		{"the right bytes, size unknown", verified(string(right)), -1, true, true},
		{"wrong bytes", verified("wrong bytes"), int64(len(right)), true, false},
		{"stream breaks", digest.VerifyReader(io.NopCloser(io.MultiReader(strings.NewReader("ri"), errReader{})), d, -1), -1, true, false},
		{"closed before the end", verified(string(right)), int64(len(right)), false, false},
		{"a size the descriptor does not say", verified(string(right)), 5, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l, err := Create(dir)
			require.NoError(t, err)
			r, err := l.TeeBlob(d, tt.size, tt.r)
			require.NoError(t, err)
			if tt.read {
				got, err := io.ReadAll(r)
				if tt.store && (err != nil || string(got) != string(right)) {
					t.Errorf("reading through TeeBlob: %q, %v; want %q, nil", got, err, right)
				}
				if !tt.store && err == nil {
					t.Errorf("reading through TeeBlob ended without an error, want one")
				}
			} else {
				r.Read(make([]byte, 2))
			}
			r.Close()
			if l.HasBlob(d) != tt.store {
				t.Errorf("HasBlob after TeeBlob = %v, want %v", l.HasBlob(d), tt.store)
			}
			if tt.store {
				b, err := os.ReadFile(filepath.Join(dir, blobsDir, d.Hex()))
				if err != nil || string(b) != string(right) {
					t.Errorf("stored blob = %q, %v; want %q", b, err, right)
				}
			}
			if left, _ := filepath.Glob(filepath.Join(dir, blobsDir, tmpPrefix+"*")); len(left) != 0 {
				t.Errorf("TeeBlob left temp files: %v", left)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir)
	require.NoError(t, err)
	// Two processes and two goroutines write 10 images each, while GC
	// runs: every image must end up named, and whole.
	var cmds []*exec.Cmd
	for _, p := range []string{"procA", "procB"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s 10", childEnv, dir, p))
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for _, p := range []string{"goA", "goB"} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- writeMany(l, p, 10) }()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			if _, err := l.GC(); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait())
	}
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	if got := len(refs(t, l)); got != 40 {
		t.Fatalf("index.json has %d entries after 4 writers of 10, want 40", got)
	}
	for _, p := range []string{"procA", "procB", "goA", "goB"} {
		img, err := l.ImageByRef(p + "-9")
		require.NoError(t, err)
		imagetest.Check(t, img)
	}
	removed, err := l.GC()
	if err != nil || len(removed) != 0 {
		t.Errorf("GC() after the writers = %v, %v; want nothing to collect", removed, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	empty := t.TempDir()
	notJSON := t.TempDir()
	os.WriteFile(filepath.Join(notJSON, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
	os.WriteFile(filepath.Join(notJSON, "index.json"), []byte(`<html>`), 0o644)
	for name, dir := range map[string]string{"empty dir": empty, "index.json not JSON": notJSON} {
		if _, err := Open(dir); err == nil {
			t.Errorf("Open(%s) = nil error, want one", name)
		}
	}
	if _, err := Open(empty); !errors.Is(err, ErrNotLayout) {
		t.Errorf("Open(empty dir) error = %v, want ErrNotLayout", err)
	}
}

// multiPlatform is an index of amd64 and arm64 images and an attestation.
func multiPlatform(t *testing.T) (image.Index, map[string]image.Image) {
	build := func(os, arch string) image.Image {
		layers, _ := imagetest.Image(t, "multi-"+arch, 1).Layers()
		img, err := image.Build(image.ConfigFile{OS: os, Architecture: arch}, layers)
		require.NoError(t, err)
		return img
	}
	amd, arm, att := build("linux", "amd64"), build("linux", "arm64"), build("unknown", "unknown")
	idx, err := image.BuildIndex([]image.IndexEntry{
		{Image: att, Platform: &image.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}},
		{Image: amd, Platform: &image.Platform{OS: "linux", Architecture: "amd64"}},
		{Image: arm, Platform: &image.Platform{OS: "linux", Architecture: "arm64"}},
	})
	require.NoError(t, err)
	return idx, map[string]image.Image{"amd64": amd, "arm64": arm}
}

func TestMultiPlatform(t *testing.T) {
	l, err := Create(t.TempDir())
	require.NoError(t, err)
	idx, images := multiPlatform(t)
	require.NoError(t, l.WriteIndex(idx, map[string]string{AnnotationRefName: "multi"}))

	idxDigest, err := idx.Digest()
	require.NoError(t, err)
	read, err := l.IndexAt(idxDigest)
	require.NoError(t, err)
	imagetest.CheckIndex(t, read)
	desc, err := l.Lookup("multi")
	require.NoError(t, err)
	for arch, want := range images {
		got, err := l.Resolve(desc, image.Platform{OS: "linux", Architecture: arch})
		require.NoError(t, err, arch)
		imagetest.Check(t, got)
		imagetest.Equal(t, got, want)
	}
	if _, err := l.Resolve(desc, image.Platform{OS: "linux", Architecture: "s390x"}); !errors.Is(err, ErrNoPlatform) {
		t.Errorf("Resolve(linux/s390x) error = %v, want ErrNoPlatform", err)
	}
	if _, err := l.Image(desc.Digest); err == nil {
		t.Errorf("Image(an index's digest) = nil error, want one")
	}
}

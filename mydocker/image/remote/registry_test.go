package remote_test

// Against a real registry (Debian's docker-registry, on loopback), checked
// from the other side with skopeo where another client's view matters.

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
	"github.com/mydocker/mydocker/mydocker/reference"
)

var (
	amd64 = image.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = image.Platform{OS: "linux", Architecture: "arm64"}
)

// pullAll pulls ref and reads every layer to its end, compressed and
// uncompressed, so that every digest and DiffID is checked.
func pullAll(ref reference.Reference, opts remote.Options) (image.Image, error) {
	img, err := remote.Image(context.Background(), ref, opts)
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		for _, open := range []func() (io.ReadCloser, error){l.Compressed, l.Uncompressed} {
			rc, err := open()
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	return img, nil
}

func digestOf(t *testing.T, img image.Image) digest.Digest {
	t.Helper()
	d, err := img.Digest()
	require.NoError(t, err)
	return d
}

func TestPushPull(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{})
	ref := reg.Ref(t, "team/app:1")
	img := registrytest.Image(t, "push-pull", amd64)

	var events []remote.Event
	opts := remote.Options{Progress: func(e remote.Event) { events = append(events, e) }}
	require.NoError(t, remote.Write(context.Background(), ref, img, opts))
	pushed := actions(events)
	if pushed[remote.ActionPushed] != 5 || pushed[remote.ActionPushing] == 0 { // 3 layers, config, manifest
		t.Errorf("first push: actions %v, want 5 pushed (3 layers, config, manifest)", pushed)
	}

	// Pushing again sends no blob: the registry has them all.
	events = nil
	require.NoError(t, remote.Write(context.Background(), ref, img, opts))
	if again := actions(events); again[remote.ActionExists] != 4 || again[remote.ActionPushing] != 0 {
		t.Errorf("second push: actions %v, want 4 exists and nothing pushing", again)
	}

	got, err := remote.Image(context.Background(), ref, remote.Options{})
	require.NoError(t, err)
	imagetest.Check(t, got)
	imagetest.Equal(t, img, got)
	cfg, _ := got.ConfigFile()
	if !slices.Equal(cfg.Config.Cmd, []string{"/bin/hello"}) {
		t.Errorf("pulled config Cmd = %q, want [/bin/hello]", cfg.Config.Cmd)
	}
	// The whiteout survives the round trip as an ordinary tar entry.
	layers, _ := got.Layers()
	if names := tarNames(t, layers[2]); !slices.Contains(names, "tmp/.wh.junk") {
		t.Errorf("top layer entries = %q, want the whiteout tmp/.wh.junk", names)
	}

	// By digest too, and Get tells what it is without pulling anything else.
	byDigest := ref
	byDigest.Tag, byDigest.Digest = "", digestOf(t, img)
	d, err := remote.Get(context.Background(), byDigest, remote.Options{})
	require.NoError(t, err)
	if d.MediaType != image.MediaTypeOCIManifest || d.Digest != byDigest.Digest {
		t.Errorf("Get(%s) = %s %s, want an OCI manifest %s", byDigest, d.MediaType, d.Digest, byDigest.Digest)
	}
}

// TestPushPullDocker: an image in Docker's media types (v2 schema 2) goes
// up and comes back as it was.
func TestPushPullDocker(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{})
	ref := reg.Ref(t, "docker/app:1")
	img := imagetest.DockerImage(t, "docker-types", 2)
	require.NoError(t, remote.Write(context.Background(), ref, img, remote.Options{}))
	got, err := remote.Image(context.Background(), ref, remote.Options{})
	require.NoError(t, err)
	imagetest.Check(t, got)
	imagetest.Equal(t, img, got)
	if mt, _ := got.MediaType(); mt != image.MediaTypeDockerManifest {
		t.Errorf("pulled MediaType() = %s, want %s", mt, image.MediaTypeDockerManifest)
	}
}

func actions(events []remote.Event) map[remote.Action]int {
	m := map[remote.Action]int{}
	for _, e := range events {
		m[e.Action]++
	}
	return m
}

func tarNames(t *testing.T, l image.Layer) []string {
	t.Helper()
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	var names []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		require.NoError(t, err)
		names = append(names, h.Name)
	}
}

// TestSkopeoSeesOurPush: another client reads what we pushed.
func TestSkopeoSeesOurPush(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{})
	ref := reg.Ref(t, "seen/by-skopeo:v1")
	img := registrytest.Image(t, "skopeo-reads", amd64)
	require.NoError(t, remote.Write(context.Background(), ref, img, remote.Options{}))

	var info struct {
		Digest       digest.Digest
		Architecture string
		Layers       []digest.Digest
	}
	out := imagetest.Skopeo(t, "inspect", "--tls-verify=false", "docker://"+ref.String())
	require.NoError(t, json.Unmarshal(out, &info))
	m, _ := img.Manifest()
	var want []digest.Digest
	for _, l := range m.Layers {
		want = append(want, l.Digest)
	}
	if info.Digest != digestOf(t, img) || !slices.Equal(info.Layers, want) || info.Architecture != "amd64" {
		t.Errorf("skopeo inspect = %+v, want digest %s, layers %v, amd64", info, digestOf(t, img), want)
	}
	raw := imagetest.Skopeo(t, "inspect", "--raw", "--tls-verify=false", "docker://"+ref.String())
	if wantRaw, _ := img.RawManifest(); string(raw) != string(wantRaw) {
		t.Errorf("skopeo inspect --raw = %s, want our manifest byte for byte: %s", raw, wantRaw)
	}
}

// TestPullSkopeoPush: we read what another client pushed, as OCI and as
// Docker v2 schema 2 (skopeo converts the manifest and config media types).
func TestPullSkopeoPush(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{})
	img := registrytest.Image(t, "skopeo-writes", amd64)
	dir := t.TempDir()
	registrytest.WriteOCILayout(t, dir, "v1", img)
	wantCfg, _ := img.ConfigFile()

	tests := []struct {
		name, format, mediaType, layerType string
	}{
		{"oci", "oci", image.MediaTypeOCIManifest, image.MediaTypeOCILayerGzip},
		{"docker", "v2s2", image.MediaTypeDockerManifest, image.MediaTypeDockerLayer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := reg.Ref(t, "from-skopeo/"+tt.name+":v1")
			imagetest.Skopeo(t, "copy", "--quiet", "--dest-tls-verify=false", "--format", tt.format,
				"oci:"+dir+":v1", "docker://"+ref.String())
			got, err := remote.Image(context.Background(), ref, remote.Options{})
			require.NoError(t, err)
			imagetest.Check(t, got)
			mt, _ := got.MediaType()
			layers, _ := got.Layers()
			lt, _ := layers[0].MediaType()
			cfg, _ := got.ConfigFile()
			if mt != tt.mediaType || lt != tt.layerType {
				t.Errorf("pulled media types = %s, layer %s; want %s, %s", mt, lt, tt.mediaType, tt.layerType)
			}
			if !slices.Equal(cfg.RootFS.DiffIDs, wantCfg.RootFS.DiffIDs) {
				t.Errorf("pulled DiffIDs = %v, want %v", cfg.RootFS.DiffIDs, wantCfg.RootFS.DiffIDs)
			}
			if tt.format == "oci" && digestOf(t, got) != digestOf(t, img) {
				t.Errorf("pulled digest = %s, want %s: skopeo copies OCI unchanged", digestOf(t, got), digestOf(t, img))
			}
		})
	}
}

func TestIndexPlatforms(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{})
	ref := reg.Ref(t, "multi:1")
	onAMD := registrytest.Image(t, "multi", amd64)
	onARM := registrytest.Image(t, "multi", arm64)
	idx := registrytest.Index(t,
		registrytest.IndexEntry{Image: onAMD, Platform: &amd64},
		registrytest.IndexEntry{Image: onARM, Platform: &arm64},
		registrytest.Attestation(t, onAMD))
	require.NoError(t, remote.WriteIndex(context.Background(), ref, idx, remote.Options{}))

	tests := []struct {
		platform image.Platform
		want     image.Image
	}{
		{amd64, onAMD},
		{arm64, onARM},
		{image.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, onARM},
	}
	for _, tt := range tests {
		got, err := pullAll(ref, remote.Options{Platform: tt.platform})
		if err != nil || digestOf(t, got) != digestOf(t, tt.want) {
			t.Errorf("Image(%s, %s) = %v, want %s", ref, tt.platform, err, digestOf(t, tt.want))
		}
	}

	_, err := remote.Image(context.Background(), ref, remote.Options{Platform: image.Platform{OS: "linux", Architecture: "s390x"}})
	want := "no image for linux/s390x in " + reg.Host + "/multi:1: it has linux/amd64, linux/arm64"
	if !errors.Is(err, remote.ErrNoPlatform) || err.Error() != want {
		t.Errorf("Image(linux/s390x) error = %v, want %q", err, want)
	}

	x, err := remote.Index(context.Background(), ref, remote.Options{})
	require.NoError(t, err)
	im, _ := x.IndexManifest()
	if len(im.Manifests) != 3 {
		t.Errorf("Index(%s) lists %d manifests, want 3", ref, len(im.Manifests))
	}
	// Every image the index lists reads back whole. (Not CheckIndex: the
	// attestation's layer is an in-toto statement, not a tar.)
	for _, m := range im.Manifests[:2] {
		child, err := x.Image(m.Digest)
		require.NoError(t, err)
		imagetest.Check(t, child)
	}
	child, err := x.Image(im.Manifests[1].Digest)
	if err != nil || digestOf(t, child) != digestOf(t, onARM) {
		t.Errorf("Index.Image(%s) = %v, want the arm64 image", im.Manifests[1].Digest, err)
	}
	if _, err := remote.Index(context.Background(), reg.Ref(t, "multi@"+string(digestOf(t, onARM))), remote.Options{}); err == nil {
		t.Errorf("Index of a single image: no error, want one")
	}
}

func TestNotFound(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{})
	require.NoError(t, remote.Write(context.Background(), reg.Ref(t, "there:1"), registrytest.Image(t, "nf", amd64), remote.Options{}))
	for _, name := range []string{"there:2", "nowhere:1"} {
		ref := reg.Ref(t, name)
		_, err := remote.Image(context.Background(), ref, remote.Options{})
		if !errors.Is(err, remote.ErrNotFound) || !strings.Contains(err.Error(), ref.Familiar()) {
			t.Errorf("Image(%s) error = %v, want ErrNotFound naming %s", ref, err, ref.Familiar())
		}
	}
}

// TestLayerMediaTypes: layers mydocker cannot decompress fail with the
// image package's errors, before any download.
func TestLayerMediaTypes(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{})
	proxy := registrytest.NewFaultProxy(t, reg)
	tests := []struct {
		mediaType string
		check     func(error) bool
	}{
		{image.MediaTypeOCILayerZstd, func(err error) bool { return errors.Is(err, image.ErrZstd) }},
		{"application/vnd.example.layer.v1+lz4", func(err error) bool {
			var u *image.UnknownMediaTypeError
			return errors.As(err, &u) && u.MediaType == "application/vnd.example.layer.v1+lz4"
		}},
	}
	for i, tt := range tests {
		img, err := image.Build(image.ConfigFile{}, []image.Layer{registrytest.BlobLayer([]byte("not really compressed"+tt.mediaType), tt.mediaType)})
		require.NoError(t, err)
		ref := registrytest.MustParse(t, proxy.Host+"/types:"+string(rune('a'+i)))
		require.NoError(t, remote.Write(context.Background(), ref, img, remote.Options{}))
		got, err := remote.Image(context.Background(), ref, remote.Options{})
		require.NoError(t, err)
		layers, _ := got.Layers()
		before := len(proxy.Requests())
		_, err = layers[0].Uncompressed()
		if !tt.check(err) {
			t.Errorf("Uncompressed() of a %s layer: error %v", tt.mediaType, err)
		}
		if n := len(proxy.Requests()) - before; n != 0 {
			t.Errorf("Uncompressed() of a %s layer sent %d requests, want none", tt.mediaType, n)
		}
	}
}

func TestCredentialsFileMode(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MYDOCKER_CONFIG", dir)
	reg := registrytest.Start(t, registrytest.Options{}) // an open registry: any login works
	require.NoError(t, remote.Login(context.Background(), reg.Host, "u", "p", remote.Options{}))
	fi, err := os.Stat(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config.json mode = %v, want 0600", fi.Mode().Perm())
	}
}

package tarball

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/layout"
)

func diffIDs(t *testing.T, img image.Image) []digest.Digest {
	cfg, err := img.ConfigFile()
	require.NoError(t, err)
	return cfg.RootFS.DiffIDs
}

func TestSkopeoReadsWhatWeWrite(t *testing.T) {
	for _, busybox := range []image.Image{imagetest.Image(t, "busybox", 3), imagetest.DockerImage(t, "busybox", 3)} {
		mt, _ := busybox.MediaType()
		t.Run(mt, func(t *testing.T) { skopeoReads(t, busybox) })
	}
}

func skopeoReads(t *testing.T, busybox image.Image) {
	alpine := imagetest.Image(t, "alpine", 1)
	one := write(t, []Entry{{RepoTags: []string{"busybox:latest"}, Image: busybox}})
	two := write(t, []Entry{{RepoTags: []string{"busybox:latest"}, Image: busybox}, {RepoTags: []string{"alpine:3"}, Image: alpine}})
	raw, _ := busybox.RawManifest()
	config, _ := busybox.ConfigName()

	// As an oci-archive, the manifest is ours, byte for byte.
	if got := imagetest.Skopeo(t, "inspect", "--raw", "oci-archive:"+one); string(got) != string(raw) {
		t.Errorf("skopeo inspect --raw oci-archive:FILE =\n%s\nwant\n%s", got, raw)
	}
	// As a docker-archive, skopeo makes a manifest of the config and the
	// layers, which it names by DiffID: the config and DiffIDs must be ours.
	for _, ref := range []string{"docker-archive:" + one, "docker-archive:" + two + ":busybox:latest"} {
		var m image.Manifest
		require.NoError(t, json.Unmarshal(imagetest.Skopeo(t, "inspect", "--raw", ref), &m))
		var layers []digest.Digest
		for _, l := range m.Layers {
			layers = append(layers, l.Digest)
		}
		if m.Config.Digest != config || !reflect.DeepEqual(layers, diffIDs(t, busybox)) {
			t.Errorf("skopeo inspect --raw %s: config %s, layers %v; want config %s, layers %v", ref, m.Config.Digest, layers, config, diffIDs(t, busybox))
		}
	}
	// skopeo's docker-archive reader decompresses our gzip layers to
	// the DiffIDs: its copy has the same filesystem. (It rewrites the
	// config as it converts to OCI, so the config digest differs.)
	dir := t.TempDir()
	imagetest.Skopeo(t, "copy", "docker-archive:"+two+":alpine:3", "oci:"+dir+":alpine")
	l, err := layout.Open(dir)
	require.NoError(t, err)
	copied, err := l.ImageByRef("alpine")
	require.NoError(t, err)
	imagetest.Check(t, copied)
	if got, want := diffIDs(t, copied), diffIDs(t, alpine); !reflect.DeepEqual(got, want) {
		t.Errorf("skopeo copy docker-archive:FILE:alpine:3 gave DiffIDs %v, want %v", got, want)
	}
}

func mustConfig(img image.Image) digest.Digest { d, _ := img.ConfigName(); return d }

func TestWeReadWhatSkopeoWrites(t *testing.T) {
	busybox := imagetest.Image(t, "busybox", 3)
	src := t.TempDir()
	l, err := layout.Create(src)
	require.NoError(t, err)
	require.NoError(t, l.Write(busybox, map[string]string{layout.AnnotationRefName: "busybox"}))
	tmp := t.TempDir()
	docker, oci := filepath.Join(tmp, "docker.tar"), filepath.Join(tmp, "oci.tar")
	imagetest.Skopeo(t, "copy", "oci:"+src+":busybox", "docker-archive:"+docker+":busybox:latest")
	imagetest.Skopeo(t, "copy", "oci:"+src+":busybox", "oci-archive:"+oci+":busybox:latest")

	// skopeo's docker-archive is legacy: uncompressed layers, no manifest.
	tb := open(t, docker)
	require.Len(t, tb.Entries, 1)
	e := tb.Entries[0]
	imagetest.Check(t, e.Image)
	if !e.Legacy || !reflect.DeepEqual(e.RepoTags, []string{"docker.io/library/busybox:latest"}) {
		t.Errorf("skopeo's docker-archive: Legacy %v, RepoTags %q; want true, [docker.io/library/busybox:latest]", e.Legacy, e.RepoTags)
	}
	if mustConfig(e.Image) != mustConfig(busybox) || !reflect.DeepEqual(diffIDs(t, e.Image), diffIDs(t, busybox)) {
		t.Errorf("skopeo's docker-archive read as config %s, want %s", mustConfig(e.Image), mustConfig(busybox))
	}
	// Its oci-archive keeps the manifest, and so the digest.
	tb = open(t, oci)
	require.Len(t, tb.Entries, 1)
	imagetest.Check(t, tb.Entries[0].Image)
	imagetest.Equal(t, tb.Entries[0].Image, busybox)
	if got := tb.Entries[0].RepoTags; !reflect.DeepEqual(got, []string{"busybox:latest"}) {
		t.Errorf("skopeo's oci-archive: RepoTags %q, want [busybox:latest]", got)
	}
}

package layout

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
)

// inspected is the part of `skopeo inspect` we compare.
type inspected struct {
	Digest digest.Digest
	Layers []digest.Digest
}

func inspect(t *testing.T, ref string) inspected {
	var got inspected
	require.NoError(t, json.Unmarshal(imagetest.Skopeo(t, "inspect", ref), &got))
	return got
}

func layerDigests(t *testing.T, img image.Image) []digest.Digest {
	m, err := img.Manifest()
	require.NoError(t, err)
	var ds []digest.Digest
	for _, l := range m.Layers {
		ds = append(ds, l.Digest)
	}
	return ds
}

func TestSkopeoReadsWhatWeWrite(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir)
	require.NoError(t, err)
	busybox := imagetest.Image(t, "busybox", 3)
	require.NoError(t, l.Write(busybox, map[string]string{AnnotationRefName: "busybox:latest"}))
	require.NoError(t, l.Write(imagetest.Image(t, "alpine", 1), map[string]string{AnnotationRefName: "alpine"}))
	raw, _ := busybox.RawManifest()

	// Docker's media types in an OCI layout, as a pull from Docker Hub
	// stores them. skopeo 1.9 looks names up only among entries of OCI
	// media types ("no descriptor found for reference"), so this one is
	// the layout's only image, which skopeo takes without a name.
	hubDir := t.TempDir()
	hubLayout, err := Create(hubDir)
	require.NoError(t, err)
	hub := imagetest.DockerImage(t, "hub", 2)
	require.NoError(t, hubLayout.Write(hub, map[string]string{AnnotationRefName: "hub"}))
	hubRaw, _ := hub.RawManifest()
	if got := imagetest.Skopeo(t, "inspect", "--raw", "oci:"+hubDir); string(got) != string(hubRaw) {
		t.Errorf("skopeo inspect --raw oci:DIR (a Docker manifest) =\n%s\nwant\n%s", got, hubRaw)
	}

	if got := imagetest.Skopeo(t, "inspect", "--raw", "oci:"+dir+":busybox:latest"); string(got) != string(raw) {
		t.Errorf("skopeo inspect --raw oci:DIR:busybox:latest =\n%s\nwant\n%s", got, raw)
	}
	got := inspect(t, "oci:"+dir+":busybox:latest")
	if want := (inspected{manifestDigest(t, busybox), layerDigests(t, busybox)}); !reflect.DeepEqual(got, want) {
		t.Errorf("skopeo inspect oci:DIR:busybox:latest = %+v, want %+v", got, want)
	}

	archive := filepath.Join(t.TempDir(), "busybox.tar")
	f, err := os.Create(archive)
	require.NoError(t, err)
	require.NoError(t, WriteArchive(f, busybox, map[string]string{AnnotationRefName: "busybox"}))
	require.NoError(t, f.Close())
	if got := imagetest.Skopeo(t, "inspect", "--raw", "oci-archive:"+archive); string(got) != string(raw) {
		t.Errorf("skopeo inspect --raw oci-archive:FILE =\n%s\nwant\n%s", got, raw)
	}
	// And skopeo copies out of both without changing a digest.
	out := t.TempDir()
	imagetest.Skopeo(t, "copy", "oci-archive:"+archive, "oci:"+out+":from-archive")
	imagetest.Skopeo(t, "copy", "oci:"+dir+":busybox:latest", "oci:"+out+":from-dir")
	back, err := Open(out)
	require.NoError(t, err)
	for _, name := range []string{"from-archive", "from-dir"} {
		img, err := back.ImageByRef(name)
		require.NoError(t, err, name)
		imagetest.Check(t, img)
		imagetest.Equal(t, img, busybox)
	}
}

func TestWeReadWhatSkopeoWrites(t *testing.T) {
	src := t.TempDir()
	l, err := Create(src)
	require.NoError(t, err)
	busybox := imagetest.Image(t, "busybox", 2)
	require.NoError(t, l.Write(busybox, map[string]string{AnnotationRefName: "busybox"}))
	tmp := t.TempDir()
	archive := filepath.Join(tmp, "skopeo.tar")
	imagetest.Skopeo(t, "copy", "oci:"+src+":busybox", "oci-archive:"+archive+":busybox")
	imagetest.Skopeo(t, "copy", "oci:"+src+":busybox", "oci:"+tmp+"/dir:copied")
	// skopeo into an existing layout of ours: our GC must respect it.
	imagetest.Skopeo(t, "copy", "oci:"+src+":busybox", "oci:"+src+":by-skopeo")

	a, err := ReadArchive(archive)
	require.NoError(t, err)
	defer a.Close()
	d, err := Open(tmp + "/dir")
	require.NoError(t, err)
	for name, ref := range map[*Layout]string{a: "busybox", d: "copied", l: "by-skopeo"} {
		img, err := name.ImageByRef(ref)
		require.NoError(t, err, ref)
		imagetest.Check(t, img)
		imagetest.Equal(t, img, busybox)
	}
	require.NoError(t, l.Untag("busybox"))
	removed, err := l.GC()
	if err != nil || len(removed) != 0 {
		t.Errorf("GC() with the image still named by skopeo = %v, %v; want nothing removed", removed, err)
	}
}

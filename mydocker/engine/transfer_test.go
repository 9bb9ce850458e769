package engine

import (
	"archive/tar"
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/store"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// An event is a layer's step or a message, printed as docker prints it.
func ExampleEvent_String() {
	fmt.Println(Event{ID: "a3ed95caeb02", Status: store.Downloading, Done: 1, Total: 2})
	fmt.Println(Event{ID: "latest", Message: "Pulling from library/busybox"})
	fmt.Println(Event{Message: "Loaded image: busybox:latest"})
	// Output:
	// a3ed95caeb02: Downloading
	// latest: Pulling from library/busybox
	// Loaded image: busybox:latest
}

// An image's line under each of its names, as `images` and the daemon's
// client list it, and which lines `images REPOSITORY[:TAG]` keeps.
func ExampleNewImageSummary() {
	for _, ref := range []string{"docker.io/library/busybox:1.36", "127.0.0.1:5000/app", ""} {
		sum := NewImageSummary(ref, "sha256:0123", time.Time{}, 0)
		fmt.Println(sum.Repository, sum.Tag, sum.Matches("busybox"), sum.Matches("busybox:1.36"), sum.Matches(""))
	}
	// Output:
	// busybox 1.36 true true true
	// 127.0.0.1:5000/app latest false false true
	// <none> <none> false false true
}

// rootfsTar is a root filesystem of one file.
func rootfsTar(t *testing.T) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "hello", Mode: 0o644, Size: 2, Typeflag: tar.TypeReg}))
	_, err := tw.Write([]byte("hi"))
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

// Import, tag and save in one data root, load in another: the image keeps
// its ID and its tag, and each step says what it did.
func TestImagesImportSaveLoad(t *testing.T) {
	testenv.RequireRoot(t, "the store unpacks layers with their owners")
	a := &Images{DataRoot: t.TempDir()}
	id, err := a.Import(bytes.NewReader(rootfsTar(t)), "box:1")
	require.NoError(t, err)
	require.NoError(t, a.Tag("box:1", "box:2"))
	list, err := a.List("box")
	require.NoError(t, err)
	var tags []string
	for _, s := range list {
		tags = append(tags, s.Repository+":"+s.Tag)
		if s.ID != id {
			t.Errorf("List(box) has %s with ID %s, want %s", s.Repository+":"+s.Tag, s.ID, id)
		}
	}
	if len(tags) != 2 {
		t.Errorf("List(box) = %q, want box:1 and box:2", tags)
	}
	if err := a.Tag("box:1", "Not A Name"); err == nil {
		t.Errorf("Tag(box:1, %q) = nil, want an invalid reference", "Not A Name")
	}

	var saved bytes.Buffer
	require.NoError(t, a.Save(&saved, []string{"box:1"}))
	// A new data root, not made yet; the stream is spooled there, not in
	// $TMPDIR (a tmpfs /tmp would hold a large load in memory).
	b := &Images{DataRoot: filepath.Join(t.TempDir(), "new")}
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "absent"))
	var said []string
	require.NoError(t, b.Load(&saved, func(e Event) { said = append(said, e.String()) }))
	if want := []string{"Loaded image: box:1"}; !reflect.DeepEqual(said, want) {
		t.Errorf("Load said %q, want %q", said, want)
	}
	got, err := b.Inspect("box:1")
	require.NoError(t, err)
	if got.ID != id || !reflect.DeepEqual(got.RepoTags, []string{"box:1"}) {
		t.Errorf("Inspect(box:1) after load = ID %s, tags %q; want %s, [box:1]", got.ID, got.RepoTags, id)
	}
}

package tarfs

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

type ent struct {
	name, body, link string
	flag             byte
}

func mkTar(t *testing.T, ents []ent) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: e.flag, Linkname: e.link}
		if e.flag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if hdr.Typeflag != tar.TypeReg {
			hdr.Size = 0
		}
		require.NoError(t, tw.WriteHeader(hdr))
		_, err := tw.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

var docker = []ent{
	{name: "./manifest.json", body: `[{"Config":"abc.json"}]`},
	{name: "abc.json", body: "{}"},
	{name: "layers/", flag: tar.TypeDir},
	{name: "layers/1.tar", body: strings.Repeat("x", 5000)}, // spans blocks
	{name: "id1/layer.tar", flag: tar.TypeSymlink, link: "../layers/1.tar"},
	{name: "id2/layer.tar", flag: tar.TypeLink, link: "layers/1.tar"},
	{name: "deep/a/b/c", body: "implied parents"},
	{name: "abc.json", body: `{"replaced":true}`}, // later entries win
}

func writeTemp(t *testing.T, b []byte) string {
	p := filepath.Join(t.TempDir(), "a.tar")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

func TestFS(t *testing.T) {
	fsys, err := Open(writeTemp(t, mkTar(t, docker)))
	require.NoError(t, err)
	defer fsys.Close()
	if err := fstest.TestFS(fsys, "manifest.json", "abc.json", "layers/1.tar", "id1/layer.tar", "id2/layer.tar", "deep/a/b/c"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, want string }{
		{"manifest.json", `[{"Config":"abc.json"}]`},
		{"abc.json", `{"replaced":true}`},
		{"id1/layer.tar", strings.Repeat("x", 5000)},
		{"id2/layer.tar", strings.Repeat("x", 5000)},
		{"deep/a/b/c", "implied parents"},
	}
	for _, tt := range tests {
		got, err := fs.ReadFile(fsys, tt.name)
		if err != nil || string(got) != tt.want {
			t.Errorf("ReadFile(%q) = %.20q, %v; want %.20q", tt.name, got, err, tt.want)
		}
	}
	if _, err := fsys.Open("missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(%q) error = %v, want fs.ErrNotExist", "missing", err)
	}
}

func TestFromReaderLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	fsys, err := FromReader(bytes.NewReader(mkTar(t, docker)), dir)
	require.NoError(t, err)
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Errorf("temp dir holds %d files while the FS is open, want 0 (the copy is unlinked)", len(left))
	}
	got, err := fs.ReadFile(fsys, "layers/1.tar")
	if err != nil || len(got) != 5000 {
		t.Errorf("ReadFile(layers/1.tar) = %d bytes, %v; want 5000", len(got), err)
	}
	require.NoError(t, fsys.Close())
}

func TestBadTars(t *testing.T) {
	good := mkTar(t, docker)
	tests := []struct {
		name string
		data []byte
	}{
		{"garbage", bytes.Repeat([]byte("not a tar "), 200)},
		// manifest.json, abc.json and layers/ take 5 blocks of 512 bytes,
		// then comes the header of layers/1.tar, then its data.
		{"cut in a file's data", good[:6*512+1000]},
		{"cut in a header", good[:5*512+200]},
	}
	for _, tt := range tests {
		fsys, err := Open(writeTemp(t, tt.data))
		if err == nil {
			fsys.Close()
		}
		if !errors.Is(err, ErrNotTar) {
			t.Errorf("Open(%s) error = %v, want ErrNotTar", tt.name, err)
		}
	}
	// A stream that breaks is an error too, and leaves no temp file.
	dir := t.TempDir()
	_, err := FromReader(io.MultiReader(bytes.NewReader(good[:512]), errReader{}), dir)
	left, _ := os.ReadDir(dir)
	if err == nil || len(left) != 0 {
		t.Errorf("FromReader(broken stream) = %v, %d files left; want an error, 0 files", err, len(left))
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

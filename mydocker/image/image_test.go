package image

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"
)

func TestBuild(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "hello", Mode: 0o644, Size: 2, Typeflag: tar.TypeReg})
	tw.Write([]byte("hi"))
	tw.Close()
	l, err := LayerFromTar(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	img, err := Build(ConfigFile{Config: Config{Cmd: []string{"sh"}}}, []Layer{l})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	diffID, _ := l.DiffID()
	if len(cfg.RootFS.DiffIDs) != 1 || cfg.RootFS.DiffIDs[0] != diffID || cfg.OS != "linux" {
		t.Errorf("config = %+v, want one DiffID %s and os linux", cfg, diffID)
	}
	rc, _ := l.Uncompressed()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("Uncompressed = %d bytes, %v; want the tar back", len(got), err)
	}
}

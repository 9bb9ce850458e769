package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func ExampleChainID() {
	a := Digest("sha256:" + strings.Repeat("a", 64))
	b := Digest("sha256:" + strings.Repeat("b", 64))
	fmt.Println(ChainID([]Digest{a}) == a)
	fmt.Println(ChainID([]Digest{a, b}) == FromBytes([]byte(string(a)+" "+string(b))))
	// Output:
	// true
	// true
}

func TestVerifyReader(t *testing.T) {
	data := []byte("layer bytes")
	good := FromBytes(data)
	tests := []struct {
		name string
		want Digest
		size int64
		err  bool
	}{
		{"right digest and size", good, int64(len(data)), false},
		{"size unknown", good, -1, false},
		{"wrong digest", FromBytes([]byte("other")), int64(len(data)), true},
		{"truncated", good, int64(len(data)) + 5, true},
		{"too long", good, 3, true},
	}
	for _, tt := range tests {
		_, err := io.ReadAll(VerifyReader(io.NopCloser(bytes.NewReader(data)), tt.want, tt.size))
		if (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrDigestMismatch)) {
			t.Errorf("%s: ReadAll error %v, want error %v", tt.name, err, tt.err)
		}
	}
}

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

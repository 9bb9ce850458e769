package imagetest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

// recorder is a reporter that keeps what it is told.
type recorder struct{ errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// liar is an image that misreports one thing about itself.
type liar struct {
	image.Image
	digest    digest.Digest
	mediaType string
	config    []byte
	layers    []image.Layer
}

func (l liar) Digest() (digest.Digest, error) {
	if l.digest != "" {
		return l.digest, nil
	}
	return l.Image.Digest()
}

func (l liar) MediaType() (string, error) {
	if l.mediaType != "" {
		return l.mediaType, nil
	}
	return l.Image.MediaType()
}

func (l liar) RawConfig() ([]byte, error) {
	if l.config != nil {
		return l.config, nil
	}
	return l.Image.RawConfig()
}

func (l liar) Layers() ([]image.Layer, error) {
	if l.layers != nil {
		return l.layers, nil
	}
	return l.Image.Layers()
}

// lyingLayer is a layer that misreports, or serves the wrong bytes.
type lyingLayer struct {
	image.Layer
	diffID       digest.Digest
	compressed   []byte
	uncompressed []byte
	reads        int
}

func (l *lyingLayer) DiffID() (digest.Digest, error) {
	if l.diffID != "" {
		return l.diffID, nil
	}
	return l.Layer.DiffID()
}

func (l *lyingLayer) Compressed() (io.ReadCloser, error) {
	l.reads++
	if l.compressed != nil {
		return io.NopCloser(bytes.NewReader(l.compressed)), nil
	}
	return l.Layer.Compressed()
}

func (l *lyingLayer) Uncompressed() (io.ReadCloser, error) {
	if l.uncompressed != nil {
		return io.NopCloser(bytes.NewReader(l.uncompressed)), nil
	}
	return l.Layer.Uncompressed()
}

// flaky gives other bytes on its second read.
type flaky struct{ lyingLayer }

func (f *flaky) Compressed() (io.ReadCloser, error) {
	f.reads++
	if f.reads == 2 {
		return io.NopCloser(strings.NewReader("other")), nil
	}
	return f.Layer.Compressed()
}

func TestCheckFindsLies(t *testing.T) {
	good := Image(t, "liar", 2)
	layers, _ := good.Layers()
	swap := func(i int, l image.Layer) []image.Layer {
		ls := append([]image.Layer(nil), layers...)
		ls[i] = l
		return ls
	}
	tests := []struct {
		name string
		img  image.Image
		want string // in one of the errors; "" for no errors
	}{
		{"the honest image", good, ""},
		{"Digest is not the manifest's", liar{Image: good, digest: digest.FromBytes([]byte("x"))}, "Digest() = "},
		{"MediaType is Docker's for an OCI manifest", liar{Image: good, mediaType: image.MediaTypeDockerManifest}, "MediaType() = "},
		{"config bytes changed", liar{Image: good, config: []byte(`{"rootfs":{"type":"layers"}}`)}, "RawConfig() hashes to"},
		{"a layer missing", liar{Image: good, layers: layers[:1]}, "Layers() gives 1 layers"},
		{"layers swapped", liar{Image: good, layers: []image.Layer{layers[1], layers[0]}}, "Digest() = "},
		{"a DiffID wrong", liar{Image: good, layers: swap(0, &lyingLayer{Layer: layers[0], diffID: digest.FromBytes(nil)})}, "DiffID() = "},
		{"compressed bytes unverified", liar{Image: good, layers: swap(1, &lyingLayer{Layer: layers[1], compressed: []byte("junk")})}, "Compressed() read 1 gives 4 bytes"},
		{"uncompressed is another tar", liar{Image: good, layers: swap(1, &lyingLayer{Layer: layers[1], uncompressed: Tar(map[string]string{"x": "y"})})}, "Uncompressed() read 1 gives"},
		{"uncompressed is not a tar", liar{Image: good, layers: swap(0, &lyingLayer{Layer: layers[0], uncompressed: bytes.Repeat([]byte("garbage!"), 100)})}, "not a tar"},
		{"second read differs", liar{Image: good, layers: swap(0, &flaky{lyingLayer{Layer: layers[0]}})}, "Compressed() read 2 gives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			check(&r, tt.img)
			got := strings.Join(r.errs, "\n")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("Check found:\n%s\nwant an error containing %q", got, tt.want)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	a, b := Image(t, "a", 2), Image(t, "a", 2)
	Equal(t, a, b) // deterministic fixtures
	var r recorder
	equal(&r, a, Image(t, "b", 2))
	if len(r.errs) != 3 {
		t.Errorf("Equal(a, b) found %d differences, want 3 (manifest, config, layers):\n%s", len(r.errs), strings.Join(r.errs, "\n"))
	}
}

func TestFixturesPass(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		Check(t, Image(t, "fixture", n))
		Check(t, DockerImage(t, "fixture", n))
	}
}

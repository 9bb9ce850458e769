package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/image"
)

func TestLimitsFromEnv(t *testing.T) {
	tests := []struct {
		env     map[string]string
		want    Limits
		wantErr bool
	}{
		{nil, Limits{}, false},
		{map[string]string{EnvMaxLayerSize: "8m"}, Limits{Layer: archive.Limits{Size: 8 << 20}}, false},
		{map[string]string{EnvMaxLayerSize: "1.5GiB", EnvMaxLayerEntries: "2e6"}, Limits{Layer: archive.Limits{Size: 3 << 29, Entries: 2_000_000}}, false},
		{map[string]string{EnvMaxImageSize: "-1"}, Limits{Image: -1}, false},
		{map[string]string{EnvMaxLayerSize: "lots"}, Limits{}, true},
		{map[string]string{EnvMaxLayerSize: "0"}, Limits{}, true},
		{map[string]string{EnvMaxLayerSize: "5x"}, Limits{}, true},
	}
	for _, tt := range tests {
		got, err := LimitsFromEnv(func(k string) string { return tt.env[k] })
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("LimitsFromEnv(%v) = %+v, %v; want %+v, error %v", tt.env, got, err, tt.want, tt.wantErr)
		}
	}
}

// The limit on an image: two layers of 3 MiB each pass a 4 MiB limit per
// layer, and not one of 5 MiB on the image; the error names the layer and
// how to raise the limit; no half-made layer is left (a layer that was
// complete before the limit was reached stays, as after any failed pull:
// the next try reuses it).
func TestImageLimit(t *testing.T) {
	requireRoot(t)
	var layers []image.Layer
	for _, name := range []string{"a", "b"} {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: 3 << 20})
		tw.Write(bytes.Repeat([]byte(name), 3<<20))
		tw.Close()
		l, err := image.LayerFromTar(buf.Bytes())
		require.NoError(t, err)
		layers = append(layers, l)
	}
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	s.Limits = Limits{Layer: archive.Limits{Size: 4 << 20}, Image: 5 << 20}
	_, err = s.Unpack(layers, nil)
	if !errors.Is(err, archive.ErrLimit) || !strings.Contains(err.Error(), "the limit per image") ||
		!strings.Contains(err.Error(), EnvMaxImageSize) || !strings.Contains(err.Error(), "layer sha256:") {
		t.Fatalf("Unpack over the image's limit = %v", err)
	}
	entries, _ := os.ReadDir(s.Dir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left in the layer store: %s", e.Name())
		}
	}
	if len(entries) > 1 {
		t.Errorf("%d layers in the store after the image went over its limit, want at most the one that finished first", len(entries))
	}
	s.Limits.Image = 7 << 20 // both layers, headers and all
	_, err = s.Unpack(layers, nil)
	require.NoError(t, err)
}

package image_test

import (
	"errors"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
)

func TestBuildIndex(t *testing.T) {
	// One entry of each manifest type; the arm64 one's config must say
	// arm64, or CheckIndex rightly objects.
	amd := imagetest.DockerImage(t, "amd", 1)
	layers, _ := imagetest.Image(t, "arm", 2).Layers()
	arm, err := image.Build(image.ConfigFile{OS: "linux", Architecture: "arm64", Variant: "v8"}, layers)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	amdP, armP := &image.Platform{OS: "linux", Architecture: "amd64"}, &image.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	note := map[string]string{"org.example.note": "arm"}
	idx, err := image.BuildIndex([]image.IndexEntry{{Image: amd, Platform: amdP}, {Image: arm, Platform: armP, Annotations: note}})
	if err != nil {
		t.Fatalf("BuildIndex: %v", err)
	}
	imagetest.CheckIndex(t, idx)

	if mt, _ := idx.MediaType(); mt != image.MediaTypeOCIIndex {
		t.Errorf("MediaType() = %q, want %q", mt, image.MediaTypeOCIIndex)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatalf("IndexManifest: %v", err)
	}
	// The entries are listed in order, each under its platform and
	// annotations, and Image finds each by its digest.
	want := []struct {
		img image.Image
		p   *image.Platform
		ann map[string]string
	}{{amd, amdP, nil}, {arm, armP, note}}
	if len(m.Manifests) != len(want) {
		t.Fatalf("IndexManifest() lists %d manifests, want %d", len(m.Manifests), len(want))
	}
	for i, w := range want {
		d, _ := w.img.Digest()
		mt, _ := w.img.MediaType()
		got := m.Manifests[i]
		if got.Digest != d || got.MediaType != mt || !reflect.DeepEqual(got.Platform, w.p) || !reflect.DeepEqual(got.Annotations, w.ann) {
			t.Errorf("Manifests[%d] = %+v, want digest %s, media type %s, platform %+v, annotations %v", i, got, d, mt, w.p, w.ann)
		}
		img, err := idx.Image(d)
		if err != nil || img != w.img {
			t.Errorf("Image(%s) = %v, %v; want entry %d's image", d, img, err, i)
		}
	}

	unknown := digest.FromBytes([]byte("not listed"))
	if _, err := idx.Image(unknown); err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), string(unknown)) {
		t.Errorf("Image(%s) error = %v, want one naming the digest and wrapping os.ErrNotExist", unknown, err)
	}
}

// An image made here without a platform (import, commit of nothing) is for
// this machine: the OS and CPU mydocker was built for. chapters/05-images
// runs a mydocker built for another CPU to prove it is not a constant that
// happens to match the test machine's.
func TestBuildRecordsThisMachine(t *testing.T) {
	img, err := image.Build(image.ConfigFile{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != runtime.GOOS || cfg.Architecture != runtime.GOARCH {
		t.Errorf("Build(ConfigFile{}) is for %s/%s, want %s/%s", cfg.OS, cfg.Architecture, runtime.GOOS, runtime.GOARCH)
	}
	// A platform given is kept.
	img, _ = image.Build(image.ConfigFile{OS: "linux", Architecture: "riscv64"}, nil)
	if cfg, _ := img.ConfigFile(); cfg.Architecture != "riscv64" {
		t.Errorf("Build kept architecture %q, want riscv64", cfg.Architecture)
	}
}

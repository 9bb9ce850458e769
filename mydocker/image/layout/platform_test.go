package layout

import (
	"fmt"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

func desc(name string, p *image.Platform, ann map[string]string) image.Descriptor {
	return image.Descriptor{MediaType: image.MediaTypeOCIManifest, Digest: digest.Digest(name), Platform: p, Annotations: ann}
}

// A BuildKit image: two platforms, each with an attestation beside it.
var buildkit = &image.IndexManifest{SchemaVersion: 2, Manifests: []image.Descriptor{
	desc("amd64", &image.Platform{OS: "linux", Architecture: "amd64"}, nil),
	desc("arm64", &image.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, nil),
	desc("armv6", &image.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, nil),
	desc("armv7", &image.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, nil),
	desc("att-amd64", &image.Platform{OS: "unknown", Architecture: "unknown"}, map[string]string{"vnd.docker.reference.type": "attestation-manifest"}),
}}

func ExampleSelectPlatform() {
	for _, p := range []image.Platform{
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "aarch64"}, // uname's name; no variant means v8
		{OS: "linux", Architecture: "arm"},     // no variant means v7
		{OS: "linux", Architecture: "arm", Variant: "v6"},
		{OS: "linux", Architecture: "riscv64"},
	} {
		d, err := SelectPlatform(buildkit, p)
		fmt.Printf("%s: %s%v\n", p, d.Digest, err)
	}
	// Output:
	// linux/amd64: amd64<nil>
	// linux/aarch64: arm64<nil>
	// linux/arm: armv7<nil>
	// linux/arm/v6: armv6<nil>
	// linux/riscv64: no manifest for the platform linux/riscv64 (the index has: linux/amd64, linux/arm64/v8, linux/arm/v6, linux/arm/v7)
}

func TestSelectPlatform(t *testing.T) {
	amd := &image.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name string
		idx  []image.Descriptor
		p    image.Platform
		want digest.Digest // "" for an error
	}{
		{"only an attestation", []image.Descriptor{buildkit.Manifests[4]}, *amd, ""},
		{"one entry without a platform", []image.Descriptor{desc("only", nil, nil)}, *amd, "only"},
		{"two entries without a platform", []image.Descriptor{desc("a", nil, nil), desc("b", nil, nil)}, *amd, ""},
		{"a platform beats none", []image.Descriptor{desc("none", nil, nil), desc("amd", amd, nil)}, *amd, "amd"},
		{"amd64/v3 when amd64 is asked", []image.Descriptor{desc("v3", &image.Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}, nil)}, *amd, "v3"},
		{"x86_64 is amd64", []image.Descriptor{desc("amd", amd, nil)}, image.Platform{OS: "linux", Architecture: "x86_64"}, "amd"},
		{"windows is not linux", []image.Descriptor{desc("win", &image.Platform{OS: "windows", Architecture: "amd64"}, nil)}, *amd, ""},
		{"unmarked unknown/unknown is skipped", []image.Descriptor{desc("att", &image.Platform{OS: "unknown", Architecture: "unknown"}, nil)}, image.Platform{OS: "unknown", Architecture: "unknown"}, ""},
	}
	for _, tt := range tests {
		d, err := SelectPlatform(&image.IndexManifest{Manifests: tt.idx}, tt.p)
		if d.Digest != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("%s: SelectPlatform(%s) = %q, %v; want %q", tt.name, tt.p, d.Digest, err, tt.want)
		}
	}
}

// A multi-platform image is an index with one manifest per platform; a
// client picks its own. Since BuildKit, indexes also list attestations
// (provenance, SBOMs) as manifests of platform "unknown/unknown", marked by
// the annotation vnd.docker.reference.type: they are not images to run.

package layout

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mydocker/mydocker/mydocker/image"
)

// ErrNoPlatform is returned when an index has no manifest for a platform.
var ErrNoPlatform = errors.New("no manifest for the platform")

// SelectPlatform picks p's manifest (or nested index) from idx, skipping
// attestations. The OS and architecture must match, after normalising names
// like x86_64 and aarch64, and so must the variant, where no variant means
// the architecture's usual one (v8 for arm64, v7 for arm); if p names no
// variant and none matches exactly, the first of any variant will do. An
// entry without a platform is taken only if it is the only one.
func SelectPlatform(idx *image.IndexManifest, p image.Platform) (image.Descriptor, error) {
	p = normalize(p)
	var best, untagged []image.Descriptor
	var seen []string
	for _, d := range idx.Manifests {
		if isAttestation(d) {
			continue
		}
		if d.Platform == nil {
			untagged = append(untagged, d)
			continue
		}
		q := normalize(*d.Platform)
		seen = append(seen, q.String())
		if q.OS != p.OS || q.Architecture != p.Architecture {
			continue
		}
		switch {
		case q.Variant == p.Variant:
			return d, nil
		case p.Variant == "": // amd64 asked, say, and only amd64/v3 offered
			best = append(best, d)
		}
	}
	if len(best) > 0 {
		return best[0], nil
	}
	if len(untagged) == 1 && len(seen) == 0 {
		return untagged[0], nil
	}
	return image.Descriptor{}, fmt.Errorf("%w %s (the index has: %s)", ErrNoPlatform, p, strings.Join(seen, ", "))
}

func isAttestation(d image.Descriptor) bool {
	if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

// normalize spells a platform the way Go and the OCI spec do.
func normalize(p image.Platform) image.Platform {
	p.OS = strings.ToLower(p.OS)
	switch strings.ToLower(p.Architecture) {
	case "x86_64", "x86-64", "amd64":
		p.Architecture = "amd64"
	case "aarch64", "arm64":
		p.Architecture = "arm64"
		if p.Variant == "8" {
			p.Variant = "v8"
		}
	case "armhf":
		p.Architecture, p.Variant = "arm", "v7"
	case "armel":
		p.Architecture, p.Variant = "arm", "v6"
	case "i386", "i686", "386":
		p.Architecture = "386"
	default:
		p.Architecture = strings.ToLower(p.Architecture)
	}
	if p.Variant == "" {
		p.Variant = defaultVariant(p.Architecture)
	}
	return p
}

func defaultVariant(arch string) string {
	switch arch {
	case "arm64":
		return "v8"
	case "arm":
		return "v7"
	}
	return ""
}

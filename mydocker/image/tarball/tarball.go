// Package tarball reads and writes the tarballs of `docker save` and
// `docker load` (skopeo's `docker-archive:`): images carried as one file,
// off the registry. A tarball holds several images, each with its tags.
//
// Docker has written two layouts:
//
//   - Up to Docker 24 ("legacy"): manifest.json, a list of
//     {"Config":"<hex>.json","RepoTags":["busybox:latest"],"Layers":["<id>/layer.tar",…]},
//     beside `repositories` and one directory per layer (layer.tar,
//     VERSION, json). Layers are uncompressed tars, and the registry
//     manifest is not kept, so an image's digest cannot survive: the image
//     read back is given a manifest of mydocker's making (legacy.go).
//   - From Docker 25: an OCI image layout (oci-layout, index.json,
//     blobs/sha256/…) plus a manifest.json whose Config and Layers are paths
//     into blobs/. Manifests are kept, and with them the digests.
//
// Open and Read read both, and prefer the OCI part when it is there. Write
// writes the Docker 25 layout with each image's original blobs, compressed
// as the registry served them, so that save → load keeps every digest, and
// so that `docker load`, skopeo's docker-archive: and oci-archive: all read
// it (write.go).
package tarball

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/layout"
	"github.com/mydocker/mydocker/mydocker/image/layout/tarfs"
)

// ErrNotTarball is returned for a tar that is neither kind of docker save.
var ErrNotTarball = errors.New("not a docker save tarball")

// Entry is one image of a tarball, and the tags it is saved under.
type Entry struct {
	RepoTags []string
	Image    image.Image
	// Legacy is set when the image was rebuilt from Docker's legacy files
	// (no OCI manifest in the tarball): its digest is mydocker's, not the
	// one the registry gave it, and its layers are uncompressed.
	Legacy bool
}

// Tarball is an opened tarball: its images read their blobs from it, so
// Close it only when done with them.
type Tarball struct {
	Entries []Entry
	fsys    *tarfs.FS
}

// Close releases the tarball.
func (t *Tarball) Close() error { return t.fsys.Close() }

// Open reads the tarball at path. The tar is indexed once and blobs are
// read in place, so opening a large tarball is quick.
func Open(path string) (*Tarball, error) {
	fsys, err := tarfs.Open(path)
	if err != nil {
		return nil, err
	}
	return load(fsys, path)
}

// Read reads a tarball from a stream, as `docker load` reads stdin. The
// stream is first copied to an unlinked temp file in dir: the engine's
// data root, as Docker spools a load under its own, never a tmpfs /tmp
// that a large body would fill with memory.
func Read(r io.Reader, dir string) (*Tarball, error) {
	fsys, err := tarfs.FromReader(r, dir)
	if err != nil {
		return nil, err
	}
	return load(fsys, "tarball stream")
}

// manifestEntry is one image in manifest.json.
type manifestEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
	// LayerSources describes foreign layers, which Docker leaves out.
	LayerSources map[digest.Digest]image.Descriptor `json:",omitempty"`
}

func load(fsys *tarfs.FS, name string) (*Tarball, error) {
	entries, err := readEntries(fsys)
	if err != nil {
		fsys.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Tarball{Entries: entries, fsys: fsys}, nil
}

func readEntries(fsys fs.FS) ([]Entry, error) {
	var lay *layout.Layout
	if _, err := fs.Stat(fsys, "oci-layout"); err == nil {
		var err error
		if lay, err = layout.FromFS(fsys, "the OCI layout inside"); err != nil {
			return nil, err
		}
	}
	b, err := layout.ReadSmallFile(fsys, "manifest.json")
	switch {
	case errors.Is(err, fs.ErrNotExist) && lay != nil:
		return ociEntries(lay) // an oci-archive, given to docker load
	case errors.Is(err, fs.ErrNotExist):
		if _, err := fs.Stat(fsys, "repositories"); err == nil {
			return nil, fmt.Errorf("%w: it has no manifest.json, so it is from before Docker 1.10, which mydocker does not read", ErrNotTarball)
		}
		return nil, fmt.Errorf("%w: no manifest.json", ErrNotTarball)
	case err != nil:
		return nil, err
	}
	var manifest []manifestEntry
	if err := json.Unmarshal(b, &manifest); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	byConfig := map[digest.Digest]image.Image{}
	if lay != nil {
		if byConfig, err = ociImages(lay); err != nil {
			return nil, err
		}
	}
	var entries []Entry
	for i, m := range manifest {
		if err := checkFiles(fsys, m); err != nil {
			return nil, fmt.Errorf("manifest.json image %d %v: %w", i, m.RepoTags, err)
		}
		if img := byConfig[blobDigest(m.Config)]; img != nil {
			entries = append(entries, Entry{RepoTags: m.RepoTags, Image: img})
			continue
		}
		img, err := legacyImage(fsys, m)
		if err != nil {
			return nil, fmt.Errorf("manifest.json image %d %v: %w", i, m.RepoTags, err)
		}
		entries = append(entries, Entry{RepoTags: m.RepoTags, Image: img, Legacy: true})
	}
	return entries, nil
}

// checkFiles finds the files an entry of manifest.json names, so that a
// tarball missing one fails now, not when the layer is read.
func checkFiles(fsys fs.FS, m manifestEntry) error {
	for _, name := range append([]string{m.Config}, m.Layers...) {
		if _, err := fs.Stat(fsys, name); err != nil {
			return fmt.Errorf("%s: %w", name, missing(err))
		}
	}
	return nil
}

// blobDigest is the digest a path like blobs/sha256/<hex> names, or "".
func blobDigest(p string) digest.Digest {
	const prefix = "blobs/sha256/"
	if len(p) > len(prefix) && p[:len(prefix)] == prefix {
		if d := digest.Digest("sha256:" + p[len(prefix):]); d.Validate() == nil {
			return d
		}
	}
	return ""
}

// ociImages reads the images index.json names, for this machine's
// platform, by config digest: that is how manifest.json points at them.
// Entries whose blobs are absent are skipped: Docker 25 saves a whole
// multi-platform index but only the host's images.
func ociImages(lay *layout.Layout) (map[digest.Digest]image.Image, error) {
	idx, err := lay.Index()
	if err != nil {
		return nil, err
	}
	images := map[digest.Digest]image.Image{}
	for _, desc := range idx.Manifests {
		img, err := lay.Resolve(desc, layout.DefaultPlatform())
		if errors.Is(err, layout.ErrNotFound) || errors.Is(err, layout.ErrNoPlatform) {
			continue
		}
		if err != nil {
			return nil, err
		}
		name, _ := img.ConfigName()
		images[name] = img
	}
	return images, nil
}

// ociEntries lists an OCI layout's images as entries, one per image, with
// the names index.json gives them.
func ociEntries(lay *layout.Layout) ([]Entry, error) {
	idx, err := lay.Index()
	if err != nil {
		return nil, err
	}
	var entries []Entry
	seen := map[digest.Digest]int{}
	for _, desc := range idx.Manifests {
		img, err := lay.Resolve(desc, layout.DefaultPlatform())
		if err != nil {
			return nil, err
		}
		d, _ := img.Digest()
		i, ok := seen[d]
		if !ok {
			i, seen[d] = len(entries), len(entries)
			entries = append(entries, Entry{Image: img})
		}
		name := desc.Annotations[layout.AnnotationImageName]
		if name == "" {
			name = layout.RefName(desc)
		}
		if name != "" {
			entries[i].RepoTags = append(entries[i].RepoTags, name)
		}
	}
	return entries, nil
}

// index.json is the layout's table of contents: an OCI image index whose
// entries are the images (or nested indexes) the layout holds, each named by
// annotations. Changes to it are read-modify-write under the index lock,
// then an atomic replace.

package layout

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/image"
)

// Index reads index.json.
func (l *Layout) Index() (*image.IndexManifest, error) {
	b, err := ReadSmallFile(l.fsys, indexFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotLayout, err)
	}
	idx, err := image.ParseIndex(b)
	if err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	if idx.SchemaVersion != 2 {
		return nil, fmt.Errorf("index.json: schemaVersion %d, want 2", idx.SchemaVersion)
	}
	return idx, nil
}

// writeIndex replaces index.json; the caller holds the index lock.
func (l *Layout) writeIndex(idx *image.IndexManifest) error {
	idx.SchemaVersion = 2
	idx.MediaType = image.MediaTypeOCIIndex
	if idx.Manifests == nil {
		idx.Manifests = []image.Descriptor{} // "[]", not "null": skopeo insists
	}
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	return fsutil.WriteFile(filepath.Join(l.dir, indexFile), b, 0o644)
}

// updateIndex applies change to index.json under the index lock.
func (l *Layout) updateIndex(change func(*image.IndexManifest) error) error {
	if err := l.writable(); err != nil {
		return err
	}
	unlock, err := l.lock(lockIndex, exclusive)
	if err != nil {
		return err
	}
	defer unlock()
	idx, err := l.Index()
	if err != nil {
		return err
	}
	if err := change(idx); err != nil {
		return err
	}
	return l.writeIndex(idx)
}

// RefName is an entry's name: its ref.name annotation, "" if it has none.
func RefName(d image.Descriptor) string { return d.Annotations[AnnotationRefName] }

// named reports whether an index entry answers to name: by ref.name, or by
// the full reference Docker and containerd record beside it.
func named(d image.Descriptor, name string) bool {
	return d.Annotations[AnnotationRefName] == name || d.Annotations[AnnotationImageName] == name
}

// putEntry adds desc to idx. An entry of the same name is replaced in
// place, as a tag moves to a new image; an unnamed entry is not repeated.
// The name is the full reference if desc has one (Docker 25 puts only the
// tag in ref.name, the same for busybox:latest and alpine:latest), and
// otherwise ref.name.
func putEntry(idx *image.IndexManifest, desc image.Descriptor) {
	key := func(d image.Descriptor) string {
		if n := d.Annotations[AnnotationImageName]; n != "" {
			return "image " + n
		}
		if n := RefName(d); n != "" {
			return "ref " + n
		}
		return "digest " + string(d.Digest)
	}
	for i, d := range idx.Manifests {
		if key(d) == key(desc) {
			idx.Manifests[i] = desc
			return
		}
	}
	idx.Manifests = append(idx.Manifests, desc)
}

// Lookup finds the index.json entry called name (see named). With name ""
// and a single entry, that entry is the answer, as for skopeo's `oci:DIR`.
// If several entries answer to name, the first wins, as in skopeo.
func (l *Layout) Lookup(name string) (image.Descriptor, error) {
	idx, err := l.Index()
	if err != nil {
		return image.Descriptor{}, err
	}
	if name == "" {
		if len(idx.Manifests) == 1 {
			return idx.Manifests[0], nil
		}
		return image.Descriptor{}, fmt.Errorf("no name given, and the layout holds %d images", len(idx.Manifests))
	}
	for _, d := range idx.Manifests {
		if named(d, name) {
			return d, nil
		}
	}
	return image.Descriptor{}, fmt.Errorf("image %q: %w", name, ErrNotFound)
}

// Untag removes the entries called name from index.json. Their blobs stay
// until GC finds nothing else reaches them.
func (l *Layout) Untag(name string) error {
	return l.removeEntries(func(d image.Descriptor) bool { return named(d, name) }, fmt.Sprintf("image %q", name))
}

// RemoveImage removes every entry for the manifest (or index) d, whatever
// its names, like `docker rmi` by ID.
func (l *Layout) RemoveImage(d digest.Digest) error {
	return l.removeEntries(func(e image.Descriptor) bool { return e.Digest == d }, "image "+string(d))
}

func (l *Layout) removeEntries(match func(image.Descriptor) bool, what string) error {
	return l.updateIndex(func(idx *image.IndexManifest) error {
		kept := idx.Manifests[:0]
		for _, d := range idx.Manifests {
			if !match(d) {
				kept = append(kept, d)
			}
		}
		if len(kept) == len(idx.Manifests) {
			return fmt.Errorf("%s: %w", what, ErrNotFound)
		}
		idx.Manifests = kept
		return nil
	})
}

// Garbage collection. Blobs are shared between images (a base layer by
// every image built on it), so removing an image only removes its name;
// GC then deletes every blob that no index.json entry reaches, the way
// `docker image prune` frees layers.

package layout

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

// GC deletes the blobs index.json does not reach, and temp files left by
// interrupted writes, and returns the digests it deleted. It holds both
// locks, so no Write is under way. A reader still streaming a deleted layer
// keeps its open file; one that opens it afterwards gets ErrNotFound. GC
// waits for writes in progress, and they for it.
//
// GC refuses to delete anything if a manifest or index that index.json
// reaches is unreadable: it cannot know what that one would keep alive.
func (l *Layout) GC() ([]digest.Digest, error) {
	if err := l.writable(); err != nil {
		return nil, err
	}
	unlockBlobs, err := l.lock(lockBlobs, exclusive)
	if err != nil {
		return nil, err
	}
	defer unlockBlobs()
	unlockIndex, err := l.lock(lockIndex, exclusive)
	if err != nil {
		return nil, err
	}
	defer unlockIndex()

	idx, err := l.Index()
	if err != nil {
		return nil, err
	}
	live := map[digest.Digest]bool{}
	for _, d := range idx.Manifests {
		if err := l.mark(d, live, 0); err != nil {
			return nil, fmt.Errorf("gc: %w (nothing deleted)", err)
		}
	}
	var removed []digest.Digest
	entries, err := os.ReadDir(filepath.Join(l.dir, blobsDir))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		d := digest.Digest("sha256:" + e.Name())
		if d.Validate() != nil || live[d] {
			continue // not a blob of ours, or in use
		}
		if err := os.Remove(filepath.Join(l.dir, blobsDir, e.Name())); err != nil {
			return removed, err
		}
		removed = append(removed, d)
	}
	// With both locks held no writer is running, so any temp file is
	// what a killed writer left: index.json's beside it, a blob's in
	// blobs/sha256 (each is written in the directory it is renamed in).
	for _, dir := range []string{l.dir, filepath.Join(l.dir, blobsDir)} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return removed, err
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), tmpPrefix) {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Slice(removed, func(i, j int) bool { return removed[i] < removed[j] })
	return removed, nil
}

// mark records d and everything it reaches as live.
func (l *Layout) mark(d image.Descriptor, live map[digest.Digest]bool, depth int) error {
	if live[d.Digest] {
		return nil
	}
	live[d.Digest] = true
	mt := d.MediaType
	if mt != "" && !image.IsIndex(mt) && !image.IsManifest(mt) {
		return nil // a layer, a config, or something we do not look into
	}
	if depth > 8 {
		return fmt.Errorf("index %s: nested too deep", d.Digest)
	}
	raw, err := l.readBlob(d.Digest, d.Size)
	if errors.Is(err, ErrNotFound) {
		// Absent, so nothing below it is reached through it. Docker 25
		// saves an index with only the host's platform present.
		return nil
	}
	if err != nil {
		return err
	}
	var doc struct {
		Config    *image.Descriptor  `json:"config"`
		Layers    []image.Descriptor `json:"layers"`
		Manifests []image.Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", d.Digest, err)
	}
	for _, c := range doc.Manifests {
		if err := l.mark(c, live, depth+1); err != nil {
			return err
		}
	}
	if doc.Config != nil {
		live[doc.Config.Digest] = true
	}
	for _, c := range doc.Layers {
		live[c.Digest] = true
	}
	return nil
}

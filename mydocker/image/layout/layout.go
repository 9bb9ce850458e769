// Package layout reads and writes OCI image layouts: a directory holding
// `oci-layout` ({"imageLayoutVersion":"1.0.0"}), `index.json` (the images it
// holds, named by the annotation org.opencontainers.image.ref.name) and
// `blobs/sha256/<hex>`, every manifest, config and layer by its digest. It is
// the exchange format of the image world: skopeo copies into it (`oci:DIR`),
// umoci unpacks from it, and mydocker's own image store is a Layout plus
// names.
//
// Callers Open (or Create) a directory, then read images with Image,
// ImageByRef and IndexAt, and add them with Write, which stores any blob
// missing and then names the image in index.json. GC deletes blobs no
// longer reachable from index.json. ReadArchive reads the same layout packed
// in a tar (skopeo's `oci-archive:`), and ArchiveWriter writes one.
//
// Two processes may share a layout. Every blob is written to a temp file and
// renamed into place once its digest is verified, so no blob ever has its
// final name half-written, even if the writer is killed. index.json is
// replaced the same way, under flock(2), so concurrent writers never lose
// each other's entries (lock.go). mydocker's private files in the layout
// (the lock files and temp files) all begin with "." and other tools
// ignore them.
package layout

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/image"
)

// Annotations that name an image in index.json. OCI tools use ref.name,
// often for the tag alone ("latest"); containerd and Docker 25's `docker
// save` add the full reference under their own key.
const (
	AnnotationRefName   = "org.opencontainers.image.ref.name"
	AnnotationImageName = "io.containerd.image.name"
)

const (
	layoutFile    = "oci-layout"
	indexFile     = "index.json"
	blobsDir      = "blobs/sha256"
	layoutVersion = "1.0.0"
)

var (
	// ErrNotFound is returned for a blob, image or name the layout lacks.
	ErrNotFound = errors.New("not found in layout")
	// ErrReadOnly is returned when writing to a layout read from an archive.
	ErrReadOnly = errors.New("layout is read-only")
	// ErrNotLayout is returned when a directory or archive is not an OCI layout.
	ErrNotLayout = errors.New("not an OCI image layout")
)

// Layout is an OCI image layout. Reads go through an fs.FS, so the same
// code reads a directory and an archive; writes need a directory.
type Layout struct {
	dir    string // "" when read-only
	fsys   fs.FS
	closer io.Closer // the archive under fsys, if any
}

type ociLayout struct {
	ImageLayoutVersion string `json:"imageLayoutVersion"`
}

// Open opens the layout in dir, checking that it is one.
func Open(dir string) (*Layout, error) {
	l := &Layout{dir: dir, fsys: os.DirFS(dir)}
	if err := l.check(dir); err != nil {
		return nil, err
	}
	return l, nil
}

// Create makes dir an empty layout, or opens the layout already there.
func Create(dir string) (*Layout, error) {
	if err := os.MkdirAll(filepath.Join(dir, blobsDir), 0o755); err != nil {
		return nil, err
	}
	l := &Layout{dir: dir, fsys: os.DirFS(dir)}
	if _, err := os.Stat(filepath.Join(dir, layoutFile)); errors.Is(err, fs.ErrNotExist) {
		b, _ := json.Marshal(ociLayout{layoutVersion})
		if err := fsutil.WriteFile(filepath.Join(dir, layoutFile), b, 0o644); err != nil {
			return nil, err
		}
	}
	unlock, err := l.lock(lockIndex, exclusive)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, indexFile)); errors.Is(err, fs.ErrNotExist) {
		if err := l.writeIndex(&image.IndexManifest{}); err != nil {
			return nil, err
		}
	}
	return Open(dir)
}

// FromFS is a read-only layout over any file system: an archive's tarfs, or
// a testing/fstest.MapFS. name is used in error messages.
func FromFS(fsys fs.FS, name string) (*Layout, error) {
	l := &Layout{fsys: fsys}
	if err := l.check(name); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Layout) check(name string) error {
	b, err := ReadSmallFile(l.fsys, layoutFile)
	if err != nil {
		return fmt.Errorf("%s: %w: no readable oci-layout file (%v)", name, ErrNotLayout, err)
	}
	var v ociLayout
	if err := json.Unmarshal(b, &v); err != nil || v.ImageLayoutVersion == "" {
		return fmt.Errorf("%s: %w: oci-layout is %q", name, ErrNotLayout, b)
	}
	if v.ImageLayoutVersion[0] != '1' {
		return fmt.Errorf("%s: image layout version %s: only 1.x is supported", name, v.ImageLayoutVersion)
	}
	if _, err := l.Index(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Dir is the layout's directory, "" for a read-only layout.
func (l *Layout) Dir() string { return l.dir }

// Close releases the archive a layout was read from. It is a no-op for a
// directory.
func (l *Layout) Close() error {
	if l.closer != nil {
		return l.closer.Close()
	}
	return nil
}

func (l *Layout) writable() error {
	if l.dir == "" {
		return ErrReadOnly
	}
	return nil
}

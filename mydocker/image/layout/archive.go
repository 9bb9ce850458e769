// An oci-archive is an OCI layout packed in a tar: what `skopeo copy …
// oci-archive:FILE` writes and reads, and (with a manifest.json beside it)
// what `docker save` writes since Docker 25.
//
// Reading does not unpack: the tar is indexed once (package tarfs) and each
// blob is read in place through a SectionReader. A stream is first copied
// to an unlinked temp file, so nothing is left behind. Writing streams:
// blobs go into the tar as they are read, and index.json, which must name
// them all, comes last.

package layout

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/layout/tarfs"
)

// ReadArchive opens the oci-archive at path as a read-only Layout. Close it
// when done.
func ReadArchive(path string) (*Layout, error) {
	fsys, err := tarfs.Open(path)
	if err != nil {
		return nil, err
	}
	return fromArchive(fsys, path)
}

// ReadArchiveFrom reads an oci-archive from a stream (stdin, a pipe). The
// stream is copied to an unlinked temp file; Close frees it.
func ReadArchiveFrom(r io.Reader) (*Layout, error) {
	fsys, err := tarfs.FromReader(r, "")
	if err != nil {
		return nil, err
	}
	return fromArchive(fsys, "oci-archive stream")
}

func fromArchive(fsys *tarfs.FS, name string) (*Layout, error) {
	l, err := FromFS(fsys, name)
	if err != nil {
		fsys.Close()
		return nil, err
	}
	l.closer = fsys
	return l, nil
}

// epoch is every entry's mtime, so the same images make the same archive.
var epoch = time.Unix(0, 0)

// ArchiveWriter writes an oci-archive to a stream. Add images, then Close.
type ArchiveWriter struct {
	tw      *tar.Writer
	started bool
	have    map[digest.Digest]bool
	index   image.IndexManifest
}

// NewArchiveWriter starts an oci-archive on w.
func NewArchiveWriter(w io.Writer) *ArchiveWriter {
	return &ArchiveWriter{tw: tar.NewWriter(w), have: map[digest.Digest]bool{}}
}

// WriteArchive writes an oci-archive holding img, named by annotations.
func WriteArchive(w io.Writer, img image.Image, annotations map[string]string) error {
	a := NewArchiveWriter(w)
	if err := a.Add(img, annotations); err != nil {
		return err
	}
	return a.Close()
}

// Add writes img's blobs (those not written already) and lists it in the
// index with annotations. As in Layout.Write, an entry with the same
// ref.name is replaced.
func (a *ArchiveWriter) Add(img image.Image, annotations map[string]string) error {
	if err := a.start(); err != nil {
		return err
	}
	desc, err := writeImage(a, img)
	if err != nil {
		return err
	}
	desc.Annotations = maps.Clone(annotations)
	putEntry(&a.index, desc)
	return nil
}

// AddIndex writes a multi-platform image, as Layout.WriteIndex does.
func (a *ArchiveWriter) AddIndex(idx image.Index, annotations map[string]string) error {
	if err := a.start(); err != nil {
		return err
	}
	desc, err := writeIndex(a, idx, 0)
	if err != nil {
		return err
	}
	desc.Annotations = maps.Clone(annotations)
	putEntry(&a.index, desc)
	return nil
}

// AddFile adds a file beside the layout, such as docker save's manifest.json.
func (a *ArchiveWriter) AddFile(name string, data []byte) error {
	if err := a.start(); err != nil {
		return err
	}
	return a.file(name, data)
}

// Close writes index.json and ends the tar. It does not close the stream.
func (a *ArchiveWriter) Close() error {
	if err := a.start(); err != nil {
		return err
	}
	a.index.SchemaVersion = 2
	a.index.MediaType = image.MediaTypeOCIIndex
	if a.index.Manifests == nil {
		a.index.Manifests = []image.Descriptor{}
	}
	b, err := json.Marshal(a.index)
	if err != nil {
		return err
	}
	if err := a.file(indexFile, b); err != nil {
		return err
	}
	return a.tw.Close()
}

// start writes what comes first: oci-layout, and the blobs directories for
// extractors that want a directory before its files.
func (a *ArchiveWriter) start() error {
	if a.started {
		return nil
	}
	a.started = true
	b, _ := json.Marshal(ociLayout{layoutVersion})
	if err := a.file(layoutFile, b); err != nil {
		return err
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		hdr := &tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch}
		if err := a.tw.WriteHeader(hdr); err != nil {
			return err
		}
	}
	return nil
}

func (a *ArchiveWriter) file(name string, data []byte) error {
	hdr := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), ModTime: epoch}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := a.tw.Write(data)
	return err
}

func (a *ArchiveWriter) putBlob(d digest.Digest, size int64, open func() (io.ReadCloser, error)) error {
	if a.have[d] {
		return nil
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("blob %s: size unknown, and a tar header needs it", d)
	}
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	hdr := &tar.Header{Name: blobName(d), Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: epoch}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	// Verified as it streams: a bad blob fails the write, though the tar
	// is then unusable, as any interrupted stream is.
	if _, err := io.Copy(a.tw, digest.VerifyReader(r, d, size)); err != nil {
		return fmt.Errorf("blob %s: %w", d, err)
	}
	a.have[d] = true
	return nil
}

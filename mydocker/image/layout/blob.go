// Blobs are the layout's content, in blobs/sha256/<hex>, each named by the
// digest of its bytes. Readers verify what they read against the name;
// WriteBlob verifies while it writes, into a temp file that gets the name
// only once the digest has checked out.

package layout

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
)

// maxSmallBlob bounds manifests, indexes and configs, which are read into
// memory (the distribution registry refuses manifests over 4 MiB).
const maxSmallBlob = 32 << 20

func blobName(d digest.Digest) string { return path.Join(blobsDir, d.Hex()) }

// HasBlob reports whether the layout holds the blob d.
func (l *Layout) HasBlob(d digest.Digest) bool {
	if d.Validate() != nil {
		return false
	}
	_, err := fs.Stat(l.fsys, blobName(d))
	return err == nil
}

// Blob opens the blob d. The reader verifies d as it reaches the end.
func (l *Layout) Blob(d digest.Digest) (io.ReadCloser, error) {
	return l.openBlob(d, -1)
}

// openBlob opens d, checking the size too if it is known (>= 0).
func (l *Layout) openBlob(d digest.Digest, size int64) (io.ReadCloser, error) {
	// Validate first: the digest becomes a path, and "sha256:../../x" must
	// not reach outside blobs/.
	if err := d.Validate(); err != nil {
		return nil, err
	}
	f, err := l.fsys.Open(blobName(d))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", d, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return digest.VerifyReader(f, d, size), nil
}

// ErrTooBig is a file read whole that is over the bound.
var ErrTooBig = errors.New("too big")

// ReadSmallFile reads a file of a layout or an image archive that is read
// whole (oci-layout, index.json, a docker save's manifest.json), refusing
// one over maxSmallBlob before reading it: a hostile archive must not make
// `docker load` hold hundreds of MiB.
func ReadSmallFile(fsys fs.FS, name string) ([]byte, error) {
	if info, err := fs.Stat(fsys, name); err == nil && info.Size() > maxSmallBlob {
		return nil, fmt.Errorf("%s: %d bytes: %w: at most %d", name, info.Size(), ErrTooBig, maxSmallBlob)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSmallBlob+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSmallBlob {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", name, ErrTooBig, maxSmallBlob)
	}
	return b, nil
}

// readBlob reads a small blob (manifest, index, config) whole, verified.
func (l *Layout) readBlob(d digest.Digest, size int64) ([]byte, error) {
	if size > maxSmallBlob {
		return nil, fmt.Errorf("blob %s: %d bytes is too big for a manifest or config", d, size)
	}
	r, err := l.openBlob(d, size)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxSmallBlob+1))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", d, err)
	}
	if len(b) > maxSmallBlob {
		return nil, fmt.Errorf("blob %s: more than %d bytes is too big for a manifest or config", d, maxSmallBlob)
	}
	return b, nil
}

// WriteBlob stores what r yields as the blob d, unless the layout has it
// already (then r is not read: content addressing means the bytes are the
// same). The bytes are verified against d before the blob gets its name; a
// mismatch leaves nothing behind.
//
// A blob that no index.json entry reaches is garbage to GC: use Write to
// store an image.
func (l *Layout) WriteBlob(d digest.Digest, r io.Reader) error {
	if err := l.writable(); err != nil {
		return err
	}
	unlock, err := l.lock(lockBlobs, shared)
	if err != nil {
		return err
	}
	defer unlock()
	return l.writeBlob(d, -1, r)
}

// writeBlob does WriteBlob's work; the caller holds the blobs lock shared,
// so that GC cannot delete the blob before the index names it.
func (l *Layout) writeBlob(d digest.Digest, size int64, r io.Reader) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if l.HasBlob(d) {
		return nil
	}
	// The temp file sits in blobs/sha256 (rename works within one
	// directory's filesystem); its name starts with "." so no reader takes
	// it for a blob. Blobs are as readable as skopeo makes them: the store
	// keeps its privacy in the directory above (package local).
	f, err := fsutil.Create(filepath.Join(l.dir, blobsDir, d.Hex()), 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(f, digest.VerifyReader(io.NopCloser(r), d, size)); err != nil {
		return fmt.Errorf("write blob %s: %w", d, err)
	}
	return f.Commit()
}

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

// TeeBlob stores the blob d as it streams by: reads of the returned reader
// are reads of r, and what they yield is also written to a temp file,
// which gets the blob's name when r ends with io.EOF. It hashes nothing
// itself: r must be a verifying reader of d (digest.VerifyReader, or any
// image.Layer's Compressed, which end in an error, never io.EOF, when the
// bytes do not hash to the digest), so that a pull hashes each blob once,
// on its way from the registry to the layer it unpacks. The size is
// checked again, cheaply; a reader closed before its end, or ended by an
// error, leaves nothing. With the blob stored already, r is returned as
// it is.
func (l *Layout) TeeBlob(d digest.Digest, size int64, r io.ReadCloser) (io.ReadCloser, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := l.writable(); err != nil {
		return nil, err
	}
	if l.HasBlob(d) {
		return r, nil
	}
	// Shared, as WriteBlob: GC must not delete the blob between its
	// landing and the index naming its image.
	unlock, err := l.lock(lockBlobs, shared)
	if err != nil {
		return nil, err
	}
	f, err := fsutil.Create(filepath.Join(l.dir, blobsDir, d.Hex()), 0o644)
	if err != nil {
		unlock()
		return nil, err
	}
	return &teeBlob{r: r, f: f, d: d, size: size, unlock: unlock}, nil
}

type teeBlob struct {
	r      io.ReadCloser
	f      *fsutil.File
	d      digest.Digest
	size   int64
	n      int64
	unlock func()
	err    error // sticky: the end, or why the blob was not stored
}

func (t *teeBlob) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.r.Read(p)
	if n > 0 {
		if _, werr := t.f.Write(p[:n]); werr != nil {
			t.fail(fmt.Errorf("write blob %s: %w", t.d, werr))
			return n, t.err
		}
		t.n += int64(n)
	}
	switch {
	case err == io.EOF && t.size >= 0 && t.n != t.size:
		t.fail(fmt.Errorf("%w: blob %s: got %d bytes, want %d", digest.ErrDigestMismatch, t.d, t.n, t.size))
		return n, t.err
	case err == io.EOF:
		// r has verified the digest: the blob may have its name.
		cerr := t.f.Commit()
		t.unlock()
		t.err = io.EOF
		if cerr != nil {
			t.err = fmt.Errorf("store blob %s: %w", t.d, cerr)
		}
		return n, t.err
	case err != nil:
		t.fail(err)
	}
	return n, err
}

// fail throws the temp file away and makes err the reader's.
func (t *teeBlob) fail(err error) {
	t.f.Close()
	t.unlock()
	t.err = err
}

func (t *teeBlob) Close() error {
	if t.err == nil {
		t.fail(errors.New("blob reader closed before its end"))
	}
	return t.r.Close()
}

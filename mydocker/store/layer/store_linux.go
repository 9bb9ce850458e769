// Package layer is the layer store: every layer an image uses, unpacked
// once on disk and shared by every image and container that stacks it.
//
// A layer is named by its ChainID, the digest of the whole stack below and
// including it, because the same tar on a different base is a different
// filesystem. Each layer has a directory of its own,
// <data-root>/layers/<chainid>/:
//
//	diff/    the layer's files, whiteouts stored as overlayfs reads them
//	         (a 0:0 character device; an opaque directory's xattr)
//	diffid   the DiffID of its tar; parent: the ChainID below it
//
// A container's root is an overlay of these diff/ directories, top first,
// under its own writable layer. Unpacking goes into a temporary directory
// that is renamed into place only when complete: an interrupted unpack
// never leaves anything that looks like a layer, and the next Open sweeps
// up what it left.
package layer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/iocount"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// Store is the layer store under one data root.
type Store struct {
	dir    string
	Limits Limits // limits_linux.go; Open reads them from the environment
}

// Info describes one unpacked layer.
type Info struct {
	ChainID digest.Digest
	DiffID  digest.Digest
	Parent  digest.Digest // "" for a base layer
	Size    int64         // bytes of its tar
}

// Open opens (creating if needed) the layer store of a data root, and
// removes what interrupted unpacks left.
func Open(dataRoot string) (*Store, error) {
	limits, err := limitsFromEnv()
	if err != nil {
		return nil, err
	}
	s := &Store{dir: filepath.Join(dataRoot, "layers"), Limits: limits}
	if err := fsutil.MkdirPrivate(dataRoot); err != nil {
		return nil, err
	}
	if err := fsutil.MkdirOwned(s.dir); err != nil {
		return nil, err
	}
	s.sweep()
	return s, nil
}

// Dir is the store's directory: the base of the relative paths Lowers returns.
func (s *Store) Dir() string { return s.dir }

// path is where layer chain lives. Only a valid digest names a layer: a
// "sha256:../../x" from a hostile config must not name a path.
func (s *Store) path(chain digest.Digest) string {
	if chain.Validate() != nil {
		return filepath.Join(s.dir, ".invalid")
	}
	return filepath.Join(s.dir, chain.Hex())
}

// Has reports whether the layer named chain is unpacked.
func (s *Store) Has(chain digest.Digest) bool {
	_, err := os.Stat(filepath.Join(s.path(chain), "diffid"))
	return err == nil
}

// Lowers names the diff directories of a stack of layers, TOP first as
// overlayfs wants them, relative to Dir (short, for the one-page limit on
// mount options).
func Lowers(chains []digest.Digest) []string {
	out := make([]string, len(chains))
	for i, c := range chains {
		out[len(chains)-1-i] = filepath.Join(c.Hex(), "diff")
	}
	return out
}

// ChainIDs computes the ChainID of each prefix of a stack of DiffIDs.
func ChainIDs(diffIDs []digest.Digest) []digest.Digest {
	out := make([]digest.Digest, len(diffIDs))
	for i := range diffIDs {
		out[i] = digest.ChainID(diffIDs[:i+1])
	}
	return out
}

// Event reports progress unpacking layer Index of a stack.
type Event struct {
	Index  int
	Status Status
	Done   int64 // Extracting: bytes of the compressed blob read so far
}

// Status is what an Event says of its layer.
type Status int

const (
	Present    Status = iota + 1 // unpacked already: nothing to do
	Extracting                   // being read and unpacked; Done grows
	Unpacked                     // unpacked, and in the store under its ChainID
)

// Unpack makes sure every layer of a stack is unpacked, and returns their
// ChainIDs, lowest first. Layers already in the store are skipped; the
// others are fetched and unpacked in parallel (each into its own
// directory, so order does not matter), at most three at a time.
func (s *Store) Unpack(layers []image.Layer, progress func(Event)) ([]digest.Digest, error) {
	if progress == nil {
		progress = func(Event) {}
	}
	diffIDs := make([]digest.Digest, len(layers))
	for i, l := range layers {
		d, err := l.DiffID()
		if err != nil {
			return nil, err
		}
		diffIDs[i] = d
	}
	for _, d := range diffIDs {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("the image's config lists a layer as %w", err)
		}
	}
	chains := ChainIDs(diffIDs)
	budget := &imageBudget{max: s.Limits.Image}
	if budget.max == 0 {
		budget.max = DefaultMaxImageSize
	}
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	for i, l := range layers {
		if s.Has(chains[i]) {
			progress(Event{Index: i, Status: Present})
			continue
		}
		wg.Add(1)
		go func(i int, l image.Layer) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var parent digest.Digest
			if i > 0 {
				parent = chains[i-1]
			}
			err := s.unpack(chains[i], diffIDs[i], parent, budget, func() (io.ReadCloser, error) {
				return uncompressed(l, func(n int64) { progress(Event{Index: i, Status: Extracting, Done: n}) })
			})
			if err != nil {
				blob, _ := l.Digest()
				mu.Lock()
				errs = append(errs, fmt.Errorf("layer %s: %w", blob, err))
				mu.Unlock()
				return
			}
			progress(Event{Index: i, Status: Unpacked})
		}(i, l)
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return chains, nil
}

// uncompressed opens a layer's tar, counting the compressed bytes read.
// The blob's digest is checked by the layer's reader (at its end); the
// tar's DiffID is checked by unpack, which hashes what Apply reads: once,
// not a second time here.
func uncompressed(l image.Layer, count func(int64)) (io.ReadCloser, error) {
	c, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	mt, _ := l.MediaType()
	return image.Decompress(iocount.NewReadCloser(c, count), mt)
}

// unpack extracts one layer into a temp dir and renames it into place.
// The tar's DiffID is hashed while it streams and checked at its end; on a
// mismatch the temp dir is thrown away.
func (s *Store) unpack(chain, diffID, parent digest.Digest, budget *imageBudget, open func() (io.ReadCloser, error)) error {
	tmp, unlock, err := s.tempDir()
	if err != nil {
		return err
	}
	defer unlock()
	defer os.RemoveAll(tmp)
	src, err := open()
	if err != nil {
		return err
	}
	// The tar is hashed for its DiffID as it is read ahead, on the reading
	// goroutine, not on the one that makes files: Apply reads it to its
	// end (past the tar's end marker), so what was hashed is what was
	// applied, whatever the layer's own reader checks or does not.
	h := digest.NewDigester()
	r := readAhead(struct {
		io.Reader
		io.Closer
	}{io.TeeReader(src, h), src})
	defer r.Close()
	diff := filepath.Join(tmp, "diff")
	if err := os.Mkdir(diff, 0o755); err != nil {
		return err
	}
	trace.Step("extract layer %s into %s (whiteouts as overlayfs reads them)", diffID.Short(), filepath.Join(s.dir, chain.Hex()))
	opts := archive.Options{Whiteouts: archive.OverlayWhiteouts, Limits: s.Limits.Layer}
	n, err := archive.Apply(diff, budget.reader(r), opts)
	if errors.Is(err, archive.ErrLimit) {
		return explain(err) // and read no more of a bomb
	}
	if err != nil {
		// A corrupt download often breaks the tar before the end of the
		// blob, where its digest is checked. Read the rest: if the digest
		// is wrong, that is the cause to report, not the tar.
		if _, derr := io.Copy(io.Discard, r); errors.Is(derr, digest.ErrDigestMismatch) {
			return derr
		}
		return err
	}
	if got := h.Digest(); got != diffID {
		return fmt.Errorf("%w: the layer's tar hashes to %s, not to its DiffID %s", digest.ErrDigestMismatch, got, diffID)
	}
	meta := map[string]string{"diffid": string(diffID), "parent": string(parent), "size": fmt.Sprint(n)}
	for name, v := range meta {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(v), 0o644); err != nil {
			return err
		}
	}
	return s.commit(tmp, chain)
}

// UnpackTar unpacks a single-layer root filesystem tar (as `docker export`
// writes it) as a base layer, and returns its ChainID (its DiffID).
func (s *Store) UnpackTar(r io.Reader) (digest.Digest, error) {
	tmp, unlock, err := s.tempDir()
	if err != nil {
		return "", err
	}
	defer unlock()
	defer os.RemoveAll(tmp)
	diff := filepath.Join(tmp, "diff")
	if err := os.Mkdir(diff, 0o755); err != nil {
		return "", err
	}
	h := digest.NewDigester()
	tee := io.TeeReader(r, h)
	n, err := archive.Apply(diff, tee, archive.Options{Whiteouts: archive.OverlayWhiteouts, Limits: s.Limits.Layer})
	if err != nil {
		return "", explain(err)
	}
	diffID := h.Digest()
	meta := map[string]string{"diffid": string(diffID), "parent": "", "size": fmt.Sprint(n)}
	for name, v := range meta {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(v), 0o644); err != nil {
			return "", err
		}
	}
	return diffID, s.commit(tmp, diffID)
}

// commit renames a finished temp dir to the layer's name. If another
// process unpacked the same layer meanwhile, its copy stands.
//
// The tree is made durable before it gets its name: after a crash, a
// layer directory must not hold files whose data never reached the disk
// (ext4 may commit the rename first), because Has would trust it and no
// one would unpack it again. One syncfs(2) writes the whole tree back and
// commits the journal once; an fsync per file would wait for the journal
// once per file (chapter 04 has both figures). The rename itself is made
// durable by syncing the store's directory.
func (s *Store) commit(tmp string, chain digest.Digest) error {
	if err := chain.Validate(); err != nil {
		return err
	}
	trace.Step("syncfs(%s), rename into place: the layer is on disk before it has its name", tmp)
	if err := fsutil.SyncFS(tmp); err != nil {
		return err
	}
	err := os.Rename(tmp, s.path(chain))
	if errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTEMPTY) {
		return nil
	}
	if err != nil {
		return err
	}
	return fsutil.SyncDir(s.dir)
}

// List returns every unpacked layer.
func (s *Store) List() ([]Info, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := s.info(digest.Digest("sha256:" + e.Name()))
		if err == nil {
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ChainID < out[j].ChainID })
	return out, nil
}

func (s *Store) info(chain digest.Digest) (Info, error) {
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(s.path(chain), name))
		return string(b)
	}
	diffID := read("diffid")
	if diffID == "" {
		return Info{}, fmt.Errorf("layer %s: no diffid", chain)
	}
	var size int64
	fmt.Sscan(read("size"), &size)
	return Info{ChainID: chain, DiffID: digest.Digest(diffID), Parent: digest.Digest(read("parent")), Size: size}, nil
}

// GC removes every layer not in keep, and returns what it removed. The
// caller computes keep from the images and containers that use layers: a
// layer's reference count is the number of them whose stack holds it.
func (s *Store) GC(keep map[digest.Digest]bool) ([]digest.Digest, error) {
	all, err := s.List()
	if err != nil {
		return nil, err
	}
	var removed []digest.Digest
	for _, l := range all {
		if keep[l.ChainID] {
			continue
		}
		if err := s.remove(l.ChainID); err != nil {
			return removed, err
		}
		removed = append(removed, l.ChainID)
	}
	return removed, nil
}

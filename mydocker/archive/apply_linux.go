// Applying a layer: each tar entry becomes a file, a directory, a link or a
// device under dir, or a whiteout.
//
// The rules, from the OCI image spec's layer.md and from Docker:
//
//   - An entry replaces what is at its path, except that a directory entry
//     on an existing directory keeps its children and updates its metadata.
//     Of two entries for one path, the last wins.
//   - A parent directory the layer does not list is made (0755, root).
//   - A whiteout hides only what the lower layers hold: never something this
//     same layer writes, whether before or after the whiteout in the tar.
//     That is why an opaque marker (.wh..wh..opq) acts "first" wherever it
//     sits. The applier remembers every path the layer writes, and a
//     whiteout removes only what it has not written (see prune).
//   - With OverlayWhiteouts nothing is deleted: the whiteouts are written in
//     overlayfs's format for the layers above to hide the ones below.
//     Whiteout devices are made once all entries are in (finish), when the
//     applier knows whether the layer also wrote the path: then the path is
//     the layer's own, and a directory of the layer there is made opaque
//     instead.
//
// Every path goes through root (root_linux.go), and every file is written
// through a descriptor, so nothing lands outside dir.

package archive

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/iocount"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// Apply extracts the uncompressed layer tar r into dir, which must exist.
// Returns the number of bytes of the tar read, and an error.
//
// Paths that would leave dir (../x, /x, through symlinks) are confined to
// it, as if dir were "/": the entry lands inside dir and Apply goes on. A
// hardlink whose target does not exist inside dir is an error.
//
// A layer over one of opts.Limits stops Apply with a *LimitError, at once,
// whatever it has made so far: the caller removes dir.
func Apply(dir string, r io.Reader, opts Options) (int64, error) {
	return applyLayer(dir, r, opts)
}

// applyLayer is apply, or, when lab 04 is built into the engine
// (lab04_linux.go, make build LAB=04), the student's Apply for the layer
// store's layers.
var applyLayer = apply

func apply(dir string, r io.Reader, opts Options) (int64, error) {
	trace.Step("apply layer to %s (%v): openat2(RESOLVE_IN_ROOT) keeps every path inside it", dir, opts.Whiteouts)
	rt, err := openRoot(dir)
	if err != nil {
		return 0, err
	}
	defer rt.close()
	limits := opts.Limits.withDefaults()
	cr := &countReader{Reader: iocount.Reader{R: r}, max: limits.Size}
	a := &applier{
		root:    rt,
		mode:    opts.Whiteouts,
		written: make(map[string]struct{}),
		dirIdx:  make(map[string]int),
		buf:     make([]byte, 256<<10),
		umask:   umask(),
		budget:  budget{limits: limits},
	}
	n, err := a.applyAll(cr)
	var le *LimitError
	if errors.As(err, &le) {
		// The one line that matters: which limit, not where the tar was.
		trace.Step("layer over a limit after %d bytes of tar, %d entries: %v", cr.N, a.budget.entries, le)
		return n, le
	}
	return n, err
}

// applyAll reads the tar from cr to its end and applies each entry.
func (a *applier) applyAll(cr *countReader) (int64, error) {
	// Headers are read 512 bytes at a time; a buffer saves a read(2) each
	// when r is a file. Large reads of file data bypass it.
	tr := tar.NewReader(bufio.NewReaderSize(cr, 64<<10))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err == tar.ErrInsecurePath {
			// GODEBUG=tarinsecurepath=0 flags "../x" and "/x"; they are
			// confined like every other path.
			err = nil
		}
		if err != nil {
			return cr.N, fmt.Errorf("read layer: %w", err)
		}
		if err := a.budget.entry(hdr.Name); err != nil {
			return cr.N, err
		}
		if err := a.apply(hdr, tr); err != nil {
			return cr.N, fmt.Errorf("apply %s: %w", hdr.Name, err)
		}
	}
	if err := a.finish(); err != nil {
		return cr.N, err
	}
	// The tar ends with zero blocks and padding to a record. Read them too,
	// so that the count, and a digest computed by a reader under r, cover
	// the whole layer.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return cr.N, fmt.Errorf("read layer: %w", err)
	}
	trace.Step("applied %d entries, %d bytes of tar (%d written, %d left as holes), to %s",
		a.budget.entries, cr.N, a.budget.wrote, a.budget.holes, a.root.dir)
	return cr.N, nil
}

type applier struct {
	root   *root
	mode   WhiteoutMode
	buf    []byte
	umask  uint32
	budget budget

	// written holds every path the layer wrote, and their parents.
	written map[string]struct{}
	// whiteouts are OverlayWhiteouts' devices to make at the end.
	whiteouts []string
	// dirs are the directories' times, set at the end; dirIdx indexes them.
	dirs   []dirTimes
	dirIdx map[string]int
}

type dirTimes struct {
	path string
	ts   [2]unix.Timespec
	gone bool // replaced since by a non-directory
}

func (a *applier) apply(hdr *tar.Header, r io.Reader) error {
	p := Clean(hdr.Name)
	if strings.HasPrefix(p, whiteoutMeta) && p != WhiteoutOpaque {
		return nil // aufs's bookkeeping at the top (.wh..wh.plnk/...), as Docker skips it
	}
	if w, ok := ParseWhiteout(p); ok {
		return a.whiteout(w)
	}
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil // PAX global header: metadata of the archive, no file
	}
	if p == "" {
		return a.rootEntry(hdr)
	}
	dir, name := split(p)
	pfd, err := a.root.parent(dir, true)
	if err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		err = a.dir(pfd, name, p, hdr)
	case tar.TypeReg, tar.TypeRegA, tar.TypeCont, tar.TypeGNUSparse:
		err = a.file(pfd, name, p, hdr, r)
	case tar.TypeSymlink:
		err = a.symlink(pfd, name, p, hdr)
	case tar.TypeLink:
		err = a.hardlink(pfd, name, p, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		err = a.node(pfd, name, p, hdr)
	default:
		return fmt.Errorf("unsupported entry type %q", hdr.Typeflag)
	}
	if err != nil {
		return err
	}
	a.markWritten(p)
	if hdr.Typeflag != tar.TypeDir {
		if i, ok := a.dirIdx[p]; ok {
			a.dirs[i].gone = true
		}
	}
	return nil
}

// markWritten records p and its parents as the layer's own.
func (a *applier) markWritten(p string) {
	for p != "" {
		if _, ok := a.written[p]; ok {
			return // and so are its parents
		}
		a.written[p] = struct{}{}
		p, _ = split(p)
	}
}

func (a *applier) isWritten(p string) bool {
	_, ok := a.written[p]
	return ok
}

// replace removes what is at name (p) so that an entry can take its place.
func (a *applier) replace(dirfd int, name, p string) error {
	a.root.invalidate(p)
	if err := removeAll(dirfd, name); err != nil {
		return fmt.Errorf("replace %s: %w", p, err)
	}
	return nil
}

// finish makes OverlayWhiteouts' devices, then sets the directories' times,
// now that nothing will be added to them.
func (a *applier) finish() error {
	for _, p := range a.whiteouts {
		if err := a.overlayWhiteout(p); err != nil {
			return fmt.Errorf("apply whiteout of %s: %w", p, err)
		}
	}
	for _, d := range a.dirs {
		if d.gone {
			continue
		}
		dir, name := split(d.path)
		if d.path == "" {
			name = "."
		}
		pfd, err := a.root.parent(dir, false)
		if err == nil {
			err = setTimes(pfd, name, d.path, d.ts)
		}
		if err != nil && !notExist(err) { // removed by a later whiteout: fine
			return fmt.Errorf("apply %s: %w", d.path, err)
		}
	}
	return nil
}

// umask reads the process's umask from /proc/self/status: umask(2) can
// only read it by changing it, for every thread at once. If it cannot be
// read, every bit counts as masked, and every file gets a chmod.
func umask() uint32 {
	data, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return uint32(m)
				}
			}
		}
	}
	return 0o777
}

func split(p string) (dir, name string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func notExist(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR)
}

func typeName(t byte) string {
	switch t {
	case tar.TypeReg, tar.TypeRegA:
		return "regular file"
	case tar.TypeLink:
		return "hardlink"
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeDir:
		return "directory"
	case tar.TypeFifo:
		return "fifo"
	}
	return fmt.Sprintf("entry of type %q", t)
}

// countReader counts the bytes of tar read, and stops at max (< 0: no
// limit): it reads at most one byte more than max, to tell a stream of
// exactly max bytes from a longer one.
type countReader struct {
	iocount.Reader
	max int64
	err error // sticky, once over max
}

func (c *countReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.max >= 0 && int64(len(p)) > c.max-c.N+1 {
		p = p[:c.max-c.N+1]
	}
	n, err := c.Reader.Read(p)
	if c.max >= 0 && c.N > c.max {
		c.err = &LimitError{What: "of uncompressed tar", Limit: c.max}
		return 0, c.err
	}
	return n, err
}

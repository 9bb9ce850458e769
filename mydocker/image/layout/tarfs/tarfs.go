// Package tarfs reads a tar file as a read-only fs.FS, without unpacking
// it. Image archives are tars (`docker save`, skopeo's oci-archive:), and
// an image's blobs in them can be gigabytes: tarfs walks the tar's headers
// once, remembering where each file's bytes begin, and then serves every
// file as an io.SectionReader over the tar. Opening a blob costs a seek, not
// a re-read of the archive.
//
// Open indexes a tar file on disk. FromReader takes a stream (a pipe, stdin
// for `mydocker load`): a stream cannot seek, so it is first copied to a
// temp file that is unlinked at once, so that nothing is left behind even if
// the process dies. Symlinks and hard links between entries are followed,
// as `docker save` uses them for layers shared between images.
//
// layout.ReadArchive and the tarball package read archives through it.
package tarfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"

	"github.com/mydocker/mydocker/mydocker/archive"
	"time"
)

// ErrNotTar is returned for a file that is not a tar, or a truncated one.
var ErrNotTar = errors.New("not a tar archive")

// maxEntries bounds the entries of an archive, each indexed in memory. An
// image archive holds a few per layer (`docker save`: a directory, its
// layer.tar, json and VERSION; an OCI one: a blob), so a few thousand
// for the largest; a body of a million empty files (half a gigabyte to
// `docker load`) is refused instead of kept. A variable for the tests.
var maxEntries = 1 << 16

// FS is a tar indexed once. It is safe for concurrent use: every open file
// reads through its own SectionReader with ReadAt.
type FS struct {
	f       *os.File
	name    string // for error messages
	entries map[string]*entry
	dirs    map[string][]string // directory → names of its children
	listed  map[string]bool     // paths in their directory's list already
}

type entry struct {
	hdr    *tar.Header
	offset int64 // where the file's bytes begin in the tar
}

// Open indexes the tar file at name.
func Open(name string) (*FS, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fsys, err := index(f, name)
	if err != nil {
		f.Close()
		return nil, err
	}
	return fsys, nil
}

// FromReader copies the tar r yields to an unlinked temp file in dir (the
// system's temp dir if dir is "") and indexes it. Close releases the space.
func FromReader(r io.Reader, dir string) (*FS, error) {
	f, err := os.CreateTemp(dir, "mydocker-tar-")
	if err != nil {
		return nil, err
	}
	// Unlink now: the open file keeps the data, and no path is ever left
	// behind, whatever becomes of this process.
	os.Remove(f.Name())
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return nil, fmt.Errorf("read tar stream: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	fsys, err := index(f, "tar stream")
	if err != nil {
		f.Close()
		return nil, err
	}
	return fsys, nil
}

// index walks the headers. archive/tar reads exactly a header's blocks and,
// given an io.Seeker, seeks over the data it is not asked for, so after
// Next the file's position is where that entry's data begins.
func index(f *os.File, name string) (*FS, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	fsys := &FS{f: f, name: name, entries: map[string]*entry{}, dirs: map[string][]string{".": nil}, listed: map[string]bool{}}
	tr := tar.NewReader(f)
	n := 0
	for ; ; n++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w: entry %d: %v", name, ErrNotTar, n, err)
		}
		if n == maxEntries {
			return nil, fmt.Errorf("%s: more than %d entries: no image archive has so many", name, maxEntries)
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		if off+hdr.Size > st.Size() {
			return nil, fmt.Errorf("%s: %w: %s is cut short (truncated archive?)", name, ErrNotTar, hdr.Name)
		}
		if archive.IsSparse(hdr) {
			return nil, fmt.Errorf("%s: %s is a sparse file, which image archives never hold", name, hdr.Name)
		}
		clean, ok := cleanName(hdr.Name)
		if !ok {
			continue // "../x" or "/": no name in an fs.FS can reach it
		}
		e := &entry{hdr: hdr, offset: off}
		if hdr.Typeflag == tar.TypeLink {
			// A hard link is the same bytes as an earlier entry: give
			// it that entry's place in the tar.
			target, ok := cleanName(hdr.Linkname)
			t := fsys.entries[target]
			if !ok || t == nil || t.hdr.Typeflag != tar.TypeReg {
				return nil, fmt.Errorf("%s: %s is a hard link to %s, which is no earlier file", name, hdr.Name, hdr.Linkname)
			}
			h := *t.hdr
			h.Name = hdr.Name
			e = &entry{hdr: &h, offset: t.offset}
		}
		fsys.add(clean, e)
	}
	if n == 0 && st.Size() > 0 {
		// archive/tar reads an all-zero or empty file as an empty tar;
		// anything else that has no headers is not a tar.
		return nil, fmt.Errorf("%s: %w", name, ErrNotTar)
	}
	return fsys, nil
}

// cleanName turns a tar name ("./blobs/sha256/ab", "/x") into an fs.FS name.
func cleanName(name string) (string, bool) {
	name = path.Clean("/" + name)[1:]
	if name == "" {
		return ".", false
	}
	return name, fs.ValidPath(name)
}

// add records e under name, and name in its parent directories. A later
// entry of the same name replaces an earlier one, as when tar extracts.
func (fsys *FS) add(name string, e *entry) {
	if _, seen := fsys.entries[name]; !seen {
		for child := name; child != "."; {
			parent := path.Dir(child)
			_, known := fsys.dirs[parent]
			// A set, not a search of the list: a search made indexing
			// quadratic in the children of a directory (80,000 files
			// in one took 19 s of CPU; a million, most of an hour).
			if !fsys.listed[child] {
				fsys.listed[child] = true
				fsys.dirs[parent] = append(fsys.dirs[parent], path.Base(child))
			}
			if known {
				break
			}
			child = parent
		}
	}
	fsys.entries[name] = e
	if e.hdr.Typeflag == tar.TypeDir {
		if _, ok := fsys.dirs[name]; !ok {
			fsys.dirs[name] = nil
		}
	}
}

// Close closes the tar (and so frees a temp copy made by FromReader).
func (fsys *FS) Close() error { return fsys.f.Close() }

// Open opens the file called name, following symlinks.
func (fsys *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	resolved, e, err := fsys.resolve(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if e == nil || e.hdr.Typeflag == tar.TypeDir {
		return &dir{fsys: fsys, name: resolved, info: fsys.dirInfo(resolved, e)}, nil
	}
	if e.hdr.Typeflag != tar.TypeReg {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w: tar entry of type %q", fs.ErrInvalid, e.hdr.Typeflag)}
	}
	// Stat names what was opened, as os.Open of a symlink does.
	info := renamed{e.hdr.FileInfo(), path.Base(name)}
	return &file{SectionReader: io.NewSectionReader(fsys.f, e.offset, e.hdr.Size), info: info}, nil
}

// resolve follows symlinks from name until it reaches a file or a directory
// (whose entry is nil when the tar only implies it).
func (fsys *FS) resolve(name string) (string, *entry, error) {
	for hops := 0; hops < 16; hops++ {
		e, ok := fsys.entries[name]
		if !ok {
			if _, isDir := fsys.dirs[name]; isDir {
				return name, nil, nil
			}
			return "", nil, fs.ErrNotExist
		}
		var target string
		switch e.hdr.Typeflag {
		case tar.TypeSymlink: // relative to the link's directory
			target = path.Join(path.Dir(name), e.hdr.Linkname)
			if path.IsAbs(e.hdr.Linkname) {
				target = e.hdr.Linkname
			}
		default:
			return name, e, nil
		}
		var ok2 bool
		if name, ok2 = cleanName(target); !ok2 {
			return "", nil, fs.ErrNotExist
		}
	}
	return "", nil, errors.New("too many links")
}

// ReadDir lists the directory called name, sorted by name.
func (fsys *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	d, ok := f.(*dir)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return d.ReadDir(-1)
}

func (fsys *FS) dirInfo(name string, e *entry) fs.FileInfo {
	if e != nil {
		return e.hdr.FileInfo()
	}
	return impliedDir(path.Base(name))
}

// file is an open regular file: a window on the tar.
type file struct {
	*io.SectionReader
	info fs.FileInfo
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

// dir is an open directory.
type dir struct {
	fsys *FS
	name string
	info fs.FileInfo
	read int // entries already returned by ReadDir
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Close() error               { return nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}

func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	names := append([]string(nil), d.fsys.dirs[d.name]...)
	sort.Strings(names)
	var list []fs.DirEntry
	for _, base := range names[d.read:] {
		if n > 0 && len(list) == n {
			break
		}
		child := path.Join(d.name, base)
		var info fs.FileInfo = impliedDir(base)
		if e, ok := d.fsys.entries[child]; ok {
			info = e.hdr.FileInfo()
		}
		list = append(list, fs.FileInfoToDirEntry(info))
	}
	d.read += len(list)
	if n > 0 && len(list) == 0 {
		return nil, io.EOF
	}
	return list, nil
}

type renamed struct {
	fs.FileInfo
	name string
}

func (r renamed) Name() string { return r.name }

// impliedDir is a directory that has no entry of its own in the tar, like
// "blobs" in a tar that lists only "blobs/sha256/ab…".
type impliedDir string

func (d impliedDir) Name() string       { return string(d) }
func (d impliedDir) Size() int64        { return 0 }
func (d impliedDir) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (d impliedDir) ModTime() time.Time { return time.Time{} }
func (d impliedDir) IsDir() bool        { return true }
func (d impliedDir) Sys() any           { return nil }

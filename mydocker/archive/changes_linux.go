// Changes: `docker diff`, read off overlayfs's upper directory.
//
// Everything in the upper directory is a change: a whiteout device is a
// deletion (D), anything else is a change (C) if some lower layer has the
// path, an addition (A) if none has. Docker adds two rules, kept here so
// that the output matches it line for line:
//
//   - A directory that was only copied up, because something in it changed,
//     is not itself listed unless its size, mode or mtime differ from the
//     lower one's; but the parent of every A or D is listed as C (not "/").
//   - An opaque directory (deleted and made again, `rm -rf d; mkdir d`) is
//     listed as D when the lower layers had it: the lower directory and all
//     in it are gone. What is in it now follows as A.
//
// Where mydocker differs from Docker, it is more exact: the lower layers are
// looked up as overlayfs looks them up (a whiteout or an opaque directory in
// a higher lower layer hides the layers below, and symlinks are not
// followed), and everything under an opaque or added directory is A, since
// nothing under it can come from a lower layer.

package archive

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Changes lists what an overlay upper dir holds relative to its lower dirs
// (lowers top-first, as overlay's lowerdir lists them), in Docker's order
// and semantics. Paths are absolute ("/etc/passwd"), sorted as a
// depth-first walk lists them: a directory before what is in it.
//
// The upper directory is walked through descriptors, as Diff walks it: the
// container may be running, and may swap a directory for a symlink to the
// host's "/" while it is listed. A name is looked at with fstatat relative
// to its directory's descriptor and AT_SYMLINK_NOFOLLOW, and a directory
// is entered with openat(O_NOFOLLOW): a symlink is listed, never followed.
// What vanishes or changes type meanwhile is listed as it was first seen.
func Changes(upper string, lowers []string) ([]Change, error) {
	fd, err := unix.Open(upper, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: upper, Err: err}
	}
	defer unix.Close(fd)
	c := &changes{lowers: lowers, listed: make(map[string]bool)}
	if err := c.walk(fd, "", false); err != nil {
		return nil, err
	}
	sort.SliceStable(c.out, func(i, j int) bool { return walkLess(c.out[i].Path, c.out[j].Path) })
	return c.out, nil
}

type changes struct {
	lowers []string
	out    []Change
	listed map[string]bool // directories listed already
}

// walk lists the changes in the upper directory's dir, open as dfd. fresh
// says that nothing under dir can be in a lower layer.
func (c *changes) walk(dfd int, dir string, fresh bool) error {
	names, fd, err := readDir(dfd, ".")
	if err != nil {
		return err
	}
	unix.Close(fd)
	sort.Strings(names)
	for _, name := range names {
		rel := join(dir, name)
		var st unix.Stat_t
		if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err == unix.ENOENT {
			continue // removed since the directory was read
		} else if err != nil {
			return &os.PathError{Op: "fstatat", Path: rel, Err: err}
		}
		isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
		var kind byte
		opaque := false
		if isWhiteout(&st) {
			kind = 'D'
		} else {
			var lower *unix.Stat_t
			if !fresh {
				if lower, err = c.lookupLower(rel); err != nil {
					return err
				}
			}
			opaque = isDir && isOpaqueDir(procPath(dfd, name))
			switch {
			case lower == nil:
				kind = 'A'
			case opaque:
				kind = 'D'
			case isDir && lower.Mode&unix.S_IFMT == unix.S_IFDIR && sameDir(&st, lower):
				kind = 0 // only copied up: listed below if an A or D is in it
			default:
				kind = 'C'
			}
		}
		if kind != 0 {
			c.add(kind, rel, isDir)
		}
		if isDir {
			if err := c.enter(dfd, name, rel, fresh || opaque || kind == 'A'); err != nil {
				return err
			}
		}
	}
	return nil
}

// enter walks the directory name in dfd, if it still is one.
func (c *changes) enter(dfd int, name, rel string, fresh bool) error {
	sub, err := unix.Openat(dfd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT || err == unix.ENOTDIR || err == unix.ELOOP {
		return nil // removed or replaced, by a symlink perhaps: never followed
	}
	if err != nil {
		return &os.PathError{Op: "openat", Path: rel, Err: err}
	}
	defer unix.Close(sub)
	return c.walk(sub, rel, fresh)
}

func (c *changes) add(kind byte, rel string, isDir bool) {
	p := "/" + rel
	if isDir {
		c.listed[p] = true
	}
	if parent := filepath.Dir(p); (kind == 'A' || kind == 'D') && parent != "/" && !c.listed[parent] {
		c.out = append(c.out, Change{Kind: 'C', Path: parent})
		c.listed[parent] = true
	}
	c.out = append(c.out, Change{Kind: kind, Path: p})
}

// lookupLower finds rel in the lower layers as overlayfs would, and returns
// what it finds there, or nil.
func (c *changes) lookupLower(rel string) (*unix.Stat_t, error) {
	parts := strings.Split(rel, "/")
	for _, layer := range c.lowers {
		cur, hidden := layer, false
		for i, part := range parts {
			cur = filepath.Join(cur, part)
			// Every earlier component was checked to be a real directory, so
			// lstat follows no symlink.
			var st unix.Stat_t
			err := unix.Lstat(cur, &st)
			if err == unix.ENOENT {
				break // not in this layer; an opaque directory above may hide the rest
			}
			if err != nil {
				return nil, &os.PathError{Op: "lstat", Path: cur, Err: err}
			}
			if isWhiteout(&st) {
				return nil, nil // deleted in this layer: hidden from the ones below
			}
			if i == len(parts)-1 {
				return &st, nil
			}
			if st.Mode&unix.S_IFMT != unix.S_IFDIR {
				return nil, nil // a file where a directory would be: hides the rest
			}
			if isOpaqueDir(cur) {
				hidden = true
			}
		}
		if hidden {
			return nil, nil
		}
	}
	return nil, nil
}

// isOpaqueDir reports whether the directory at path is opaque for overlayfs.
func isOpaqueDir(path string) bool {
	var buf [1]byte
	n, err := unix.Lgetxattr(path, OpaqueXattr, buf[:])
	return err == nil && n == 1 && buf[0] == 'y'
}

// sameDir is Docker's test that a directory was only copied up: same size,
// mode and mtime (nanoseconds compared only when both have them).
func sameDir(a, b *unix.Stat_t) bool {
	return a.Size == b.Size && a.Mode == b.Mode && a.Mtim.Sec == b.Mtim.Sec &&
		(a.Mtim.Nsec == b.Mtim.Nsec || a.Mtim.Nsec == 0 || b.Mtim.Nsec == 0)
}

// walkLess orders paths as a depth-first walk with sorted names does:
// "/a", "/a/b", "/a-b" ("/" sorts before every other byte).
func walkLess(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] == '/' {
				return true
			}
			if b[i] == '/' {
				return false
			}
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// Whiteouts: how a layer deletes what the layers below it hold.
//
// A layer cannot list an absence, so the OCI spec has it list a marker
// instead: an empty file .wh.NAME deletes NAME, and .wh..wh..opq in a
// directory deletes everything the lower layers have in it (the directory
// is "opaque"). The markers are never written as files:
//
//	ApplyWhiteouts    the lower layers are in dir already: delete, now.
//	OverlayWhiteouts  dir holds this layer alone; overlayfs will stack it on
//	                  the lower ones. Write the markers in overlayfs's own
//	                  format: a character device 0:0 named NAME, and the
//	                  xattr trusted.overlay.opaque=y on an opaque directory.
//
// Either way a whiteout hides only the lower layers: what this same layer
// writes at or under the path stays, whichever comes first in the tar.

package archive

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func (a *applier) whiteout(w Whiteout) error {
	switch {
	case w.Opaque:
		if err := a.opaque(w.Dir); err != nil {
			return err
		}
		// The marker says the layer has the directory: a whiteout of it
		// later in the same layer must spare it.
		a.markWritten(w.Dir)
		return nil
	case w.Name == "":
		return nil // aufs bookkeeping (.wh..wh.plnk): nothing to hide
	case w.Name == "." || w.Name == "..":
		return fmt.Errorf("whiteout of %q: not a file name", w.Name)
	}
	p := join(w.Dir, w.Name)
	if a.mode == OverlayWhiteouts {
		// Made in finish, once the whole layer is known.
		a.whiteouts = append(a.whiteouts, p)
		return nil
	}
	pfd, err := a.root.parent(w.Dir, false)
	if notExist(err) {
		return nil // nothing there to delete
	}
	if err != nil {
		return err
	}
	return a.prune(pfd, w.Name, p)
}

// opaque hides what the lower layers hold in dir.
func (a *applier) opaque(dir string) error {
	if a.mode == OverlayWhiteouts {
		dfd, err := a.root.parent(dir, true)
		if err != nil {
			return err
		}
		return setOpaque(dfd, ".", dir)
	}
	dfd, err := a.root.parent(dir, false)
	if notExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	a.root.invalidateBelow(dir)
	return a.pruneChildren(dfd, ".", dir)
}

// prune removes from name (p) in dirfd what the lower layers put there: all
// of it if this layer wrote nothing at or under p; otherwise, if it is a
// directory, whatever in it the layer did not write.
func (a *applier) prune(dirfd int, name, p string) error {
	if !a.isWritten(p) {
		a.root.invalidate(p)
		if err := removeAll(dirfd, name); err != nil {
			return fmt.Errorf("whiteout %s: %w", p, err)
		}
		return nil
	}
	var st unix.Stat_t
	err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	if err == unix.ENOENT {
		return nil
	}
	if err != nil {
		return &os.PathError{Op: "fstatat", Path: p, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil // the layer's own file
	}
	return a.pruneChildren(dirfd, name, p)
}

func (a *applier) pruneChildren(dirfd int, name, p string) error {
	names, fd, err := readDir(dirfd, name)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	for _, n := range names {
		if err := a.prune(fd, n, join(p, n)); err != nil {
			return err
		}
	}
	return nil
}

// overlayWhiteout writes OverlayWhiteouts' marker for p, once the whole
// layer is in.
func (a *applier) overlayWhiteout(p string) error {
	dir, name := split(p)
	pfd, err := a.root.parent(dir, true)
	if err != nil {
		return err
	}
	if a.isWritten(p) {
		// The layer wrote p itself, which hides the lower layers' p already
		// if it is a file; a directory of the layer must not show their
		// children: it becomes opaque.
		var st unix.Stat_t
		if err := unix.Fstatat(pfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "fstatat", Path: p, Err: err}
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return setOpaque(pfd, name, p)
		}
		return nil
	}
	// Mode 0 and root-owned, as overlayfs makes its own whiteouts.
	err = unix.Mknodat(pfd, name, unix.S_IFCHR, 0)
	if err == unix.EEXIST {
		if err := a.replace(pfd, name, p); err != nil {
			return err
		}
		err = unix.Mknodat(pfd, name, unix.S_IFCHR, 0)
	}
	if err != nil {
		return &os.PathError{Op: "mknodat", Path: p, Err: err}
	}
	return nil
}

// setOpaque marks the directory name in dirfd opaque for overlayfs.
func setOpaque(dirfd int, name, p string) error {
	if err := unix.Lsetxattr(procPath(dirfd, name), OpaqueXattr, []byte("y"), 0); err != nil {
		if err == unix.EOPNOTSUPP {
			err = xattrUnsupported(OpaqueXattr)
		}
		return &os.PathError{Op: "setxattr " + OpaqueXattr, Path: p, Err: err}
	}
	return nil
}

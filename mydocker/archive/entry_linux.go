// Making one entry of each type: its file, then its metadata (meta_linux.go).
//
// Each maker creates its entry exclusively, relative to the parent's
// descriptor: openat with O_CREAT|O_EXCL|O_NOFOLLOW, mkdirat, symlinkat,
// linkat, mknodat. If something is in the way (EEXIST), it is removed and
// the call made again, never opened or followed: what is in the way may be
// a symlink out of dir, or a hardlink to a file outside. Only a directory
// entry on a directory keeps what is there.

package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

func (a *applier) dir(pfd int, name, p string, hdr *tar.Header) error {
	// 0700 until the owner and mode are set: no one else may use it before.
	err := unix.Mkdirat(pfd, name, 0o700)
	if err == unix.EEXIST {
		var st unix.Stat_t
		if err := unix.Fstatat(pfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "fstatat", Path: p, Err: err}
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			err = nil // merge: keep the children, take the new metadata
		} else {
			if err := a.replace(pfd, name, p); err != nil {
				return err
			}
			err = unix.Mkdirat(pfd, name, 0o700)
		}
	}
	if err != nil {
		return &os.PathError{Op: "mkdirat", Path: p, Err: err}
	}
	return a.dirMeta(pfd, name, p, hdr)
}

// dirMeta sets a directory's metadata, its times at the end.
func (a *applier) dirMeta(pfd int, name, p string, hdr *tar.Header) error {
	if err := chown(pfd, name, p, hdr); err != nil {
		return err
	}
	if err := chmod(pfd, name, p, hdr); err != nil {
		return err
	}
	if err := setXattrs(pfd, name, p, -1, hdr); err != nil {
		return err
	}
	if i, ok := a.dirIdx[p]; ok {
		a.dirs[i] = dirTimes{path: p, ts: times(hdr)}
	} else {
		a.dirIdx[p] = len(a.dirs)
		a.dirs = append(a.dirs, dirTimes{path: p, ts: times(hdr)})
	}
	return nil
}

// rootEntry applies a "./" entry: the metadata of dir itself.
func (a *applier) rootEntry(hdr *tar.Header) error {
	if hdr.Typeflag != tar.TypeDir {
		return fmt.Errorf("a %s cannot replace the layer's root directory", typeName(hdr.Typeflag))
	}
	return a.dirMeta(a.root.fd, ".", "", hdr)
}

func (a *applier) file(pfd int, name, p string, hdr *tar.Header, r io.Reader) error {
	// Before anything is made: a file larger than a whole layer may be.
	if err := a.budget.fileSize(hdr.Size); err != nil {
		return err
	}
	// O_EXCL|O_NOFOLLOW: never open what is there, it could be a symlink
	// out of dir or a hardlink to a file outside; replace it instead.
	const flags = unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL | unix.O_NOFOLLOW | unix.O_CLOEXEC
	mode := perm(hdr)
	fd, err := unix.Openat(pfd, name, flags, mode&0o777)
	if err == unix.EEXIST {
		if err := a.replace(pfd, name, p); err != nil {
			return err
		}
		fd, err = unix.Openat(pfd, name, flags, mode&0o777)
	}
	if err != nil {
		return &os.PathError{Op: "openat", Path: p, Err: err}
	}
	if IsSparse(hdr) {
		err = a.copySparse(fd, p, r, hdr.Size)
	} else {
		err = a.copy(fd, p, r)
	}
	if err == nil {
		if e := unix.Fchown(fd, hdr.Uid, hdr.Gid); e != nil {
			err = &os.PathError{Op: fmt.Sprintf("chown %d:%d", hdr.Uid, hdr.Gid), Path: p, Err: e}
		}
	}
	// The mode given to openat is right unless the umask took bits away,
	// or it has special bits, which the chown has cleared in any case. A
	// chmod less per file is 5% of a layer.
	if err == nil && (mode&0o7000 != 0 || mode&a.umask != 0) {
		if e := unix.Fchmod(fd, mode); e != nil {
			err = &os.PathError{Op: "chmod", Path: p, Err: e}
		}
	}
	if err == nil {
		err = setXattrs(pfd, name, p, fd, hdr)
	}
	if e := unix.Close(fd); e != nil && err == nil {
		err = &os.PathError{Op: "close", Path: p, Err: e}
	}
	if err != nil {
		return err
	}
	return setTimes(pfd, name, p, times(hdr))
}

// copy writes the entry's data into fd through the applier's buffer: one
// buffer for the whole layer, whatever the size of its files.
func (a *applier) copy(fd int, p string, r io.Reader) error {
	for {
		n, rerr := r.Read(a.buf)
		if err := a.budget.write(int64(n)); err != nil {
			return err
		}
		for off := 0; off < n; {
			m, err := unix.Write(fd, a.buf[off:n])
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return &os.PathError{Op: "write", Path: p, Err: err}
			}
			off += m
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("read layer: %w", rerr)
		}
	}
}

func (a *applier) symlink(pfd int, name, p string, hdr *tar.Header) error {
	// The target is stored as the layer says: it is text, resolved later
	// inside the container's root, or inside dir when a later entry of a
	// layer goes through it.
	err := unix.Symlinkat(hdr.Linkname, pfd, name)
	if err == unix.EEXIST {
		if err := a.replace(pfd, name, p); err != nil {
			return err
		}
		err = unix.Symlinkat(hdr.Linkname, pfd, name)
	}
	if err != nil {
		return &os.PathError{Op: "symlinkat", Path: p, Err: err}
	}
	if err := chown(pfd, name, p, hdr); err != nil {
		return err
	}
	if err := setXattrs(pfd, name, p, -1, hdr); err != nil {
		return err
	}
	return setTimes(pfd, name, p, times(hdr))
}

// hardlink links name to the file the entry's Linkname names, a path from
// the layer's root, resolved inside dir like any other. Its owner, mode and
// times are the target's: they are one inode.
func (a *applier) hardlink(pfd int, name, p string, hdr *tar.Header) error {
	target := Clean(hdr.Linkname)
	if target == "" {
		return errors.New("hardlink to the layer's root directory")
	}
	if target == p {
		return nil // a link to itself: already there
	}
	tdir, tname := split(target)
	tfd, err := a.root.openTarget(tdir)
	if err != nil {
		return fmt.Errorf("hardlink to %s: %w", hdr.Linkname, err)
	}
	defer unix.Close(tfd)
	// Flags 0: if the target is a symlink, link the symlink, never what it
	// points to.
	err = unix.Linkat(tfd, tname, pfd, name, 0)
	if err == unix.EEXIST {
		if err := a.replace(pfd, name, p); err != nil {
			return err
		}
		err = unix.Linkat(tfd, tname, pfd, name, 0)
	}
	switch {
	case err == unix.ENOENT:
		return fmt.Errorf("hardlink to %s: %w", hdr.Linkname, &os.PathError{Op: "linkat", Path: target, Err: err})
	case err == unix.EPERM:
		return fmt.Errorf("hardlink to %s: %w (a directory cannot be hardlinked)", hdr.Linkname, &os.PathError{Op: "linkat", Path: target, Err: err})
	case err != nil:
		return &os.PathError{Op: "linkat", Path: p, Err: err}
	}
	return nil
}

// node makes a character or block device or a fifo. Root in the initial
// user namespace may make any device; a container cannot open one from its
// image, because its root is mounted nodev (rootfs.mountOverlay).
func (a *applier) node(pfd int, name, p string, hdr *tar.Header) error {
	mode := perm(hdr)
	switch hdr.Typeflag {
	case tar.TypeChar:
		mode |= unix.S_IFCHR
	case tar.TypeBlock:
		mode |= unix.S_IFBLK
	default:
		mode |= unix.S_IFIFO
	}
	dev := int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
	err := unix.Mknodat(pfd, name, mode, dev)
	if err == unix.EEXIST {
		if err := a.replace(pfd, name, p); err != nil {
			return err
		}
		err = unix.Mknodat(pfd, name, mode, dev)
	}
	if err != nil {
		return &os.PathError{Op: "mknodat", Path: p, Err: err}
	}
	if err := chown(pfd, name, p, hdr); err != nil {
		return err
	}
	// mknod's mode went through the umask, and chown cleared setgid.
	if err := chmod(pfd, name, p, hdr); err != nil {
		return err
	}
	if err := setXattrs(pfd, name, p, -1, hdr); err != nil {
		return err
	}
	return setTimes(pfd, name, p, times(hdr))
}

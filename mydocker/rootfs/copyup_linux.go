// Copy-up: a new, empty volume starts with what the image has where it is
// mounted, as in Docker: `-v data:/etc/nginx` shows the image's nginx
// configuration, now kept in the volume. It happens once, while the volume
// is still a detached mount and the image's directory is still visible
// under the target, and never again once the volume holds anything.
//
// Both sides are walked by descriptor: every name is opened relative to its
// parent with O_NOFOLLOW, so a symlink in the image is copied as a symlink
// and never followed, whether it points at /etc or at ../../... Owners,
// modes (set after the owner: chown clears set-user-ID), extended
// attributes (file capabilities, ACLs) and times come along.

package rootfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// maxCopyDepth bounds the directories copy-up descends: two descriptors
// are open per level, and a hostile image can nest far deeper.
const maxCopyDepth = 128

// copyUpInto fills the detached mount tree with the image's directory src
// (an O_PATH descriptor), if tree is empty.
func copyUpInto(src, tree int, target string) error {
	dst, err := unix.Openat(tree, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("open volume", err)
	}
	defer unix.Close(dst)
	if empty, err := isEmpty(dst); err != nil || !empty {
		return err
	}
	from, err := unix.Openat(src, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("open image directory", err)
	}
	defer unix.Close(from)
	trace.Step("copy-up: the image's %s into the new volume, by descriptor, symlinks as symlinks", target)
	return CopyUp(from, dst)
}

// CopyUp copies the directory src into the empty directory dst (both open
// O_RDONLY|O_DIRECTORY), then gives dst src's owner, mode and attributes.
func CopyUp(src, dst int) error {
	links := hardlinks{}
	defer links.close()
	if err := copyDir(src, dst, 0, links); err != nil {
		return fmt.Errorf("copy-up: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(src, &st); err != nil {
		return err
	}
	return copyMeta(src, dst, "", &st)
}

// isEmpty reports whether the directory dst has no entries.
func isEmpty(dst int) (bool, error) {
	names, err := readNames(dst)
	return len(names) == 0, err
}

// readNames lists a directory by descriptor, without moving dir's offset
// for anyone else (it reads a fresh descriptor).
func readNames(dir int) ([]string, error) {
	fd, err := unix.Openat(dir, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("openat", err)
	}
	f := os.NewFile(uintptr(fd), "dir")
	defer f.Close()
	return f.Readdirnames(-1)
}

// copyDir copies each entry of src into dst.
func copyDir(src, dst, depth int, links hardlinks) error {
	if depth >= maxCopyDepth {
		return fmt.Errorf("directories nested deeper than %d", maxCopyDepth)
	}
	names, err := readNames(src)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := copyEntry(src, dst, name, depth, links); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// copyEntry copies one entry; it never follows a symlink.
func copyEntry(src, dst int, name string, depth int, links hardlinks) error {
	var st unix.Stat_t
	if err := unix.Fstatat(src, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return os.NewSyscallError("fstatat", err)
	}
	perm := st.Mode & 0o7777
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if err := unix.Mkdirat(dst, name, 0o700); err != nil {
			return os.NewSyscallError("mkdirat", err)
		}
		s, err := unix.Openat(src, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return os.NewSyscallError("openat", err)
		}
		defer unix.Close(s)
		d, err := unix.Openat(dst, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return os.NewSyscallError("openat", err)
		}
		defer unix.Close(d)
		if err := copyDir(s, d, depth+1, links); err != nil {
			return err
		}
		return copyMeta(s, d, "", &st) // after the children: times last
	case unix.S_IFREG:
		if st.Nlink > 1 && links.link(dst, name, &st) {
			return nil // another name of a file already copied
		}
		return copyFile(src, dst, name, &st, links)
	case unix.S_IFLNK:
		target, err := readlinkat(src, name)
		if err != nil {
			return err
		}
		if err := unix.Symlinkat(target, dst, name); err != nil {
			return os.NewSyscallError("symlinkat", err)
		}
		return copyMeta(-1, dst, name, &st)
	default: // devices, fifos, sockets: the volume is mounted nodev
		if err := unix.Mknodat(dst, name, st.Mode&unix.S_IFMT|perm, int(st.Rdev)); err != nil {
			return os.NewSyscallError("mknodat", err)
		}
		return copyMeta(-1, dst, name, &st)
	}
}

// copyFile copies a regular file's bytes (copy_file_range where the kernel
// can) and its metadata.
func copyFile(src, dst int, name string, st *unix.Stat_t, links hardlinks) error {
	s, err := unix.Openat(src, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("openat", err)
	}
	in := os.NewFile(uintptr(s), name)
	defer in.Close()
	d, err := unix.Openat(dst, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return os.NewSyscallError("openat", err)
	}
	out := os.NewFile(uintptr(d), name)
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	if st.Nlink > 1 {
		links.remember(d, st)
	}
	return copyMeta(s, d, "", st)
}

// copyMeta gives the copy the original's owner, mode, extended attributes
// and times: by descriptor (fd >= 0 on both sides), or for a symlink or
// device by name in dst without following it.
func copyMeta(src, dst int, name string, st *unix.Stat_t) error {
	if name == "" {
		if err := unix.Fchown(dst, int(st.Uid), int(st.Gid)); err != nil {
			return os.NewSyscallError("fchown", err)
		}
		if err := unix.Fchmod(dst, st.Mode&0o7777); err != nil {
			return os.NewSyscallError("fchmod", err)
		}
		if err := copyXattrs(src, dst); err != nil {
			return err
		}
		times := []unix.Timespec{st.Atim, st.Mtim}
		return os.NewSyscallError("futimens", unix.UtimesNanoAt(dst, "", times, unix.AT_EMPTY_PATH))
	}
	if err := unix.Fchownat(dst, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return os.NewSyscallError("fchownat", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		if err := chmodNoFollow(dst, name, st.Mode&0o7777); err != nil {
			return err
		}
	}
	times := []unix.Timespec{st.Atim, st.Mtim}
	return os.NewSyscallError("utimensat", unix.UtimesNanoAt(dst, name, times, unix.AT_SYMLINK_NOFOLLOW))
}

// copyXattrs copies every extended attribute the kernel lets us read;
// overlayfs's own (trusted.overlay.*) never show through the union.
func copyXattrs(src, dst int) error {
	// Most files have none: ask for the list's size first, and allocate
	// only for those that do.
	n, err := unix.Flistxattr(src, nil)
	if errors.Is(err, unix.ENOTSUP) || n == 0 {
		return nil
	}
	if err != nil {
		return os.NewSyscallError("flistxattr", err)
	}
	buf := make([]byte, n)
	if n, err = unix.Flistxattr(src, buf); err != nil {
		return os.NewSyscallError("flistxattr", err)
	}
	for _, key := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if key == "" {
			continue
		}
		size, err := unix.Fgetxattr(src, key, nil)
		if err != nil {
			return &os.PathError{Op: "fgetxattr", Path: key, Err: err}
		}
		val := make([]byte, size)
		m, err := unix.Fgetxattr(src, key, val)
		if err != nil {
			return &os.PathError{Op: "fgetxattr", Path: key, Err: err}
		}
		if err := unix.Fsetxattr(dst, key, val[:m], 0); err != nil && !errors.Is(err, unix.ENOTSUP) {
			return &os.PathError{Op: "fsetxattr", Path: key, Err: err}
		}
	}
	return nil
}

// maxHardlinks bounds the copies held open to link more names to: a
// hostile image can hold any number of hardlinked files. Past it, a
// further name is copied as a file of its own.
const maxHardlinks = 1024

// hardlinks keeps copy-up's hardlinks together, as Docker's copy does: the
// image's inode (device, inode) -> a descriptor of its copy. A
// further name is linked to that descriptor (linkat AT_EMPTY_PATH), never
// to a path in the volume, which another container may be changing.
type hardlinks map[[2]uint64]int

func (h hardlinks) remember(copied int, st *unix.Stat_t) {
	if len(h) >= maxHardlinks {
		return
	}
	fd, err := unix.FcntlInt(uintptr(copied), unix.F_DUPFD_CLOEXEC, 0)
	if err == nil {
		h[[2]uint64{st.Dev, st.Ino}] = fd
	}
}

// link makes name in dst another name of the copy of st's inode, if
// there is one; false means copy the file.
func (h hardlinks) link(dst int, name string, st *unix.Stat_t) bool {
	fd, ok := h[[2]uint64{st.Dev, st.Ino}]
	return ok && unix.Linkat(fd, "", dst, name, unix.AT_EMPTY_PATH) == nil
}

func (h hardlinks) close() {
	for _, fd := range h {
		unix.Close(fd)
	}
}

func readlinkat(dir int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dir, name, buf)
	if err != nil {
		return "", os.NewSyscallError("readlinkat", err)
	}
	return string(buf[:n]), nil
}

// chmodNoFollow sets the mode of dir's entry name, and never of what a
// symlink put there meanwhile points to: fchmodat(2) has no
// AT_SYMLINK_NOFOLLOW, and a container sharing the volume could swap the
// entry for a symlink to a host file between its creation and this chmod.
// The entry is opened O_PATH|O_NOFOLLOW, checked not to be a symlink, and
// its mode set through the descriptor.
func chmodNoFollow(dir int, name string, mode uint32) error {
	fd, err := unix.Openat(dir, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("openat O_PATH", err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return os.NewSyscallError("fstat", err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return fmt.Errorf("copy-up: %s became a symlink while it was copied: refused", name)
	}
	return os.NewSyscallError("chmod", unix.Chmod(fmt.Sprintf("/proc/self/fd/%d", fd), mode))
}

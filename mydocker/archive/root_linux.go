// A root is the directory a layer is extracted into, seen the way a chrooted
// process sees "/": no path a layer names may lead out of it.
//
// String checks cannot promise that. "a/b" is harmless text, but if an
// earlier entry of the same tar made "a" a symlink to "/" or "../../..",
// opening "a/b" writes to the host. So every parent directory is opened with
// openat2(2) and RESOLVE_IN_ROOT, which makes the kernel resolve the path as
// if dir were the root: ".." stops at dir and symlinks, even absolute ones,
// are followed inside dir. The last component is then created, replaced or
// removed with *at(2) calls relative to the parent's descriptor, with
// O_NOFOLLOW / AT_SYMLINK_NOFOLLOW so that a symlink in that place is itself
// replaced and never followed.
//
// Layers list their entries in tree order, so the parent of one entry is
// most often the parent of the one before, or one level below it. A root
// keeps the descriptors of the directories on the path of the last parent it
// opened (a stack: "a", "a/b", "a/b/c"), and goes one level down with a plain
// openat(O_NOFOLLOW): a real directory is the same whether resolved in the
// root or from its parent. A symlink on the way fails that openat, and the
// path is resolved again from the root with openat2. Whenever a layer
// replaces or removes something, the descriptors at and under its path are
// dropped.

package archive

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// maxStack bounds the descriptors a root keeps open; deeper parents are
// opened from the root each time.
const maxStack = 32

type root struct {
	dir   string // for messages
	fd    int    // O_PATH descriptor of dir: every lookup starts here
	stack []openDir
	spare int // a deep parent, open only until the next parent() call
}

type openDir struct {
	path string
	fd   int
}

// openRoot opens dir as a root. It fails with ErrNoOpenat2 on kernels
// without openat2.
func openRoot(dir string) (*root, error) {
	// The root itself is trusted: it is ours, and it may sit below symlinks
	// of the host (/var/lib -> /data), so plain openat2 without RESOLVE_*.
	// Using openat2 here also finds out whether the kernel has it.
	fd, err := unix.Openat2(unix.AT_FDCWD, dir, &unix.OpenHow{
		Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
	})
	if errors.Is(err, unix.ENOSYS) {
		return nil, ErrNoOpenat2
	}
	if err != nil {
		return nil, &os.PathError{Op: "openat2", Path: dir, Err: err}
	}
	return &root{dir: dir, fd: fd, spare: -1}, nil
}

func (r *root) close() {
	r.drop(0)
	r.closeSpare()
	unix.Close(r.fd)
}

func (r *root) closeSpare() {
	if r.spare >= 0 {
		unix.Close(r.spare)
		r.spare = -1
	}
}

// drop closes the kept descriptors from index i on.
func (r *root) drop(i int) {
	for _, d := range r.stack[i:] {
		unix.Close(d.fd)
	}
	r.stack = r.stack[:i]
}

// invalidate forgets the descriptors of p and of everything under it: p is
// about to be replaced or removed, and the descriptors would point to the
// old directories.
func (r *root) invalidate(p string) {
	for i, d := range r.stack {
		if under(d.path, p) {
			r.drop(i)
			return
		}
	}
}

// invalidateBelow forgets the descriptors strictly under p.
func (r *root) invalidateBelow(p string) {
	for i, d := range r.stack {
		if d.path != p && under(d.path, p) {
			r.drop(i)
			return
		}
	}
}

// under reports whether path p is q or inside q.
func under(p, q string) bool {
	return q == "" || p == q || (len(p) > len(q) && p[len(q)] == '/' && strings.HasPrefix(p, q))
}

// parent returns a descriptor of the directory p (cleaned, relative; "" is
// the root), resolved inside the root. With create, missing directories on
// the way are made (mode 0755, like Docker's implied directories). The
// descriptor stays valid until the next call to parent or invalidate; the
// caller does not close it.
func (r *root) parent(p string, create bool) (int, error) {
	r.closeSpare()
	if p == "" {
		return r.fd, nil
	}
	// Keep the kept directories that are p or lead to it.
	i := 0
	for i < len(r.stack) && under(p, r.stack[i].path) {
		i++
	}
	r.drop(i)
	if i > 0 && r.stack[i-1].path == p {
		return r.stack[i-1].fd, nil
	}
	cur, done := r.fd, 0
	if i > 0 {
		cur, done = r.stack[i-1].fd, len(r.stack[i-1].path)+1
	}
	for done < len(p) {
		end := strings.IndexByte(p[done:], '/')
		if end < 0 {
			end = len(p)
		} else {
			end += done
		}
		name, prefix := p[done:end], p[:end]
		fd, err := r.step(cur, name, prefix, create)
		if err != nil {
			return -1, err
		}
		if len(r.stack) < maxStack {
			r.stack = append(r.stack, openDir{prefix, fd})
		} else {
			if cur == r.spare {
				unix.Close(cur)
			}
			r.spare = fd
		}
		cur, done = fd, end+1
	}
	return cur, nil
}

// step opens the directory name in the directory cur; prefix is its path
// from the root.
func (r *root) step(cur int, name, prefix string, create bool) (int, error) {
	for try := 0; ; try++ {
		// A real directory: the same as resolving prefix in the root.
		fd, err := unix.Openat(cur, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == nil {
			return fd, nil
		}
		switch {
		case err == unix.ENOENT && create && try == 0:
			// An implied directory: the layer has an entry below it but none
			// for it (or not yet).
			err := unix.Mkdirat(cur, name, 0o755)
			if err == nil {
				// 0755 whatever the umask, as Docker makes them.
				err = unix.Fchmodat(cur, name, 0o755, 0)
			}
			if err != nil && err != unix.EEXIST {
				return -1, &os.PathError{Op: "mkdirat", Path: prefix, Err: err}
			}
			continue
		case err == unix.ENOTDIR || err == unix.ELOOP:
			// A symlink (or not a directory at all): let the kernel follow
			// it, clamped to the root.
			return r.resolve(prefix)
		}
		return -1, &os.PathError{Op: "openat", Path: prefix, Err: err}
	}
}

// resolve opens directory p from the root, following symlinks inside it.
func (r *root) resolve(p string) (int, error) {
	how := unix.OpenHow{
		Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		// IN_ROOT: "/" and ".." stop at the root, symlinks resolve inside
		// it. NO_MAGICLINKS: no /proc/self/fd-style link may lead out
		// either (were a procfs ever mounted inside the root).
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(r.fd, p, &how)
	for try := 0; (err == unix.EAGAIN || err == unix.EINTR) && try < 16; try++ {
		// EAGAIN: a rename somewhere raced the lookup, which the kernel
		// will not risk resolving wrongly. Try again.
		fd, err = unix.Openat2(r.fd, p, &how)
	}
	if err != nil {
		if err == unix.ENOSYS {
			return -1, ErrNoOpenat2
		}
		return -1, &os.PathError{Op: "openat2", Path: p, Err: err}
	}
	return fd, nil
}

// openTarget opens the parent directory of a hardlink's target: a
// descriptor of its own, since the link's parent is open at the same time.
// The caller closes it.
func (r *root) openTarget(p string) (int, error) {
	if p == "" {
		return unix.Dup(r.fd)
	}
	return r.resolve(p)
}

// removeAll removes name in the directory dirfd, and all below it if it is a
// directory, never following symlinks. A missing name is no error.
func removeAll(dirfd int, name string) error {
	err := unix.Unlinkat(dirfd, name, 0)
	if err == nil || err == unix.ENOENT {
		return nil
	}
	if err != unix.EISDIR {
		return &os.PathError{Op: "unlinkat", Path: name, Err: err}
	}
	if err := removeChildren(dirfd, name); err != nil {
		return err
	}
	if err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT {
		return &os.PathError{Op: "rmdir", Path: name, Err: err}
	}
	return nil
}

// removeChildren empties the directory name in dirfd.
func removeChildren(dirfd int, name string) error {
	names, fd, err := readDir(dirfd, name)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	for _, n := range names {
		if err := removeAll(fd, n); err != nil {
			return &os.PathError{Op: "remove", Path: name + "/" + n, Err: errors.Unwrap(err)}
		}
	}
	return nil
}

// readDir opens the directory name in dirfd, without following a symlink,
// and lists it. The caller closes the returned descriptor.
func readDir(dirfd int, name string) ([]string, int, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, -1, &os.PathError{Op: "openat", Path: name, Err: err}
	}
	// A dup for os.File to own (and close): fd stays ours.
	dup, err := unix.Dup(fd)
	if err != nil {
		unix.Close(fd)
		return nil, -1, os.NewSyscallError("dup", err)
	}
	f := os.NewFile(uintptr(dup), name)
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		unix.Close(fd)
		return nil, -1, err
	}
	return names, fd, nil
}

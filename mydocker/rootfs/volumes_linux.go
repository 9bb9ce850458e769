// Mounting a volume where the image says, without letting the image say
// "the host". The target is a path in the image, and the image is hostile:
// /data may be a symlink to /etc, or to ../../../etc, and a mount(2) given
// the string <root>/data would follow it on the host and cover the host's
// /etc. Even a target checked first can be swapped for a symlink before
// mount(2) looks again (runc's CVE-2021-30465, two containers sharing a
// volume and racing a rename inside it).
//
// So no path string reaches the mount: the target is opened with
// openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) relative to the root's
// descriptor, where ".." stops at the root and an absolute symlink starts
// again from it; the source becomes a detached mount of its own with
// open_tree(OPEN_TREE_CLONE) (a bind) or fsopen/fsmount (a tmpfs); its
// flags are set with mount_setattr while it is still detached; and
// move_mount(2) attaches it to the target's descriptor. Whatever is renamed
// meanwhile, the mount lands on the directory that was resolved.
//
// All of it happens in init, in the container's mount namespace: the host
// never has the mount, and it goes when the namespace goes, even after a
// kill -9.

package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// inRootResolve is how every target is resolved.
const inRootResolve = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// mountVolumes mounts each of mounts inside root, parents first (the engine
// sorts them so), then the rest of Setup continues.
func mountVolumes(root string, mounts []VolumeMount) error {
	if len(mounts) == 0 {
		return nil
	}
	rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(rootFd)
	for _, m := range mounts {
		if err := MountVolume(rootFd, m); err != nil {
			return fmt.Errorf("mount %s at %s: %w", m.Kind, m.Target, err)
		}
	}
	return nil
}

// MountVolume mounts m at its target, resolved inside the root rootFd.
func MountVolume(rootFd int, m VolumeMount) error {
	tree, isDir, err := sourceTree(m)
	if err != nil {
		return err
	}
	defer unix.Close(tree)
	target, created, err := OpenTarget(rootFd, m.Target, isDir)
	if err != nil {
		return err
	}
	defer unix.Close(target)
	if m.CopyUp && isDir && !created {
		if err := copyUpInto(target, tree, m.Target); err != nil {
			return err
		}
	}
	if err := setAttrs(tree, m); err != nil {
		return err
	}
	trace.Step("move_mount(%s, openat2(root, %q, RESOLVE_IN_ROOT)): attached by descriptor", describe(m), m.Target)
	if err := unix.MoveMount(tree, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return os.NewSyscallError("move_mount", err)
	}
	return nil
}

// describe names a mount's source for --trace.
func describe(m VolumeMount) string {
	if m.Kind == "tmpfs" {
		return fmt.Sprintf("fsmount(tmpfs %q)", m.Data)
	}
	return fmt.Sprintf("open_tree(%q, OPEN_TREE_CLONE|AT_RECURSIVE)", m.Source)
}

// sourceTree makes the mount to attach, still detached from any tree: a
// recursive clone of a host directory or file (the engine chose the path:
// a volume's _data, or the user's bind source), or a new tmpfs.
func sourceTree(m VolumeMount) (fd int, isDir bool, err error) {
	switch m.Kind {
	case "bind":
		var st unix.Stat_t
		if err := unix.Stat(m.Source, &st); err != nil {
			return -1, false, &os.PathError{Op: "stat", Path: m.Source, Err: err}
		}
		fd, err := unix.OpenTree(unix.AT_FDCWD, m.Source, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
		if err != nil {
			return -1, false, &os.PathError{Op: "open_tree", Path: m.Source, Err: err}
		}
		return fd, st.Mode&unix.S_IFMT == unix.S_IFDIR, nil
	case "tmpfs":
		fd, err := newTmpfs(m.Data)
		return fd, true, err
	}
	return -1, false, fmt.Errorf("unknown mount kind %q", m.Kind)
}

// newTmpfs makes a tmpfs with the mount API: fsopen, one fsconfig per
// option (so a bad one is named), fsmount.
func newTmpfs(data string) (int, error) {
	fsfd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, os.NewSyscallError("fsopen tmpfs", err)
	}
	defer unix.Close(fsfd)
	for _, kv := range strings.Split(data, ",") {
		k, v, hasValue := strings.Cut(kv, "=")
		if !hasValue {
			continue // flags (exec, ro) are the mount's, set by setAttrs
		}
		if err := unix.FsconfigSetString(fsfd, k, v); err != nil {
			return -1, fmt.Errorf("tmpfs option %s: %w", kv, os.NewSyscallError("fsconfig", err))
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, os.NewSyscallError("fsconfig create tmpfs", err)
	}
	fd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("fsmount tmpfs", err)
	}
	return fd, nil
}

// setAttrs sets the flags and the propagation of the detached mount, and
// of every mount under it, before anyone can see it.
func setAttrs(tree int, m VolumeMount) error {
	var set uint64
	for _, f := range []struct {
		on   bool
		attr uint64
	}{{m.ReadOnly, unix.MOUNT_ATTR_RDONLY}, {m.NoSuid, unix.MOUNT_ATTR_NOSUID}, {m.NoDev, unix.MOUNT_ATTR_NODEV}, {m.NoExec, unix.MOUNT_ATTR_NOEXEC}} {
		if f.on {
			set |= f.attr
		}
	}
	if set != 0 {
		attr := &unix.MountAttr{Attr_set: set}
		if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, attr); err != nil {
			return os.NewSyscallError("mount_setattr", err)
		}
	}
	prop, recursive, err := propagation(m.Propagation)
	if err != nil {
		return err
	}
	flags := uint(unix.AT_EMPTY_PATH)
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	if err := unix.MountSetattr(tree, "", flags, &unix.MountAttr{Propagation: prop}); err != nil {
		return os.NewSyscallError("mount_setattr propagation", err)
	}
	return nil
}

// propagation reads Docker's propagation names; rprivate when empty.
func propagation(p string) (flag uint64, recursive bool, err error) {
	recursive = p == "" || strings.HasPrefix(p, "r")
	switch strings.TrimPrefix(p, "r") {
	case "", "private":
		return unix.MS_PRIVATE, recursive, nil
	case "slave":
		return unix.MS_SLAVE, recursive, nil
	case "shared":
		return unix.MS_SHARED, recursive, nil
	}
	return 0, false, fmt.Errorf("unknown propagation %q", p)
}

// OpenTarget opens target (a path inside the root rootFd) as an O_PATH
// descriptor to mount on, creating what is missing: directories, and an
// empty file as the last part when the source is a file. Every step is
// resolved inside the root; created reports that the last part was made
// here (so the image had nothing to copy up).
func OpenTarget(rootFd int, target string, dir bool) (fd int, created bool, err error) {
	target = path.Clean("/" + target)
	fd, err = openInRoot(rootFd, target, unix.O_PATH)
	if errors.Is(err, unix.ENOENT) {
		// Missing, perhaps behind a symlink that points at nothing yet:
		// make what it leads to, inside the root, as runc does. The path
		// SecureJoin finds is only a plan; each mkdirat is checked in
		// the root, and the final open resolves target afresh.
		created = true
		var where string
		if where, err = resolvedInRoot(rootFd, target); err == nil {
			if err = createInRoot(rootFd, where, dir); err == nil {
				fd, err = openInRoot(rootFd, target, unix.O_PATH)
			}
		}
	}
	if err != nil {
		return -1, false, explainTarget(target, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, false, os.NewSyscallError("fstat", err)
	}
	if isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR; isDir != dir {
		unix.Close(fd)
		what := map[bool]string{true: "a directory", false: "a file"}
		return -1, false, fmt.Errorf("mount target %s is %s in the image, and the source is %s: mount a %s there", target, what[isDir], what[dir], strings.TrimPrefix(what[isDir], "a "))
	}
	if err := refuseProc(rootFd, fd, target); err != nil {
		unix.Close(fd)
		return -1, false, err
	}
	return fd, created, nil
}

// resolvedInRoot is the path target leads to inside the root, its
// symlinks followed as the container would.
func resolvedInRoot(rootFd int, target string) (string, error) {
	rootPath, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", rootFd))
	if err != nil {
		return "", err
	}
	host, err := SecureJoin(rootPath, target)
	if err != nil {
		return "", err
	}
	return "/" + strings.TrimPrefix(strings.TrimPrefix(host, rootPath), "/"), nil
}

// refuseProc refuses a target that resolved into the container's /proc or
// /sys, as runc does: a mount there could hide a mask or a read-only path.
func refuseProc(rootFd, fd int, target string) error {
	rootPath, err1 := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", rootFd))
	got, err2 := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err1 != nil || err2 != nil {
		return fmt.Errorf("mount target %s: cannot tell where it resolved", target)
	}
	inside := "/" + strings.TrimPrefix(strings.TrimPrefix(got, rootPath), "/")
	for _, p := range []string{"/proc", "/sys"} {
		if inside == p || strings.HasPrefix(inside, p+"/") {
			return fmt.Errorf("mount target %s resolves to %s, inside the container's %s: refused (it could hide what is masked there)", target, inside, p)
		}
	}
	return nil
}

// openInRoot is openat2 inside the root, retried on EAGAIN (a rename raced
// the walk; the kernel asks again rather than risk a ".." out).
func openInRoot(rootFd int, name string, flags uint64) (int, error) {
	how := &unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Resolve: inRootResolve}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(rootFd, name, how)
		if err == unix.EAGAIN && tries < 16 {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "openat2", Path: name, Err: err}
		}
		return fd, nil
	}
}

// createInRoot makes target's missing parts one level at a time: each
// parent is resolved inside the root, and mkdirat (or openat O_CREAT|O_EXCL)
// makes a plain name in it. A symlink already there gives EEXIST, and the
// next level resolves it inside the root.
func createInRoot(rootFd int, target string, dir bool) error {
	parts := strings.Split(strings.TrimPrefix(target, "/"), "/")
	cur := "/"
	for i, name := range parts {
		next := path.Join(cur, name)
		last := i == len(parts)-1
		if fd, err := openInRoot(rootFd, next, unix.O_PATH); err == nil {
			unix.Close(fd)
			cur = next
			continue
		} else if !errors.Is(err, unix.ENOENT) {
			return err
		}
		parent, err := openInRoot(rootFd, cur, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return err
		}
		if last && !dir {
			var fd int
			fd, err = unix.Openat(parent, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
			if err == nil {
				unix.Close(fd)
			}
		} else {
			err = unix.Mkdirat(parent, name, 0o755)
		}
		unix.Close(parent)
		if err == unix.EEXIST {
			// A symlink swapped in since the plan was made.
			return &os.PathError{Op: "create", Path: next, Err: fmt.Errorf("changed while the mount point was made")}
		}
		if err != nil {
			return &os.PathError{Op: "create", Path: next, Err: err}
		}
		cur = next
	}
	return nil
}

// explainTarget turns a failed resolution into a cause.
func explainTarget(target string, err error) error {
	switch {
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.EXDEV):
		return fmt.Errorf("mount target %s goes through a /proc magic link or a symlink loop, which could lead out of the container: %w", target, err)
	case errors.Is(err, unix.ENOTDIR):
		return fmt.Errorf("mount target %s: a file in the image is in the way: %w", target, err)
	}
	return fmt.Errorf("mount target %s: %w", target, err)
}

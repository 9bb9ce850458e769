// The binary init runs from. The host starts init by re-executing itself,
// and /proc/1/exe inside the container then points at whatever file that
// was. If it were mydocker's own binary on the host, a container process
// allowed to look at init (--cap-add SYS_PTRACE) could open the host's
// binary through that link; once no process ran it, it could write it,
// and the next `mydocker` run by root on the host would be the
// container's program. That is CVE-2019-5736, found in runc.
//
// runc's answers, followed here in runc 1.2's order. First choice, free:
// a private overlayfs whose only layers are mydocker's own directory and an
// empty one, mounted read-only with the new mount API (fsopen, fsmount) and
// never attached anywhere. Init runs from the binary as seen through it:
// /proc/1/exe leads to a file of that overlay, which nothing can write
// (EROFS: an overlay with no upper layer has no way to write at all) and
// which does not lead back to the host's file. Second choice, where
// overlayfs cannot be mounted so: a sealed in-memory copy. memfd_create(2)
// makes a file that lives only in memory; the binary is copied in by the
// kernel (sendfile, no trip through user space), and F_ADD_SEALS forbids
// every further write, resize, and change of seals. It costs a copy of
// the binary per start, and its memory while the container runs. A
// mydocker that runs from either already (the daemon, re-executed by
// ReexecSealed, and the monitors it starts) gives init that same file.

package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// emptyDir is the overlay's second, empty, layer.
const emptyDir = "/run/mydocker/empty"

// seals is every seal a memfd can take but F_SEAL_EXEC, which would only
// forbid changing its mode bits.
const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE

// sealedSelf returns the running mydocker binary as a file nobody can
// write, close-on-exec, to be executed through /proc/self/fd/N.
func sealedSelf() (*os.File, error) {
	if runningSealed() {
		// The daemon (ReexecSealed) and the monitors it starts run from
		// a sealed copy already, whose path (/mydocker, in a detached
		// mount) names nothing on the host: that copy is init's too.
		trace.Step("mydocker runs from a sealed copy already: init runs from it too")
		return os.OpenFile("/proc/self/exe", os.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	f, err := overlaySelf()
	if err == nil {
		return f, nil
	}
	trace.Step("read-only overlayfs of mydocker's directory not possible (%v): a memfd copy instead", err)
	return memfdSelf()
}

// overlaySelf opens mydocker's binary through a private, read-only,
// detached overlayfs of its directory.
func overlaySelf() (*os.File, error) {
	bin, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	dir, name := filepath.Split(bin)
	// Overlayfs without an upper layer needs two lower ones; the second
	// is an empty directory, kept for every start (making and removing
	// one each time costs more than all the rest).
	if err := os.MkdirAll(emptyDir, 0o700); err != nil {
		return nil, err
	}
	ctx, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("fsopen overlay", err)
	}
	defer unix.Close(ctx)
	// mydocker's directory on top, so no file in the other can hide it.
	lower := escapeLower(dir) + ":" + escapeLower(emptyDir)
	trace.Step("fsopen(\"overlay\"), lowerdir=%s, fsmount(MOUNT_ATTR_RDONLY), never attached: init runs from a read-only view of %s", lower, bin)
	if err := unix.FsconfigSetString(ctx, "lowerdir", lower); err != nil {
		return nil, os.NewSyscallError("fsconfig lowerdir", err)
	}
	unix.FsconfigSetString(ctx, "xino", "off") // no dmesg noise; not needed here
	if err := unix.FsconfigCreate(ctx); err != nil {
		return nil, os.NewSyscallError("fsconfig create", err)
	}
	mnt, err := unix.Fsmount(ctx, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOSUID)
	if err != nil {
		return nil, os.NewSyscallError("fsmount", err)
	}
	// The mount lives as long as something holds it: the binary's
	// descriptor, then init's executable.
	defer unix.Close(mnt)
	fd, err := unix.Openat(mnt, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open in overlay", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), "overlay:"+name), nil
}

// escapeLower escapes what overlayfs's lowerdir list gives a meaning.
func escapeLower(path string) string {
	return strings.ReplaceAll(strings.ReplaceAll(path, `\`, `\\`), `:`, `\:`)
}

// memfdSelf returns a sealed in-memory copy of the running mydocker binary.
func memfdSelf() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return nil, err
	}
	// MFD_EXEC: with vm.memfd_noexec=1 a memfd is not executable unless
	// it asks; kernels before 6.3 do not know the flag.
	fd, err := unix.MemfdCreate("mydocker", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate("mydocker", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if err != nil {
		return nil, os.NewSyscallError("memfd_create", err)
	}
	mem := os.NewFile(uintptr(fd), "memfd:mydocker")
	trace.Step("memfd_create(\"mydocker\"), sendfile %d bytes of /proc/self/exe, F_ADD_SEALS: init runs from a sealed copy", st.Size())
	if err := copyAll(fd, int(src.Fd()), st.Size()); err != nil {
		mem.Close()
		return nil, err
	}
	if err := addSeals(fd); err != nil {
		mem.Close()
		return nil, os.NewSyscallError("fcntl F_ADD_SEALS", err)
	}
	return mem, nil
}

// addSeals seals the copy. F_SEAL_WRITE fails with EBUSY while a page of
// the file has a reference the kernel cannot account for, and the kernel
// waits only ~150 ms for it to go. Nothing maps the copy, so such a
// reference is the kernel's own for a moment (a page being migrated or
// compacted), and a copy of a few thousand pages met one once, under a
// daemon starting containers: ask again.
func addSeals(fd int) error {
	var err error
	for i := 0; i < 5; i++ {
		if _, err = unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != unix.EBUSY {
			return err
		}
	}
	return err
}

// copyAll copies size bytes from the start of in to out, inside the kernel.
func copyAll(out, in int, size int64) error {
	var off int64
	for off < size {
		n, err := unix.Sendfile(out, in, &off, int(min(size-off, 1<<30)))
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return os.NewSyscallError("sendfile", err)
		}
		if n == 0 {
			return fmt.Errorf("copy mydocker's binary: it ended at %d of %d bytes", off, size)
		}
	}
	return nil
}

// runningSealed reports whether this process runs from a binary nobody can
// write: a memfd sealed against writes, or a file of a read-only overlay
// (sealedSelf's two kinds).
func runningSealed() bool {
	fd, err := unix.Open("/proc/self/exe", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return sealedFile(fd)
}

// sealedFile reports whether fd is a binary sealedSelf made.
func sealedFile(fd int) bool {
	// Only what sealedSelf makes counts: a memfd with all its seals, or
	// a file of a read-only overlay attached nowhere. A read-only mount
	// of an overlay someone can write (a --read-only root, a bind made
	// read-only) is not sealed: a remount would make it writable again.
	if s, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0); err == nil {
		return s&seals == seals
	}
	var fs unix.Statfs_t
	if unix.Fstatfs(fd, &fs) != nil || fs.Type != unix.OVERLAYFS_SUPER_MAGIC || fs.Flags&unix.ST_RDONLY == 0 {
		return false
	}
	return detached(fd)
}

// detached reports whether the mount fd's file lives on is attached
// nowhere in this mount namespace: fsmount's, never move_mount'ed.
func detached(fd int) bool {
	var stx unix.Statx_t
	if unix.Statx(fd, "", unix.AT_EMPTY_PATH, unix.STATX_MNT_ID, &stx) != nil || stx.Mask&unix.STATX_MNT_ID == 0 {
		return false
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	id := strconv.FormatUint(stx.Mnt_id, 10)
	for _, line := range strings.Split(string(data), "\n") {
		if first, _, _ := strings.Cut(line, " "); first == id {
			return false
		}
	}
	return true
}

// sealedEnv marks a mydocker that ReexecSealed has already re-executed.
const sealedEnv = "_MYDOCKER_SEALED"

// ReexecSealed replaces this process with the same mydocker run from the
// sealed copy (sealedSelf), unless it is that copy already. `mydocker exec`
// calls it first: its child stays this binary until its execve, and an
// image whose program names /proc/self/exe as its interpreter would run
// the host's binary inside the container, where a root process could
// reopen it for writing (CVE-2019-5736, runc's). Run from the sealed copy,
// that binary cannot be written.
func ReexecSealed() error {
	// The mark alone is not trusted: a caller's environment may carry it
	// (an exported variable, a mydocker started by another): the binary
	// must be a sealed one too.
	if os.Getenv(sealedEnv) == "1" && runningSealed() {
		return nil
	}
	exe, err := sealedSelf()
	if err != nil {
		return fmt.Errorf("seal mydocker's binary before exec: %w", err)
	}
	env := append(os.Environ(), sealedEnv+"=1")
	err = syscall.Exec(fmt.Sprintf("/proc/self/fd/%d", exe.Fd()), os.Args, env)
	exe.Close()
	return fmt.Errorf("re-exec mydocker from its sealed copy: %w", err)
}

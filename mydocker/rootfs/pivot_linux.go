// The root switch. chroot(2) only changes where path lookups start: a root
// process inside can chroot again into a subdirectory and climb out with
// "..", and the host's mounts are all still there. pivot_root(2) moves the
// whole mount namespace onto a new root; once the old root is detached
// nothing of the host is reachable by any path.

package rootfs

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// pivotRoot is the root switch Setup uses: PivotRoot, or the student's when
// lab 03 is built into the engine (lab03_linux.go, make build LAB=03).
var pivotRoot = PivotRoot

// PivotRoot makes newRoot the root of the calling process's mount namespace
// and detaches the old root, as runc does. newRoot must be a mount point
// and the mounts must not be shared (Setup sees to both).
//
// The trick pivot_root(".", ".") avoids needing a directory for the old
// root: with newRoot as the cwd, the old root is stacked on top of the new
// one at "/", where umount2(".", MNT_DETACH) peels it off.
func PivotRoot(newRoot string) error {
	oldRoot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/", Err: err}
	}
	defer unix.Close(oldRoot)
	newFd, err := unix.Open(newRoot, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: newRoot, Err: err}
	}
	defer unix.Close(newFd)
	if err := unix.Fchdir(newFd); err != nil {
		return &os.PathError{Op: "chdir", Path: newRoot, Err: err}
	}
	trace.Step("pivot_root(\".\", \".\") in %s", newRoot)
	if err := unix.PivotRoot(".", "."); err != nil {
		return &os.PathError{Op: "pivot_root", Path: newRoot, Err: explainPivot(err)}
	}
	if err := unix.Fchdir(oldRoot); err != nil {
		return &os.PathError{Op: "chdir", Path: "old root", Err: err}
	}
	// Make the old root a slave, recursively, so that unmounting it below
	// cannot propagate an unmount to the host's mounts.
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "make old root rslave", Path: ".", Err: err}
	}
	trace.Step("umount2(old root, MNT_DETACH)")
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return &os.PathError{Op: "unmount old root", Path: ".", Err: err}
	}
	return unix.Chdir("/")
}

// explainPivot turns pivot_root's terse errnos into causes.
func explainPivot(err error) error {
	switch {
	case errors.Is(err, unix.EINVAL):
		return fmt.Errorf("%w (the new root must be a mount point, and neither it nor / may be a shared mount: "+
			"make / private (mount --make-rprivate /) and bind-mount the new root on itself first; "+
			"an initramfs root cannot be pivoted at all: switch_root out of it)", err)
	case errors.Is(err, unix.EBUSY):
		return fmt.Errorf("%w (the new root or the old root's place is already a mount point in use)", err)
	case errors.Is(err, unix.EPERM):
		return fmt.Errorf("%w (pivot_root needs CAP_SYS_ADMIN: run as root)", err)
	}
	return err
}

// /dev: a fresh tmpfs holding only what a container needs. Bind-mounting the
// host's /dev would hand the container every disk; an empty /dev breaks the
// first `> /dev/null`.

package rootfs

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// makeDevices creates Devices and DevSymlinks in root's /dev (a tmpfs by now).
func makeDevices(root string) error {
	for _, d := range Devices {
		path, err := SecureJoin(root, d.Path)
		if err != nil {
			return err
		}
		trace.Step("mknod(%q, S_IFCHR|%#o, %d:%d)", d.Path, d.Mode, d.Major, d.Minor)
		if err := unix.Mknod(path, unix.S_IFCHR|d.Mode, int(unix.Mkdev(d.Major, d.Minor))); err != nil {
			return &os.PathError{Op: "mknod", Path: d.Path, Err: err}
		}
		// mknod's mode passes through the umask: set it exactly.
		if err := unix.Chmod(path, d.Mode); err != nil {
			return &os.PathError{Op: "chmod", Path: d.Path, Err: err}
		}
	}
	for _, l := range DevSymlinks {
		path, err := SecureJoin(root, l[1])
		if err != nil {
			return err
		}
		if err := os.Symlink(l[0], path); err != nil {
			return err
		}
	}
	return nil
}

// Masking, after the root switch: /proc and /sys are the kernel's, not the
// container's, and some of their files expose or control the whole host.

package rootfs

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// maskPaths hides MaskedPaths and makes ReadonlyPaths read-only, in the
// current root (the container's, after pivot_root).
func maskPaths() error {
	for _, p := range MaskedPaths {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if fi.IsDir() {
			trace.Step("mount(\"tmpfs\", %q, \"tmpfs\", MS_RDONLY): masked", p)
			err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, "size=0")
		} else {
			trace.Step("mount(\"/dev/null\", %q, MS_BIND): masked", p)
			err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
		}
		if err != nil {
			return &os.PathError{Op: "mask", Path: p, Err: err}
		}
	}
	for _, p := range ReadonlyPaths {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			continue
		}
		trace.Step("mount(%q, %q, MS_BIND|MS_REC) + remount MS_RDONLY", p, p)
		if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return &os.PathError{Op: "bind mount", Path: p, Err: err}
		}
		if err := remountReadOnly(p); err != nil {
			return err
		}
	}
	return nil
}

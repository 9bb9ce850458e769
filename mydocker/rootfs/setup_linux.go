// Setup, in order. Each step is runc's, and each is narrated by --trace.

package rootfs

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// Setup builds the container's filesystem at s.Root and switches to it. It
// runs in init, in a mount namespace whose mounts are already private
// (namespace.Enter).
func Setup(s *Spec) error {
	if s.Overlay != nil {
		if err := mountOverlay(s.Root, s.Overlay); err != nil {
			return err
		}
	}
	// pivot_root needs the new root to be a mount point. A bind mount of
	// the directory on itself makes it one (an overlay already is; binding
	// it again is harmless and keeps one path for both).
	trace.Step("mount(%q, %q, MS_BIND|MS_REC): the new root becomes a mount point", s.Root, s.Root)
	if err := unix.Mount(s.Root, s.Root, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind mount %s on itself: %w", s.Root, err)
	}
	for _, m := range DefaultMounts() {
		if err := mount(s.Root, m); err != nil {
			return err
		}
	}
	if s.Cgroup != nil {
		if err := mountCgroup(s.Root, s.Cgroup); err != nil {
			return err
		}
	}
	if err := makeDevices(s.Root); err != nil {
		return err
	}
	// The user's mounts, then the engine's files on top of them, as
	// Docker orders them: a volume at /etc still shows /etc/hosts.
	if err := mountVolumes(s.Root, s.Mounts); err != nil {
		return err
	}
	for _, b := range s.Binds {
		if err := bindFile(s.Root, b); err != nil {
			return err
		}
	}
	if err := pivotRoot(s.Root); err != nil {
		return err
	}
	if err := maskPaths(); err != nil {
		return err
	}
	if s.ReadOnly {
		// Only the root's own mount: volumes, tmpfs mounts, /dev and
		// /etc/hosts on it stay writable, as in Docker.
		trace.Step("mount(\"\", \"/\", MS_BIND|MS_REMOUNT|MS_RDONLY): --read-only")
		return remountReadOnly("/")
	}
	return nil
}

// Lab 03: the root switch.
//
// Make a directory the root of the mount namespace, and leave no way back
// to the old one. This file is the only one you edit. Run the checker with
//
//	sudo make lab N=03
//
// Chapter 03's README (chapters/03-rootfs/README.md) explains why chroot is
// not enough, and what pivot_root does.
package lab03

import "errors"

// PivotRoot makes newRoot the root of the calling process's mount namespace
// and detaches the old root, so that no path leads back to the host.
//
// When it is called, the checker has already done what the engine's
// rootfs.Setup does first: / is private (MS_REC|MS_PRIVATE), newRoot is a
// mount point (bound on itself), and a proc filesystem is mounted at
// newRoot/proc.
//
// Chapter 03 explains why chroot(newRoot) alone would fail the checker;
// the lab's README has hints, each a little bigger than the last.
func PivotRoot(newRoot string) error {
	// TODO
	return errors.New("lab03: not implemented")
}

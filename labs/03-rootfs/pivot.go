// Lab 03: the root switch.
//
// Make a directory the root of the mount namespace, and leave no way back
// to the old one. This file is the only one you edit. Run the checker with
//
//	sudo make lab N=03
//
// Chapter 03's README (chapters/03-rootfs/README.md) explains why chroot is
// not enough, and every step of pivot_root.
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
// The steps:
//  1. open "/" (the old root) and newRoot as directories, to keep handles on both;
//  2. fchdir to newRoot, and pivot_root(".", "."): the new root becomes /, and
//     the old root is stacked on top of it;
//  3. fchdir to the old root, make it MS_SLAVE|MS_REC so that what comes next
//     does not propagate, and unmount it with MNT_DETACH;
//  4. chdir("/").
//
// HINT: golang.org/x/sys/unix has PivotRoot, Fchdir, Mount, Unmount and the
// MS_/MNT_ constants. Why would chroot(newRoot) alone fail the checker?
func PivotRoot(newRoot string) error {
	// TODO: the four steps.
	return errors.New("lab03: not implemented")
}

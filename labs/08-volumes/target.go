// Lab 08: where a mount lands.
//
// Open a mount target inside the container's root, creating what is
// missing, without ever following the image's symlinks out of it. This file
// is the only one you edit. Run the checker with
//
//	sudo make lab N=08
//
// Chapter 08's README (chapters/08-volumes/README.md), "Where a mount
// lands", explains the tricks an image can play and CVE-2021-30465.
package lab08

import "errors"

// OpenTarget opens target, an absolute path inside the root that rootFd
// (an O_PATH descriptor of the container's root directory) stands for, and
// returns an O_PATH descriptor of that directory, to mount on with
// move_mount(2). Missing directories are made, inside the root.
//
// The image is hostile: /data may be a symlink to /etc of the host, or to
// ../../../etc, or to /proc/self/root/etc, or dangle towards a place only
// the host has; and while you work, something may swap a directory on the
// path for a symlink to the host.
//
// The steps:
//  1. openat2(rootFd, target, O_PATH) with RESOLVE_IN_ROOT (".." stops at
//     the root, an absolute symlink starts again from it) and
//     RESOLVE_NO_MAGICLINKS (/proc/self/... is refused). If that works, done.
//  2. On ENOENT, make what is missing one directory at a time: open each
//     parent the same way, and mkdirat(parentFd, name, 0755) a plain name in
//     it. A dangling symlink makes mkdirat answer EEXIST: work out where it
//     leads inside the root (rootfs.SecureJoin does), and make that instead.
//  3. Open target again, as in step 1, and return that descriptor: never a
//     path you put together yourself.
//
// HINT: golang.org/x/sys/unix has Openat2, OpenHow, Mkdirat and the RESOLVE_
// constants. Why is "resolve it, then open the resolved path" not enough?
func OpenTarget(rootFd int, target string) (int, error) {
	// TODO: the three steps.
	return -1, errors.New("lab08: not implemented")
}

// Owners, modes, xattrs and times of extracted files. The order matters and
// is the same for every type:
//
//	chown   first: the kernel clears setuid, setgid and file capabilities
//	        when a file changes owner, so they must come after;
//	chmod   the full mode, special bits included (not for symlinks: Linux
//	        has no mode on them, and fchmodat would follow them);
//	xattrs  security.capability among them, which a chown would clear;
//	times   last: for directories, only once all their children are written
//	        (see applier.finish), since adding a child changes a directory's
//	        mtime.
//
// Every call names the file by its parent's descriptor and its own name,
// never by a path, and never follows a symlink in that last place.

package archive

import (
	"archive/tar"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// xattrPrefix introduces an xattr in a PAX header, as GNU tar and Docker
// write it.
const xattrPrefix = "SCHILY.xattr."

// ownXattr reports whether an xattr belongs to overlayfs. A layer never
// carries them: its whiteouts and opaque directories are expressed as .wh.
// entries, and a layer that sets trusted.overlay.redirect or .metacopy by
// hand could make overlayfs show files from other places of the layer store.
func ownXattr(key string) bool {
	return strings.HasPrefix(key, "trusted.overlay.") || strings.HasPrefix(key, "user.overlay.")
}

// chown sets the owner of name in dirfd without following a symlink.
func chown(dirfd int, name, p string, hdr *tar.Header) error {
	if err := unix.Fchownat(dirfd, name, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "lchown " + strconv.Itoa(hdr.Uid) + ":" + strconv.Itoa(hdr.Gid), Path: p, Err: err}
	}
	return nil
}

// chmod sets the mode of name in dirfd, which must not be a symlink (the
// caller has just created it as something else).
func chmod(dirfd int, name, p string, hdr *tar.Header) error {
	if err := unix.Fchmodat(dirfd, name, perm(hdr), 0); err != nil {
		return &os.PathError{Op: "chmod", Path: p, Err: err}
	}
	return nil
}

// perm is the mode bits of hdr that chmod sets: permissions, setuid, setgid,
// sticky.
func perm(hdr *tar.Header) uint32 { return uint32(hdr.Mode) & 0o7777 }

// setXattrs sets the xattrs hdr carries on name in dirfd. fd, if not -1, is
// the file itself, open for writing.
func setXattrs(dirfd int, name, p string, fd int, hdr *tar.Header) error {
	for k, v := range hdr.PAXRecords {
		key, ok := strings.CutPrefix(k, xattrPrefix)
		if !ok || ownXattr(key) {
			continue
		}
		var err error
		if fd >= 0 {
			err = unix.Fsetxattr(fd, key, []byte(v), 0)
		} else {
			// An O_PATH descriptor cannot carry xattrs, and opening a device
			// or a fifo for real would open the device or block. The parent's
			// /proc/self/fd entry leads to the parent directory, and the
			// l-variant does not follow name if it is a symlink.
			err = unix.Lsetxattr(procPath(dirfd, name), key, []byte(v), 0)
		}
		if err != nil {
			if err == unix.EOPNOTSUPP {
				err = xattrUnsupported(key)
			}
			return &os.PathError{Op: "setxattr " + key, Path: p, Err: err}
		}
	}
	return nil
}

type xattrUnsupported string

func (e xattrUnsupported) Error() string {
	ns, _, _ := strings.Cut(string(e), ".")
	return "the filesystem under the layer's directory does not support " + ns + ".* xattrs"
}

func procPath(dirfd int, name string) string {
	return "/proc/self/fd/" + strconv.Itoa(dirfd) + "/" + name
}

// times is the atime and mtime to give a file: the header's, atime being
// the mtime when the header has none (USTAR has no atime).
func times(hdr *tar.Header) [2]unix.Timespec {
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	return [2]unix.Timespec{timespec(atime), timespec(hdr.ModTime)}
}

func timespec(t time.Time) unix.Timespec {
	if t.IsZero() {
		// No time at all: the epoch, not year 1 (which utimensat refuses).
		return unix.Timespec{}
	}
	// On a 32-bit CPU a time past 2038 does not fit: the epoch, again.
	ts, _ := unix.TimeToTimespec(t)
	return ts
}

// setTimes sets the times of name in dirfd, of a symlink itself if it is one.
func setTimes(dirfd int, name, p string, ts [2]unix.Timespec) error {
	if err := unix.UtimesNanoAt(dirfd, name, ts[:], unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimensat", Path: p, Err: err}
	}
	return nil
}

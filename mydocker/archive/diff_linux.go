// Diff: a container's changes as a layer, for `mydocker commit`.
//
// overlayfs already did the bookkeeping. Its upper directory holds exactly
// what the container added or changed (copied up whole on first write), a
// character device 0:0 for each deletion, and trusted.overlay.opaque=y on a
// directory that was deleted and made again. Diff writes that as a layer,
// turning overlayfs's markers back into the OCI spec's .wh. entries; Apply
// with OverlayWhiteouts turns them back, so Diff and Apply round-trip.
//
// The walk goes through directory descriptors with O_NOFOLLOW, like Apply:
// a container that is still running may swap a directory for a symlink to
// the host's /etc while it is read, and Diff must not follow it; and it
// opens only regular files, never a FIFO or a device (openRegular).

package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/iocount"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// ErrOverlayFeature is returned by Diff for an upper directory written with
// overlayfs features a layer cannot express without reading the lower
// layers: redirect_dir (a renamed directory) and metacopy (a chmod that
// copied up the metadata only). Mount overlayfs with redirect_dir=off and
// metacopy=off.
var ErrOverlayFeature = errors.New("upper directory uses redirect_dir or metacopy: mount overlayfs with redirect_dir=off,metacopy=off")

// ErrChanged is returned by Diff for a file or directory that a running
// container replaced while Diff read it. Docker pauses the container for
// a commit; mydocker has no freezer yet (a later chapter), so it refuses
// what changed under it, and never follows it.
var ErrChanged = errors.New("changed while being read: the container is running; stop it, or commit again")

// Diff writes the layer tar that an overlayfs upper directory represents:
// char devices 0:0 become .wh.NAME entries, a dir with trusted.overlay.opaque=y
// becomes the dir entry plus a .wh..wh..opq entry inside it; regular files,
// dirs, symlinks, hardlinks (same inode within upper -> tar hardlink entries),
// char/block devices, fifos, with mode (incl. setuid/setgid/sticky), uid/gid,
// mtime, xattrs (excluding trusted.overlay.*) as PAX SCHILY.xattr records.
// Returns the bytes written (uncompressed).
//
// Entries come in a depth-first walk, each directory's names sorted, so the
// output is the same for the same tree. As in Docker, mtimes are kept to
// the second, and atimes, ctimes, user and group names are left out: they
// would make two commits of the same files different layers. Sockets are
// skipped; tar cannot hold them.
func Diff(upper string, w io.Writer) (int64, error) {
	fd, err := unix.Open(upper, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: upper, Err: err}
	}
	defer unix.Close(fd)
	cw := &iocount.Writer{W: w}
	d := &differ{
		tw:    tar.NewWriter(cw),
		links: make(map[inode]string),
		buf:   make([]byte, 256<<10),
	}
	if err := d.walk(fd, ""); err != nil {
		return cw.N, err
	}
	if err := d.tw.Close(); err != nil {
		return cw.N, err
	}
	trace.Step("diff %s: %d bytes of layer tar (whiteout devices -> .wh. entries, opaque xattrs -> .wh..wh..opq)", upper, cw.N)
	return cw.N, nil
}

type differ struct {
	tw    *tar.Writer
	links map[inode]string // files with several links: the first path seen
	buf   []byte
}

type inode struct{ dev, ino uint64 }

// walk writes the entries of the directory dfd, whose path is dir.
func (d *differ) walk(dfd int, dir string) error {
	names, fd, err := readDir(dfd, ".")
	if err != nil {
		return fmt.Errorf("diff %s: %w", dir, err)
	}
	unix.Close(fd)
	sort.Strings(names)
	for _, name := range names {
		p := join(dir, name)
		if err := d.entry(dfd, name, p); err != nil {
			return fmt.Errorf("diff %s: %w", p, err)
		}
	}
	return nil
}

func (d *differ) entry(dfd int, name, p string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err == unix.ENOENT {
		return ErrChanged // removed since the directory was read
	} else if err != nil {
		return &os.PathError{Op: "fstatat", Path: p, Err: err}
	}
	hdr := &tar.Header{
		Name:    p,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: time.Unix(int64(st.Mtim.Sec), 0), // int32 on 32-bit CPUs
	}
	if isWhiteout(&st) {
		// overlayfs's deletion: back to the spec's marker. overlayfs links
		// all its whiteouts to one inode, so this comes before hardlinks.
		dir, _ := split(p)
		hdr.Name, hdr.Typeflag = join(dir, WhiteoutPrefix+name), tar.TypeReg
		return d.tw.WriteHeader(hdr)
	}
	xattrs, opaque, err := readXattrs(dfd, name, p)
	if err != nil {
		return err
	}
	for k, v := range xattrs {
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = make(map[string]string)
		}
		hdr.PAXRecords[xattrPrefix+k] = v
	}
	mode := st.Mode & unix.S_IFMT
	if mode != unix.S_IFDIR && st.Nlink > 1 {
		key := inode{st.Dev, st.Ino}
		if first, ok := d.links[key]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.PAXRecords = tar.TypeLink, first, nil
			return d.tw.WriteHeader(hdr)
		}
		d.links[key] = p
	}
	switch mode {
	case unix.S_IFDIR:
		return d.dir(dfd, name, p, hdr, opaque)
	case unix.S_IFREG:
		hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
		return d.file(dfd, name, p, hdr, &st)
	case unix.S_IFLNK:
		target, err := readlinkat(dfd, name, p)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if mode == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // a socket: tar has no type for it
	}
	return d.tw.WriteHeader(hdr)
}

func (d *differ) dir(dfd int, name, p string, hdr *tar.Header, opaque bool) error {
	hdr.Typeflag, hdr.Name = tar.TypeDir, p+"/"
	if err := d.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if opaque {
		// Deleted and made again in the container: the spec's marker, right
		// after its directory as Docker writes it.
		wh := &tar.Header{Name: p + "/" + WhiteoutOpaque, Typeflag: tar.TypeReg,
			Mode: hdr.Mode & 0o777, Uid: hdr.Uid, Gid: hdr.Gid, ModTime: hdr.ModTime}
		if err := d.tw.WriteHeader(wh); err != nil {
			return err
		}
	}
	fd, err := unix.Openat(dfd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.ELOOP || err == unix.ENOTDIR || err == unix.ENOENT {
		// Replaced since it was stat'ed, by a symlink perhaps: never followed.
		return ErrChanged
	}
	if err != nil {
		return &os.PathError{Op: "openat", Path: p, Err: err}
	}
	defer unix.Close(fd)
	return d.walk(fd, p)
}

// openRegular opens the regular file name in dfd for reading, if it is
// still the file was describes; never anything else. A running container
// can swap a file for a FIFO, whose open(2) would wait for a writer and
// hang the commit, or for the node of a host device, whose open is the
// driver's (reading the host's disk into the layer), between the stat and
// the open. So the name is opened with O_PATH, which opens no file; fstat
// tells what it is; and only a regular file, the same inode, is opened for
// reading, through /proc/self/fd of that very descriptor, not by name.
func openRegular(dfd int, name, p string, was *unix.Stat_t) (int, error) {
	pfd, err := unix.Openat(dfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		return -1, ErrChanged
	}
	if err != nil {
		return -1, &os.PathError{Op: "openat", Path: p, Err: err}
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstat(pfd, &st); err != nil {
		return -1, &os.PathError{Op: "fstat", Path: p, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Dev != was.Dev || st.Ino != was.Ino {
		return -1, ErrChanged
	}
	// O_NONBLOCK: harmless on a regular file, and a last guard.
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(pfd), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: p, Err: err}
	}
	return fd, nil
}

func (d *differ) file(dfd int, name, p string, hdr *tar.Header, was *unix.Stat_t) error {
	fd, err := openRegular(dfd, name, p, was)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := d.tw.WriteHeader(hdr); err != nil {
		return err
	}
	// Exactly the size in the header: a file the container is still
	// writing is cut there; one it shortened is an error.
	for left := hdr.Size; left > 0; {
		n, err := unix.Read(fd, d.buf[:min(int64(len(d.buf)), left)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "read", Path: p, Err: err}
		}
		if n == 0 {
			return fmt.Errorf("%s shrank while being read", p)
		}
		if _, err := d.tw.Write(d.buf[:n]); err != nil {
			return err
		}
		left -= int64(n)
	}
	return nil
}

// isWhiteout reports whether st is overlayfs's whiteout: a character
// device 0:0.
func isWhiteout(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}

// readXattrs reads the xattrs of name in dfd, except overlayfs's own, and
// whether it is an opaque directory.
func readXattrs(dfd int, name, p string) (map[string]string, bool, error) {
	path := procPath(dfd, name)
	keys, err := listXattrs(path)
	if err != nil {
		return nil, false, &os.PathError{Op: "llistxattr", Path: p, Err: err}
	}
	var out map[string]string
	opaque := false
	for _, k := range keys {
		v, err := getXattr(path, k)
		if err == unix.ENODATA {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, false, &os.PathError{Op: "lgetxattr " + k, Path: p, Err: err}
		}
		if ownXattr(k) {
			switch k[strings.LastIndexByte(k, '.')+1:] {
			case "opaque":
				opaque = v == "y"
			case "redirect", "metacopy":
				return nil, false, fmt.Errorf("%s has %s: %w", p, k, ErrOverlayFeature)
			}
			continue
		}
		if out == nil {
			out = make(map[string]string)
		}
		out[k] = v
	}
	return out, opaque, nil
}

func listXattrs(path string) ([]string, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Llistxattr(path, buf)
		if err == unix.ERANGE {
			buf = make([]byte, len(buf)*4)
			continue
		}
		if err == unix.EOPNOTSUPP {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var keys []string
		for _, k := range strings.Split(string(buf[:n]), "\x00") {
			if k != "" {
				keys = append(keys, k)
			}
		}
		return keys, nil
	}
}

func getXattr(path, key string) (string, error) {
	buf := make([]byte, 128)
	for {
		n, err := unix.Lgetxattr(path, key, buf)
		if err == unix.ERANGE {
			buf = make([]byte, len(buf)*8)
			continue
		}
		if err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
}

func readlinkat(dfd int, name, p string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dfd, name, buf)
	if err == unix.EINVAL || err == unix.ENOENT {
		return "", ErrChanged // no longer a symlink
	}
	if err != nil {
		return "", &os.PathError{Op: "readlinkat", Path: p, Err: err}
	}
	return string(buf[:n]), nil
}

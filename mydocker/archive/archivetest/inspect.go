// Looking at what an applier left on disk, and saying in words what is
// wrong with it: "etc/link: a symlink -> /etc/passwd was expected, found a
// regular file".

package archivetest

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/archive"
)

func (f File) typ() byte {
	if f.Type == 0 || f.Type == tar.TypeRegA {
		return tar.TypeReg
	}
	return f.Type
}

func (f File) mode() int64 {
	switch {
	case f.Mode != 0:
		return f.Mode
	case f.typ() == tar.TypeDir:
		return 0o755
	}
	return 0o644
}

// describe says in words what f is: "a symlink -> /etc/passwd".
func (f File) describe() string {
	switch f.typ() {
	case tar.TypeReg:
		return "a regular file"
	case tar.TypeDir:
		return "a directory"
	case tar.TypeSymlink:
		return "a symlink -> " + f.Link
	case tar.TypeChar:
		return fmt.Sprintf("a character device %d:%d", f.Major, f.Minor)
	case tar.TypeBlock:
		return fmt.Sprintf("a block device %d:%d", f.Major, f.Minor)
	case tar.TypeFifo:
		return "a fifo"
	case TypeWhiteout:
		return "an overlayfs whiteout (a character device 0:0)"
	}
	return fmt.Sprintf("a file of type %q", f.Type)
}

// typeOf is the File.Type of what st describes.
func typeOf(st *unix.Stat_t) byte {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return tar.TypeReg
	case unix.S_IFDIR:
		return tar.TypeDir
	case unix.S_IFLNK:
		return tar.TypeSymlink
	case unix.S_IFCHR:
		if st.Rdev == 0 {
			return TypeWhiteout
		}
		return tar.TypeChar
	case unix.S_IFBLK:
		return tar.TypeBlock
	case unix.S_IFIFO:
		return tar.TypeFifo
	}
	return '?'
}

// describeFound says in words what is at p, and whether anything is.
func describeFound(p string) (string, bool) {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return "nothing", false
	}
	f := File{Type: typeOf(&st), Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev))}
	if f.Type == tar.TypeSymlink {
		f.Link, _ = os.Readlink(p)
	}
	if f.Type == '?' {
		return "a socket", true
	}
	return f.describe(), true
}

// checkFile reports every way in which what is at f.Path differs from f.
func checkFile(t *testing.T, dir string, f File) {
	t.Helper()
	p := filepath.Join(dir, f.Path)
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Errorf("%s: %s was expected, found nothing (%v)", f.Path, f.describe(), err)
		return
	}
	got := typeOf(&st)
	if got != f.typ() {
		found, _ := describeFound(p)
		t.Errorf("%s: %s was expected, found %s", f.Path, f.describe(), found)
		return
	}
	if got == TypeWhiteout {
		return // overlayfs looks at nothing else
	}
	if got != tar.TypeSymlink {
		if m := int64(st.Mode & 0o7777); m != f.mode() {
			t.Errorf("%s: mode %#o, want %#o%s", f.Path, m, f.mode(), modeHint(m, f.mode()))
		}
	}
	if int(st.Uid) != f.Uid || int(st.Gid) != f.Gid {
		hint := " (the tar header's uid and gid)"
		if got == tar.TypeSymlink {
			hint = " (lchown: chown would follow the symlink)"
		}
		t.Errorf("%s: owner %d:%d, want %d:%d%s", f.Path, st.Uid, st.Gid, f.Uid, f.Gid, hint)
	}
	switch got {
	case tar.TypeReg:
		checkContent(t, p, f)
	case tar.TypeSymlink:
		if link, _ := os.Readlink(p); link != f.Link {
			t.Errorf("%s: a symlink -> %s, want -> %s (the target is stored as the tar gives it)", f.Path, link, f.Link)
		}
	case tar.TypeChar, tar.TypeBlock:
		if maj, min := int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev)); maj != f.Major || min != f.Minor {
			t.Errorf("%s: device %d:%d, want %d:%d", f.Path, maj, min, f.Major, f.Minor)
		}
	}
	if f.Nlink != 0 && int(st.Nlink) != f.Nlink {
		t.Errorf("%s: %d links, want %d (a hardlink entry adds a name to an existing inode; replacing a file must not write through its other names)", f.Path, st.Nlink, f.Nlink)
	}
	checkXattrs(t, p, f)
	if !f.ModTime.IsZero() {
		mt := time.Unix(st.Mtim.Unix())
		if !mt.Equal(f.ModTime) {
			hint := ""
			if got == tar.TypeDir {
				hint = " (a directory's mtime changes when a child is added: set it after its children)"
			}
			t.Errorf("%s: mtime %v, want %v%s", f.Path, mt.UTC(), f.ModTime.UTC(), hint)
		}
	}
}

func modeHint(got, want int64) string {
	if want&0o7000 != 0 && got&0o7000 == 0 && got&0o777 == want&0o777 {
		return " (the setuid/setgid/sticky bits are lost: chown clears them, so chmod after chown)"
	}
	if got&0o777 == want&0o777&^0o022 {
		return " (the umask took bits away: chmod explicitly after creating)"
	}
	return ""
}

func checkContent(t *testing.T, p string, f File) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("%s: %v", f.Path, err)
		return
	}
	if string(data) == f.Body {
		return
	}
	t.Errorf("%s: %d bytes with sha256 %s, want %d bytes with sha256 %s%s",
		f.Path, len(data), sum(string(data)), len(f.Body), sum(f.Body), showBodies(string(data), f.Body))
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6]) + "…"
}

func showBodies(got, want string) string {
	if len(got) > 60 || len(want) > 60 {
		return ""
	}
	return fmt.Sprintf(" (%q, want %q)", got, want)
}

func checkXattrs(t *testing.T, p string, f File) {
	t.Helper()
	for k, want := range f.Xattrs {
		got, err := getxattr(p, k)
		switch {
		case err != nil:
			t.Errorf("%s: xattr %s missing (%v), want %q (PAX record SCHILY.xattr.%s, set with lsetxattr)", f.Path, k, err, want, k)
		case got != want:
			t.Errorf("%s: xattr %s = %q, want %q", f.Path, k, got, want)
		}
	}
	if _, listed := f.Xattrs[archive.OpaqueXattr]; !listed {
		if v, err := getxattr(p, archive.OpaqueXattr); err == nil {
			t.Errorf("%s: has %s=%q, but no .wh..wh..opq of this layer made it opaque", f.Path, archive.OpaqueXattr, v)
		}
	}
}

func getxattr(p, key string) (string, error) {
	buf := make([]byte, 64<<10)
	n, err := unix.Lgetxattr(p, key, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// Snapshot describes every file under base except the tree skip (the
// directory a layer is applied to), by its path relative to skip: what a
// layer must not touch. Compare lists what changed between two.
func Snapshot(base, skip string) (map[string]string, error) {
	s := map[string]string{}
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(skip, p)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		desc, _ := describeFound(p)
		state := fmt.Sprintf("%s, mode %#o, owner %d:%d, %d links, %d bytes", desc, st.Mode&0o7777, st.Uid, st.Gid, st.Nlink, st.Size)
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			state += ", sha256 " + sum(string(data))
		case unix.S_IFDIR:
			// Something made and removed again shows in the mtime.
			state += fmt.Sprintf(", mtime %d.%09d", st.Mtim.Sec, st.Mtim.Nsec)
		}
		s[rel] = state
		return nil
	})
	return s, err
}

func withoutMtime(state string) string {
	s, _, _ := strings.Cut(state, ", mtime")
	return s
}

// Compare lists the differences between two snapshots, in words.
func Compare(before, after map[string]string) []string {
	var out []string
	for p, a := range after {
		b, ok := before[p]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s appeared outside dir (%s)", p, a))
		case a != b && withoutMtime(a) == withoutMtime(b):
			out = append(out, fmt.Sprintf("%s: its mtime changed: something was made or removed in it", p))
		case a != b:
			out = append(out, fmt.Sprintf("%s changed: it was %s; it is %s", p, b, a))
		}
	}
	for p, b := range before {
		if _, ok := after[p]; !ok {
			out = append(out, fmt.Sprintf("%s disappeared (%s)", p, b))
		}
	}
	sort.Strings(out)
	return out
}

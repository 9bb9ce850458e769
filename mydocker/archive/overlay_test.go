package archive_test

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// The image the overlay tests start from: one layer. Every directory has
// its entry, so that two extractions have the same mtimes.
var baseLayer = []archivetest.Entry{
	{Name: "bin/", Type: tar.TypeDir},
	{Name: "bin/busybox", Body: "#!busybox", Mode: 0o755},
	{Name: "bin/sh", Type: tar.TypeLink, Link: "bin/busybox"},
	{Name: "etc/", Type: tar.TypeDir},
	{Name: "etc/passwd", Body: "root:x:0:0::/root:/bin/sh\n"},
	{Name: "etc/group", Body: "root:x:0:\n"},
	{Name: "etc/motd", Body: "welcome\n"},
	{Name: "var/", Type: tar.TypeDir},
	{Name: "var/cache/", Type: tar.TypeDir},
	{Name: "var/cache/apt/", Type: tar.TypeDir},
	{Name: "var/cache/apt/pkgcache.bin", Body: "cache"},
	{Name: "d/", Type: tar.TypeDir},
	{Name: "d/old", Body: "old"},
	{Name: "d/sub/", Type: tar.TypeDir},
	{Name: "d/sub/deep", Body: "deep"},
	{Name: "x/", Type: tar.TypeDir},
	{Name: "x/a", Body: "a"},
	{Name: "x/b/", Type: tar.TypeDir},
	{Name: "x/b/c", Body: "c"},
	{Name: "y", Body: "a file"},
	{Name: "lnk", Type: tar.TypeSymlink, Link: "etc/passwd"},
	{Name: "untouched/", Type: tar.TypeDir},
	{Name: "untouched/file", Body: "same"},
}

// container is an overlay mount of layers, and a container's changes made
// through it, as `mydocker run` would make them.
type container struct {
	lowers              []string // top first
	upper, work, merged string
}

// mountOverlay mounts lowers (top first) with a fresh upper directory.
// redirect_dir, metacopy and index are off, as the layer store mounts them.
func mountOverlay(t *testing.T, lowers ...string) *container {
	t.Helper()
	testenv.RequireRoot(t, "overlayfs and trusted.* xattrs")
	base := t.TempDir()
	c := &container{lowers: lowers, upper: filepath.Join(base, "upper"), work: filepath.Join(base, "work"), merged: filepath.Join(base, "merged")}
	for _, d := range []string{c.upper, c.work, c.merged} {
		require.NoError(t, os.Mkdir(d, 0o755))
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s,redirect_dir=off,metacopy=off,index=off",
		strings.Join(lowers, ":"), c.upper, c.work)
	require.NoError(t, unix.Mount("overlay", c.merged, "overlay", 0, opts), "mount -t overlay -o %s", opts)
	t.Cleanup(func() {
		if err := unix.Unmount(c.merged, 0); err != nil {
			t.Errorf("umount %s: %v", c.merged, err)
		}
	})
	return c
}

// layerDir applies entries into a fresh directory, as the layer store keeps
// a layer.
func layerDir(t *testing.T, entries []archivetest.Entry) string {
	t.Helper()
	dir := t.TempDir()
	_, err := archive.Apply(dir, bytes.NewReader(archivetest.Tar(entries)), archive.Options{Whiteouts: archive.OverlayWhiteouts})
	require.NoError(t, err)
	return dir
}

// change makes, through the merged directory, every kind of change Diff
// must carry.
func (c *container) change(t *testing.T) {
	t.Helper()
	m := func(p string) string { return filepath.Join(c.merged, p) }
	// Added: files, a tree, a symlink, a hardlink pair, special files.
	require.NoError(t, os.WriteFile(m("new.txt"), []byte("new\n"), 0o644))
	require.NoError(t, os.Chown(m("new.txt"), 1000, 1000))
	require.NoError(t, os.Chmod(m("new.txt"), 0o4750))
	require.NoError(t, unix.Lsetxattr(m("new.txt"), "user.origin", []byte("container"), 0))
	require.NoError(t, os.Link(m("new.txt"), m("new-link")))
	require.NoError(t, os.MkdirAll(m("newdir/sub"), 0o750))
	require.NoError(t, os.WriteFile(m("newdir/sub/f"), []byte("f"), 0o600))
	require.NoError(t, os.Symlink("new.txt", m("newsym")))
	require.NoError(t, unix.Mkfifo(m("fifo"), 0o640))
	require.NoError(t, unix.Mknod(m("null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
	require.NoError(t, os.Mkdir(m("tmp"), 0o755))
	require.NoError(t, os.Chmod(m("tmp"), 0o1777))
	// Changed: content, mode, owner, xattr (each a copy-up).
	f, err := os.OpenFile(m("etc/passwd"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	f.WriteString("app:x:1000:1000::/app:/bin/sh\n")
	f.Close()
	require.NoError(t, os.Chmod(m("etc/group"), 0o600))
	require.NoError(t, unix.Lsetxattr(m("etc/group"), "user.note", []byte("changed"), 0))
	// Deleted: a file and a tree.
	require.NoError(t, os.Remove(m("etc/motd")))
	require.NoError(t, os.RemoveAll(m("var/cache")))
	// Replaced: a directory by a file, a file by a directory.
	require.NoError(t, os.RemoveAll(m("x")))
	require.NoError(t, os.WriteFile(m("x"), []byte("x is a file now"), 0o644))
	require.NoError(t, os.Remove(m("y")))
	require.NoError(t, os.MkdirAll(m("y/inner"), 0o755))
	// Opaque: deleted and made again.
	require.NoError(t, os.RemoveAll(m("d")))
	require.NoError(t, os.Mkdir(m("d"), 0o700))
	require.NoError(t, os.WriteFile(m("d/new"), []byte("new in d"), 0o644))
}

// tree describes every file under dir (not dir itself), for comparing two
// trees: type, mode, owner, content, link target, device, xattrs (not
// overlayfs's own, but opaqueness), mtime to the second, and which paths
// share an inode.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	inodes := map[uint64][]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		desc := fmt.Sprintf("%#o %d:%d mtime=%d", st.Mode, st.Uid, st.Gid, st.Mtim.Sec)
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" sha256=%x", sha256.Sum256(data))
			if st.Nlink > 1 {
				inodes[st.Ino] = append(inodes[st.Ino], rel)
			}
		case unix.S_IFLNK:
			link, _ := os.Readlink(p)
			desc += " -> " + link
		case unix.S_IFCHR, unix.S_IFBLK:
			desc += fmt.Sprintf(" dev=%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
		}
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
			desc = "whiteout" // overlayfs's: mode, owner, times do not matter
		}
		desc += xattrList(t, p)
		out[rel] = desc
		return nil
	})
	require.NoError(t, err)
	for _, names := range inodes {
		sort.Strings(names)
		for _, n := range names {
			out[n] += " links=" + strings.Join(names, ",")
		}
	}
	return out
}

func xattrList(t *testing.T, p string) string {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	require.NoError(t, err)
	var out []string
	for _, k := range strings.Split(string(buf[:n]), "\x00") {
		if k == "" || (strings.HasPrefix(k, "trusted.overlay.") && k != archive.OpaqueXattr) {
			continue
		}
		v := make([]byte, 4096)
		m, err := unix.Lgetxattr(p, k, v)
		require.NoError(t, err)
		out = append(out, k+"="+string(v[:m]))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return ""
	}
	return " xattrs[" + strings.Join(out, " ") + "]"
}

// requireSameTree fails with the paths on which two trees differ.
func requireSameTree(t *testing.T, want, got map[string]string, wantName, gotName string) {
	t.Helper()
	if reflect.DeepEqual(want, got) {
		return
	}
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: in %s (%s), missing from %s", p, wantName, w, gotName)
		} else if g != w {
			t.Errorf("%s: %s has %s, %s has %s", p, wantName, w, gotName, g)
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: in %s (%s), not in %s", p, gotName, g, wantName)
		}
	}
}

// TestDiffRoundTrip makes a container's changes through a real overlay
// mount, Diffs its upper directory, and applies the diff both ways: as a
// layer of its own (OverlayWhiteouts), which must reproduce the upper
// directory, and onto the lower layer (ApplyWhiteouts), which must
// reproduce what the container saw.
func TestDiffRoundTrip(t *testing.T) {
	lower := layerDir(t, baseLayer)
	c := mountOverlay(t, lower)
	c.change(t)

	var layer bytes.Buffer
	n, err := archive.Diff(c.upper, &layer)
	require.NoError(t, err)
	if n != int64(layer.Len()) {
		t.Errorf("Diff returned %d bytes, wrote %d", n, layer.Len())
	}
	var again bytes.Buffer
	archive.Diff(c.upper, &again)
	if !bytes.Equal(layer.Bytes(), again.Bytes()) {
		t.Errorf("two Diffs of the same upper directory differ")
	}

	t.Run("as a layer of its own", func(t *testing.T) {
		dir := t.TempDir()
		n, err := archive.Apply(dir, bytes.NewReader(layer.Bytes()), archive.Options{Whiteouts: archive.OverlayWhiteouts})
		require.NoError(t, err)
		if n < int64(layer.Len()) {
			t.Errorf("Apply read %d bytes of a %d-byte layer", n, layer.Len())
		}
		requireSameTree(t, tree(t, c.upper), tree(t, dir), "upper", "applied")
	})
	t.Run("flattened onto the lower layer", func(t *testing.T) {
		dir := layerDir(t, baseLayer)
		_, err := archive.Apply(dir, bytes.NewReader(layer.Bytes()), archive.Options{Whiteouts: archive.ApplyWhiteouts})
		require.NoError(t, err)
		requireSameTree(t, tree(t, c.merged), tree(t, dir), "merged", "flattened")
	})
	t.Run("stacked by overlayfs", func(t *testing.T) {
		top := layerDir(t, nil)
		_, err := archive.Apply(top, bytes.NewReader(layer.Bytes()), archive.Options{Whiteouts: archive.OverlayWhiteouts})
		require.NoError(t, err)
		stack := mountOverlay(t, top, lower)
		requireSameTree(t, tree(t, c.merged), tree(t, stack.merged), "container", "image with the committed layer")
	})
}

func TestChanges(t *testing.T) {
	lower := layerDir(t, baseLayer)
	c := mountOverlay(t, lower)
	c.change(t)
	got, err := archive.Changes(c.upper, c.lowers)
	require.NoError(t, err)
	want := []string{
		"D /d", "A /d/new",
		"C /etc", "C /etc/group", "D /etc/motd", "C /etc/passwd",
		"A /fifo", "A /new-link", "A /new.txt",
		"A /newdir", "A /newdir/sub", "A /newdir/sub/f",
		"A /newsym", "A /null", "A /tmp",
		"C /var", "D /var/cache",
		"C /x",
		"D /y", "A /y/inner", // a file replaced by a directory: opaque, hence D, as in Docker
	}
	if s := changeStrings(got); !reflect.DeepEqual(s, want) {
		t.Errorf("Changes(upper, lowers) =\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
}

// TestChangesLayers checks the lookup through several lower layers: a path
// a middle layer deleted, or hid under an opaque directory, is added again,
// not changed.
func TestChangesLayers(t *testing.T) {
	bottom := layerDir(t, []archivetest.Entry{{Name: "a", Body: "a"}, {Name: "o/x", Body: "x"}, {Name: "k", Body: "k"}})
	middle := layerDir(t, []archivetest.Entry{archivetest.Whiteout("a"), {Name: "o/", Type: tar.TypeDir}, archivetest.Opaque("o")})
	c := mountOverlay(t, middle, bottom)
	for _, p := range []string{"a", "o/x", "k"} {
		require.NoError(t, os.WriteFile(filepath.Join(c.merged, p), []byte("again"), 0o644))
	}
	got, err := archive.Changes(c.upper, c.lowers)
	require.NoError(t, err)
	want := []string{"A /a", "C /k", "A /o/x"}
	s := changeStrings(got)
	// /o is listed as C or not at all, depending on whether the copy-up
	// changed its mtime: Docker's rule. Only the files are taught here.
	s = without(s, "C /o")
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Changes(upper, [middle bottom]) = %v, want %v", s, want)
	}
}

func changeStrings(cs []archive.Change) []string {
	var s []string
	for _, c := range cs {
		s = append(s, c.String())
	}
	return s
}

func without(s []string, drop string) []string {
	var out []string
	for _, x := range s {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

func TestDiffRefusesRedirects(t *testing.T) {
	testenv.RequireRoot(t, "overlayfs and trusted.* xattrs")
	upper := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(upper, "renamed"), 0o755))
	require.NoError(t, unix.Setxattr(filepath.Join(upper, "renamed"), "trusted.overlay.redirect", []byte("/orig"), 0))
	var buf bytes.Buffer
	_, err := archive.Diff(upper, &buf)
	if !errors.Is(err, archive.ErrOverlayFeature) {
		t.Errorf("Diff of an upper dir with a redirect = %v, want ErrOverlayFeature", err)
	}
}

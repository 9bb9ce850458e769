// The table: what applying a layer must do, case by case. Each group teaches
// one rule of chapter 04: entry types and their metadata, replacing what is
// there, whiteouts, and hostile layers.

package archivetest

import (
	"archive/tar"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/archive"
)

var (
	overlayOnly = []archive.WhiteoutMode{archive.OverlayWhiteouts}
	applyOnly   = []archive.WhiteoutMode{archive.ApplyWhiteouts}
	opaque      = map[string]string{archive.OpaqueXattr: "y"}

	t1 = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	t2 = time.Date(2002, 3, 4, 5, 6, 7, 0, time.UTC)
	t3 = time.Date(2003, 4, 5, 6, 7, 8, 0, time.UTC)
	t4 = time.Date(2004, 5, 6, 7, 8, 9, 0, time.UTC)
	tn = time.Date(2005, 6, 7, 8, 9, 10, 123456789, time.UTC)

	mib = strings.Repeat("0123456789abcdef", 1<<16)

	// Names over 100 bytes need PAX or GNU headers; over 255 bytes, more
	// than one component (a component is at most 255 bytes, NAME_MAX).
	long100 = "long/" + strings.Repeat("a", 120)
	long255 = "long/" + strings.Repeat("b", 200) + "/" + strings.Repeat("c", 200)
	longTo  = strings.Repeat("t/", 80) + "target"

	// security.capability granting cap_net_raw (bit 13), as ping has it:
	// VFS_CAP_REVISION_2 with the effective flag, then permitted and
	// inheritable, low and high words, little-endian.
	capNetRaw = "\x01\x00\x00\x02" + "\x00\x20\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"
)

// Cases is the table Check runs.
var Cases = []Case{
	// Entry types and their metadata.
	{
		Name:  "regular file: content, mode, owner, mtime",
		Layer: []Entry{{Name: "hello.txt", Body: "hello, layer\n", Mode: 0o640, Uid: 1000, Gid: 1001, ModTime: t1}},
		Want:  []File{{Path: "hello.txt", Body: "hello, layer\n", Mode: 0o640, Uid: 1000, Gid: 1001, ModTime: t1}},
	},
	{
		Name:  "empty file and a 1 MiB file",
		Layer: []Entry{{Name: "empty"}, {Name: "big", Body: mib}},
		Want:  []File{{Path: "empty"}, {Path: "big", Body: mib}},
	},
	{
		Name:  "directory: mode and owner",
		Layer: []Entry{{Name: "srv/", Type: tar.TypeDir, Mode: 0o750, Uid: 33, Gid: 33}},
		Want:  []File{{Path: "srv", Type: tar.TypeDir, Mode: 0o750, Uid: 33, Gid: 33}},
	},
	{
		Name:  "parent directories the layer does not list are made 0755",
		Layer: []Entry{{Name: "a/b/c/file", Body: "deep"}},
		Want: []File{{Path: "a", Type: tar.TypeDir}, {Path: "a/b", Type: tar.TypeDir},
			{Path: "a/b/c", Type: tar.TypeDir}, {Path: "a/b/c/file", Body: "deep"}},
	},
	{
		Name: "./ names and the root entry",
		Layer: []Entry{{Name: "./", Type: tar.TypeDir, Mode: 0o755}, {Name: "./etc/", Type: tar.TypeDir},
			{Name: "./etc/hostname", Body: "box\n"}},
		Want: []File{{Path: ".", Type: tar.TypeDir}, {Path: "etc", Type: tar.TypeDir}, {Path: "etc/hostname", Body: "box\n"}},
	},
	{
		Name: "symlinks: relative, absolute, dangling, with an owner",
		Layer: []Entry{
			{Name: "bin/", Type: tar.TypeDir},
			{Name: "bin/sh", Type: tar.TypeSymlink, Link: "busybox", Uid: 5, Gid: 6},
			{Name: "etc/mtab", Type: tar.TypeSymlink, Link: "/proc/self/mounts"},
			{Name: "dangling", Type: tar.TypeSymlink, Link: "/nowhere/at/all"},
		},
		Want: []File{
			{Path: "bin/sh", Type: tar.TypeSymlink, Link: "busybox", Uid: 5, Gid: 6},
			{Path: "etc/mtab", Type: tar.TypeSymlink, Link: "/proc/self/mounts"},
			{Path: "dangling", Type: tar.TypeSymlink, Link: "/nowhere/at/all"},
		},
	},
	{
		Name: "hardlinks: three names, one inode",
		Layer: []Entry{
			{Name: "bin/busybox", Body: "#!busybox", Mode: 0o755},
			{Name: "bin/sh", Type: tar.TypeLink, Link: "bin/busybox"},
			{Name: "usr/bin/env", Type: tar.TypeLink, Link: "/bin/busybox"},
		},
		Want: []File{
			{Path: "bin/busybox", Body: "#!busybox", Mode: 0o755, Nlink: 3},
			{Path: "bin/sh", Body: "#!busybox", Mode: 0o755, Nlink: 3},
			{Path: "usr/bin/env", Body: "#!busybox", Mode: 0o755, Nlink: 3},
		},
	},
	{
		Name:  "hardlink with ./ names, as tar -C dir . writes them",
		Layer: []Entry{{Name: "./data/a", Body: "x"}, {Name: "./data/b", Type: tar.TypeLink, Link: "./data/a"}},
		Want:  []File{{Path: "data/a", Body: "x", Nlink: 2}, {Path: "data/b", Body: "x", Nlink: 2}},
	},
	{
		Name: "character and block devices, fifo",
		Layer: []Entry{
			{Name: "dev/null", Type: tar.TypeChar, Major: 1, Minor: 3, Mode: 0o666},
			{Name: "dev/loop0", Type: tar.TypeBlock, Major: 7, Minor: 0, Mode: 0o660, Gid: 6},
			{Name: "run/initctl", Type: tar.TypeFifo, Mode: 0o600},
		},
		Want: []File{
			{Path: "dev/null", Type: tar.TypeChar, Major: 1, Minor: 3, Mode: 0o666},
			{Path: "dev/loop0", Type: tar.TypeBlock, Major: 7, Minor: 0, Mode: 0o660, Gid: 6},
			{Path: "run/initctl", Type: tar.TypeFifo, Mode: 0o600},
		},
	},
	{
		Name: "setuid, setgid and sticky bits survive the chown",
		Layer: []Entry{
			{Name: "usr/bin/passwd", Body: "suid root", Mode: 0o4755},
			{Name: "usr/bin/mine", Body: "suid user", Mode: 0o6750, Uid: 1000, Gid: 1000},
			{Name: "tmp/", Type: tar.TypeDir, Mode: 0o1777},
			{Name: "srv/shared/", Type: tar.TypeDir, Mode: 0o2775, Gid: 50},
		},
		Want: []File{
			{Path: "usr/bin/passwd", Body: "suid root", Mode: 0o4755},
			{Path: "usr/bin/mine", Body: "suid user", Mode: 0o6750, Uid: 1000, Gid: 1000},
			{Path: "tmp", Type: tar.TypeDir, Mode: 0o1777},
			{Path: "srv/shared", Type: tar.TypeDir, Mode: 0o2775, Gid: 50},
		},
	},
	{
		Name:    "mtimes: files, symlinks, directories after their children, nanoseconds from PAX",
		Stretch: true,
		Layer: []Entry{
			{Name: "old/", Type: tar.TypeDir, ModTime: t1},
			{Name: "old/sub/", Type: tar.TypeDir, ModTime: t2},
			{Name: "old/sub/file", Body: "x", ModTime: t3},
			{Name: "old/link", Type: tar.TypeSymlink, Link: "sub/file", ModTime: t4},
			{Name: "old/precise", Body: "ns", ModTime: tn, Format: tar.FormatPAX},
		},
		Want: []File{
			{Path: "old", Type: tar.TypeDir, ModTime: t1},
			{Path: "old/sub", Type: tar.TypeDir, ModTime: t2},
			{Path: "old/sub/file", Body: "x", ModTime: t3},
			{Path: "old/link", Type: tar.TypeSymlink, Link: "sub/file", ModTime: t4},
			{Path: "old/precise", Body: "ns", ModTime: tn},
		},
	},
	{
		Name:    "long names: over 100 bytes (PAX), over 255 (GNU), long link targets",
		Stretch: true,
		Layer: []Entry{
			{Name: long100, Body: "pax", Format: tar.FormatPAX},
			{Name: long255, Body: "gnu", Format: tar.FormatGNU},
			{Name: "long/symlink", Type: tar.TypeSymlink, Link: longTo, Format: tar.FormatPAX},
			{Name: "long/hardlink", Type: tar.TypeLink, Link: long255, Format: tar.FormatGNU},
		},
		Want: []File{
			{Path: long100, Body: "pax"},
			{Path: long255, Body: "gnu", Nlink: 2},
			{Path: "long/symlink", Type: tar.TypeSymlink, Link: longTo},
			{Path: "long/hardlink", Body: "gnu", Nlink: 2},
		},
	},
	{
		Name:    "xattrs on a file, a directory, a symlink; file capabilities after chown",
		Stretch: true,
		Layer: []Entry{
			{Name: "bin/ping", Body: "ping", Mode: 0o755, Uid: 0, Xattrs: map[string]string{"security.capability": capNetRaw}},
			{Name: "data/", Type: tar.TypeDir, Xattrs: map[string]string{"user.comment": "kept", "trusted.flag": "1"}},
			{Name: "data/file", Body: "x", Uid: 1000, Xattrs: map[string]string{"user.mime_type": "text/plain"}},
			{Name: "data/link", Type: tar.TypeSymlink, Link: "file", Xattrs: map[string]string{"trusted.tag": "on the link itself"}},
		},
		Want: []File{
			{Path: "bin/ping", Body: "ping", Mode: 0o755, Xattrs: map[string]string{"security.capability": capNetRaw}},
			{Path: "data", Type: tar.TypeDir, Xattrs: map[string]string{"user.comment": "kept", "trusted.flag": "1"}},
			{Path: "data/file", Body: "x", Uid: 1000, Xattrs: map[string]string{"user.mime_type": "text/plain"}},
			{Path: "data/link", Type: tar.TypeSymlink, Link: "file", Xattrs: map[string]string{"trusted.tag": "on the link itself"}},
		},
	},

	// Replacing what is there; the last entry for a path wins.
	{
		Name:  "a file replaced by a directory",
		Lower: []Entry{{Name: "x", Body: "a file"}},
		Layer: []Entry{{Name: "x/", Type: tar.TypeDir}, {Name: "x/y", Body: "y"}},
		Want:  []File{{Path: "x", Type: tar.TypeDir}, {Path: "x/y", Body: "y"}},
	},
	{
		Name:  "a directory tree replaced by a file",
		Lower: []Entry{{Name: "x/", Type: tar.TypeDir}, {Name: "x/a", Body: "a"}, {Name: "x/b/c", Body: "c"}},
		Layer: []Entry{{Name: "x", Body: "now a file"}},
		Want:  []File{{Path: "x", Body: "now a file"}},
	},
	{
		Name:  "a directory entry on a directory keeps its children, takes the new metadata",
		Lower: []Entry{{Name: "etc/", Type: tar.TypeDir, Mode: 0o700, Uid: 7}, {Name: "etc/passwd", Body: "root"}},
		Layer: []Entry{{Name: "etc/", Type: tar.TypeDir, Mode: 0o755}, {Name: "etc/group", Body: "g"}},
		Want:  []File{{Path: "etc", Type: tar.TypeDir, Mode: 0o755}, {Path: "etc/passwd", Body: "root"}, {Path: "etc/group", Body: "g"}},
	},
	{
		Name:  "a symlink replaced by a file, not followed",
		Lower: []Entry{{Name: "target", Body: "original"}, {Name: "link", Type: tar.TypeSymlink, Link: "target"}},
		Layer: []Entry{{Name: "link", Body: "new"}},
		Want:  []File{{Path: "link", Body: "new"}, {Path: "target", Body: "original"}},
	},
	{
		Name:  "a file replaced by a symlink",
		Lower: []Entry{{Name: "f", Body: "x"}},
		Layer: []Entry{{Name: "f", Type: tar.TypeSymlink, Link: "elsewhere"}},
		Want:  []File{{Path: "f", Type: tar.TypeSymlink, Link: "elsewhere"}},
	},
	{
		Name:  "a hardlinked file replaced by a file: its other name keeps the old content",
		Lower: []Entry{{Name: "a", Body: "original"}, {Name: "b", Type: tar.TypeLink, Link: "a"}},
		Layer: []Entry{{Name: "b", Body: "new"}},
		Want:  []File{{Path: "a", Body: "original", Nlink: 1}, {Path: "b", Body: "new", Nlink: 1}},
	},
	{
		Name:  "a hardlink onto an existing file",
		Lower: []Entry{{Name: "t", Body: "target"}, {Name: "l", Body: "old"}},
		Layer: []Entry{{Name: "l", Type: tar.TypeLink, Link: "t"}},
		Want:  []File{{Path: "l", Body: "target", Nlink: 2}, {Path: "t", Body: "target", Nlink: 2}},
	},
	{
		Name: "duplicate entries: the last wins",
		Layer: []Entry{
			{Name: "f", Body: "one"}, {Name: "f", Body: "two"},
			{Name: "d", Body: "a file first"}, {Name: "d/", Type: tar.TypeDir, Mode: 0o700}, {Name: "d/x", Body: "x"},
			{Name: "e/", Type: tar.TypeDir}, {Name: "e/x", Body: "x"}, {Name: "e", Body: "a file last"},
		},
		Want: []File{
			{Path: "f", Body: "two"},
			{Path: "d", Type: tar.TypeDir, Mode: 0o700}, {Path: "d/x", Body: "x"},
			{Path: "e", Body: "a file last"},
		},
	},

	// Whiteouts and opaque directories.
	{
		Name:  "whiteouts delete a file and a directory tree",
		Modes: applyOnly,
		Lower: []Entry{{Name: "etc/motd", Body: "hi"}, {Name: "etc/keep", Body: "k"}, {Name: "var/cache/a/b", Body: "b"}},
		Layer: []Entry{Whiteout("etc/motd"), Whiteout("var/cache")},
		Want:  []File{{Path: "etc/keep", Body: "k"}, {Path: "var", Type: tar.TypeDir}},
		Gone:  []string{"etc/motd", "var/cache"},
	},
	{
		Name:  "whiteouts become character devices 0:0",
		Modes: overlayOnly,
		Layer: []Entry{Whiteout("etc/motd"), Whiteout("var/cache")},
		Want: []File{{Path: "etc", Type: tar.TypeDir}, {Path: "etc/motd", Type: TypeWhiteout},
			{Path: "var/cache", Type: TypeWhiteout}},
	},
	{
		Name:  "a whiteout of what does not exist",
		Modes: applyOnly,
		Layer: []Entry{Whiteout("nothing/here"), Whiteout("nope")},
		Gone:  []string{"nothing", "nope"},
	},
	{
		Name:  "a whiteout of what does not exist still hides it in the layer",
		Modes: overlayOnly,
		Layer: []Entry{Whiteout("nothing/here"), Whiteout("nope")},
		Want:  []File{{Path: "nothing/here", Type: TypeWhiteout}, {Path: "nope", Type: TypeWhiteout}},
	},
	{
		Name:  "opaque directory: marker before the layer's own entries",
		Modes: applyOnly,
		Lower: []Entry{{Name: "d/old", Body: "lower"}, {Name: "d/sub/deep", Body: "lower"}},
		Layer: []Entry{{Name: "d/", Type: tar.TypeDir}, Opaque("d"), {Name: "d/new", Body: "layer"}},
		Want:  []File{{Path: "d", Type: tar.TypeDir}, {Path: "d/new", Body: "layer"}},
		Gone:  []string{"d/old", "d/sub"},
	},
	{
		Name:  "opaque directory: marker before the layer's own entries, as an xattr",
		Modes: overlayOnly,
		Layer: []Entry{{Name: "d/", Type: tar.TypeDir}, Opaque("d"), {Name: "d/new", Body: "layer"}},
		Want:  []File{{Path: "d", Type: tar.TypeDir, Xattrs: opaque}, {Path: "d/new", Body: "layer"}},
	},
	{
		Name:  "opaque directory: marker after the layer's own entries, which stay",
		Modes: applyOnly,
		Lower: []Entry{{Name: "d/old", Body: "lower"}, {Name: "d/sub/lower", Body: "lower"}},
		Layer: []Entry{{Name: "d/", Type: tar.TypeDir}, {Name: "d/new1", Body: "1"}, {Name: "d/sub/x", Body: "x"},
			Opaque("d"), {Name: "d/new2", Body: "2"}},
		Want: []File{{Path: "d/new1", Body: "1"}, {Path: "d/new2", Body: "2"}, {Path: "d/sub", Type: tar.TypeDir},
			{Path: "d/sub/x", Body: "x"}},
		Gone: []string{"d/old", "d/sub/lower"},
	},
	{
		Name:  "opaque directory: marker after the layer's own entries, as an xattr",
		Modes: overlayOnly,
		Layer: []Entry{{Name: "d/", Type: tar.TypeDir}, {Name: "d/new1", Body: "1"}, {Name: "d/sub/x", Body: "x"},
			Opaque("d"), {Name: "d/new2", Body: "2"}},
		Want: []File{{Path: "d", Type: tar.TypeDir, Xattrs: opaque}, {Path: "d/new1", Body: "1"},
			{Path: "d/new2", Body: "2"}, {Path: "d/sub", Type: tar.TypeDir}, {Path: "d/sub/x", Body: "x"}},
	},
	{
		Name:  "opaque root",
		Modes: applyOnly,
		Lower: []Entry{{Name: "a", Body: "a"}, {Name: "b/c", Body: "c"}},
		Layer: []Entry{{Name: "new", Body: "n"}, Opaque("")},
		Want:  []File{{Path: "new", Body: "n"}},
		Gone:  []string{"a", "b"},
	},
	{
		Name:  "a whiteout spares what the same layer writes, before or after it",
		Modes: applyOnly,
		Lower: []Entry{{Name: "x", Body: "lower"}, {Name: "y", Body: "lower"}},
		Layer: []Entry{Whiteout("x"), {Name: "x", Body: "layer"}, {Name: "y", Body: "layer"}, Whiteout("y")},
		Want:  []File{{Path: "x", Body: "layer"}, {Path: "y", Body: "layer"}},
	},
	{
		Name:  "a whiteout spares what the same layer writes, before or after it (overlay)",
		Modes: overlayOnly,
		Layer: []Entry{Whiteout("x"), {Name: "x", Body: "layer"}, {Name: "y", Body: "layer"}, Whiteout("y")},
		Want:  []File{{Path: "x", Body: "layer"}, {Path: "y", Body: "layer"}},
	},
	{
		Name:  "a whiteout of a directory the layer also fills",
		Modes: applyOnly,
		Lower: []Entry{{Name: "d/old", Body: "lower"}},
		Layer: []Entry{Whiteout("d"), {Name: "d/new", Body: "layer"}},
		Want:  []File{{Path: "d", Type: tar.TypeDir}, {Path: "d/new", Body: "layer"}},
		Gone:  []string{"d/old"},
	},
	{
		Name:  "a whiteout of a directory the layer also fills makes it opaque",
		Modes: overlayOnly,
		Layer: []Entry{Whiteout("d"), {Name: "d/new", Body: "layer"}},
		Want:  []File{{Path: "d", Type: tar.TypeDir, Xattrs: opaque}, {Path: "d/new", Body: "layer"}},
	},

	// Errors.
	{
		Name:  "a hardlink to a missing file is refused",
		Layer: []Entry{{Name: "l", Type: tar.TypeLink, Link: "missing"}},
		Err:   true,
	},
	{
		Name:  "a hardlink to a directory is refused",
		Layer: []Entry{{Name: "d/", Type: tar.TypeDir}, {Name: "l", Type: tar.TypeLink, Link: "d"}},
		Err:   true,
	},
	{
		Name:  "a file in place of the root directory is refused",
		Layer: []Entry{{Name: ".", Body: "not a directory"}},
		Err:   true,
	},

	// Hostile layers. dir is <tmp>/jail/root and the sentinels are in
	// <tmp>/outside: "../../outside/victim" from dir is one, and so is
	// Outside+"/victim". Confined, each lands inside dir.
	{
		Name:    "../ paths",
		Hostile: true,
		Layer:   []Entry{{Name: "../../outside/victim", Body: "pwned"}, {Name: "../escape", Body: "x"}},
		Want:    []File{{Path: "outside/victim", Body: "pwned"}, {Path: "escape", Body: "x"}},
	},
	{
		Name:    "absolute paths",
		Hostile: true,
		Layer:   []Entry{{Name: Outside + "/victim", Body: "pwned"}, {Name: "/abs", Body: "x"}},
		Want:    []File{{Path: Outside + "/victim", Body: "pwned"}, {Path: "abs", Body: "x"}},
	},
	{
		Name:    "a/../../ climbing out",
		Hostile: true,
		Layer:   []Entry{{Name: "a/../../../outside/victim", Body: "pwned"}},
		Want:    []File{{Path: "outside/victim", Body: "pwned"}},
	},
	{
		Name:    "symlink to / then a file through it",
		Hostile: true,
		Layer: []Entry{{Name: "evil", Type: tar.TypeSymlink, Link: "/"},
			{Name: "evil" + Outside + "/victim", Body: "pwned"}},
		Want: []File{{Path: "evil", Type: tar.TypeSymlink, Link: "/"}, {Path: Outside + "/victim", Body: "pwned"}},
	},
	{
		Name:    "symlink up -> ../.. then a file through it",
		Hostile: true,
		Layer: []Entry{{Name: "up", Type: tar.TypeSymlink, Link: "../.."},
			{Name: "up/outside/victim", Body: "pwned"}},
		Want: []File{{Path: "up", Type: tar.TypeSymlink, Link: "../.."}, {Path: "outside/victim", Body: "pwned"}},
	},
	{
		Name:    "symlink to an absolute host path, then a file through it",
		Hostile: true,
		Lower:   []Entry{{Name: Outside + "/", Type: tar.TypeDir}},
		Layer: []Entry{{Name: "abs", Type: tar.TypeSymlink, Link: Outside},
			{Name: "abs/victim", Body: "pwned"}},
		Want: []File{{Path: "abs", Type: tar.TypeSymlink, Link: Outside}, {Path: Outside + "/victim", Body: "pwned"}},
	},
	{
		Name:    "a lower layer's symlink to a host path, then a file through it",
		Hostile: true,
		Lower:   []Entry{{Name: Outside + "/", Type: tar.TypeDir}, {Name: "etc", Type: tar.TypeSymlink, Link: Outside + "/etc"}, {Name: Outside + "/etc/", Type: tar.TypeDir}},
		Layer:   []Entry{{Name: "etc/passwd", Body: "pwned"}},
		Want:    []File{{Path: Outside + "/etc/passwd", Body: "pwned"}},
	},
	{
		Name:    "a chain of symlinks out",
		Hostile: true,
		Lower:   []Entry{{Name: "outside/", Type: tar.TypeDir}},
		Layer: []Entry{{Name: "b", Type: tar.TypeSymlink, Link: "../../outside"}, {Name: "a", Type: tar.TypeSymlink, Link: "b"},
			{Name: "a/victim", Body: "pwned"}},
		Want: []File{{Path: "outside/victim", Body: "pwned"}},
	},
	{
		Name:    "a file on a symlink out replaces the symlink",
		Hostile: true,
		Lower:   []Entry{{Name: "victimlink", Type: tar.TypeSymlink, Link: "../../outside/victim"}},
		Layer:   []Entry{{Name: "victimlink", Body: "pwned"}},
		Want:    []File{{Path: "victimlink", Body: "pwned"}},
	},
	{
		Name:    "a directory replacing a symlink out, then a file in it",
		Hostile: true,
		Layer: []Entry{{Name: "d", Type: tar.TypeSymlink, Link: "../../outside"}, {Name: "d/", Type: tar.TypeDir},
			{Name: "d/victim", Body: "pwned"}},
		Want: []File{{Path: "d", Type: tar.TypeDir}, {Path: "d/victim", Body: "pwned"}},
	},
	{
		Name:    "a directory replaced by a symlink out, then a file through it",
		Hostile: true,
		Lower:   []Entry{{Name: "outside/", Type: tar.TypeDir}},
		Layer: []Entry{{Name: "d/", Type: tar.TypeDir}, {Name: "d/a", Body: "a"},
			{Name: "d", Type: tar.TypeSymlink, Link: "../../outside"}, {Name: "d/victim", Body: "pwned"}},
		Want: []File{{Path: "d", Type: tar.TypeSymlink, Link: "../../outside"}, {Path: "outside/victim", Body: "pwned"}},
	},
	{
		Name:    "a hardlink to ../../outside/etc/passwd links the image's own",
		Hostile: true,
		Lower:   []Entry{{Name: "outside/etc/passwd", Body: "the image's passwd"}},
		Layer:   []Entry{{Name: "pw", Type: tar.TypeLink, Link: "../../outside/etc/passwd"}},
		Want:    []File{{Path: "pw", Body: "the image's passwd", Nlink: 2}},
	},
	{
		Name:    "a hardlink out, then a file written on it",
		Hostile: true,
		Lower:   []Entry{{Name: "outside/etc/passwd", Body: "the image's passwd"}},
		Layer: []Entry{{Name: "pw", Type: tar.TypeLink, Link: "../../outside/etc/passwd"},
			{Name: "pw", Body: "pwned"}},
		Want: []File{{Path: "pw", Body: "pwned", Nlink: 1}, {Path: "outside/etc/passwd", Body: "the image's passwd", Nlink: 1}},
	},
	{
		Name:    "a hardlink to an absolute host path finds nothing inside dir",
		Hostile: true,
		Err:     true,
		Layer:   []Entry{{Name: "shadow", Type: tar.TypeLink, Link: Outside + "/etc/shadow"}},
	},
	{
		Name:    "a hardlink through a symlink out finds nothing inside dir",
		Hostile: true,
		Err:     true,
		Layer: []Entry{{Name: "up", Type: tar.TypeSymlink, Link: "../../outside/etc"},
			{Name: "shadow", Type: tar.TypeLink, Link: "up/shadow"}},
	},
	{
		Name:    "a whiteout ../../outside/.wh.victim",
		Hostile: true,
		Layer:   []Entry{{Name: "../../outside/.wh.victim"}, {Name: "../.wh.root"}},
	},
	{
		Name:    "a whiteout through a symlink out",
		Modes:   applyOnly,
		Hostile: true,
		Lower:   []Entry{{Name: "lnk", Type: tar.TypeSymlink, Link: "../../outside"}},
		Layer:   []Entry{Whiteout("lnk/victim"), Whiteout("lnk/etc")},
	},
	{
		Name:    "an opaque marker through a symlink to a host path",
		Modes:   applyOnly,
		Hostile: true,
		Lower:   []Entry{{Name: "lnk", Type: tar.TypeSymlink, Link: Outside}},
		Layer:   []Entry{Opaque("lnk")},
	},
	{
		Name:    "an opaque marker through a symlink up",
		Hostile: true,
		Lower:   []Entry{{Name: "up", Type: tar.TypeSymlink, Link: "../.."}},
		Layer:   []Entry{Opaque("up/outside")},
	},
	{
		Name:    "a whiteout of .. (.wh..) is refused",
		Hostile: true,
		Err:     true,
		Lower:   []Entry{{Name: "sub/keep", Body: "k"}},
		Layer:   []Entry{{Name: "sub/.wh.."}},
	},
}

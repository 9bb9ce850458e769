// Package archivetest checks a layer applier: a function that extracts a
// layer tar into a directory, the way archive.Apply does. The engine's own
// tests and lab 04 pass the same checker, in the spirit of testing/fstest's
// TestFS:
//
//	archivetest.Check(t, archive.ApplyWhiteouts, func(dir string, r io.Reader) error {
//		_, err := archive.Apply(dir, r, archive.Options{Whiteouts: archive.ApplyWhiteouts})
//		return err
//	})
//
// Check runs every case of the table Cases (cases.go) as a subtest: it makes
// the Lower state in a fresh directory, applies the Layer's tar, and
// compares what is on disk, file by file, with Want and Gone. Around each
// directory it keeps a sentinel tree: beside dir a directory "outside" with
// files a hostile layer aims at, and it fails the case if anything outside
// dir appeared, disappeared or changed.
//
//	<tmp>/outside/victim, etc/passwd, etc/shadow   sentinels (Outside)
//	<tmp>/jail/root/                                dir, the applier's target
//
// So "../../outside/victim" from dir is a sentinel, and so is the absolute
// path Outside+"/victim". Cases never aim at the host's real files.
//
// Check needs root: it makes devices, changes owners, and reads trusted.*
// xattrs.
package archivetest

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Outside stands, in the table's names, link targets and paths, for the
// absolute path of the sentinel directory beside dir. Check replaces it
// before building a tar.
const Outside = "$OUTSIDE"

// Epoch is the mtime of entries that give none.
var Epoch = time.Date(2020, 2, 2, 2, 2, 2, 0, time.UTC)

// Entry is one tar entry of a layer, or one file of a Lower state.
type Entry struct {
	Name string // as in the tar: "etc/passwd", "etc/" (a directory), "../x", "etc/.wh.motd"
	// Type is a tar type flag: tar.TypeReg (the default, when 0), TypeDir,
	// TypeSymlink, TypeLink (a hardlink), TypeChar, TypeBlock, TypeFifo.
	Type         byte
	Mode         int64 // permission and special bits (0o4755); 0 means 0644, 0755 for directories
	Uid, Gid     int
	Body         string            // a regular file's content
	Link         string            // a symlink's target, or the path a hardlink links to
	Major, Minor int64             // a device's numbers
	Xattrs       map[string]string // written as PAX "SCHILY.xattr.NAME" records
	ModTime      time.Time         // zero means Epoch
	Format       tar.Format        // zero lets archive/tar choose (USTAR, or PAX when needed)
}

// Whiteout is the entry that deletes path (its name prefixed with .wh.).
func Whiteout(p string) Entry {
	dir, name := path.Split(p)
	return Entry{Name: dir + archive.WhiteoutPrefix + name, Mode: 0o600}
}

// Opaque is the entry that makes directory dir opaque ("" is the root).
func Opaque(dir string) Entry {
	if dir != "" {
		dir += "/"
	}
	return Entry{Name: dir + archive.WhiteoutOpaque, Mode: 0o600}
}

// TypeWhiteout is File.Type for an overlayfs whiteout: a character device
// 0:0, whose mode and owner do not matter.
const TypeWhiteout byte = 'W'

// File is what one path must be after the layer is applied.
type File struct {
	Path string // relative to dir; "." is dir itself
	// Type is tar.TypeReg (the default, when 0), TypeDir, TypeSymlink,
	// TypeChar, TypeBlock, TypeFifo or TypeWhiteout. A hardlink is a
	// regular file whose Nlink is more than 1.
	Type         byte
	Mode         int64 // permission and special bits; 0 means 0644, 0755 for directories; not checked for symlinks and whiteouts
	Uid, Gid     int   // not checked for whiteouts
	Body         string
	Link         string            // a symlink's target
	Nlink        int               // 0: not checked
	Major, Minor int64             // a device's numbers
	Xattrs       map[string]string // each must be there with this value; trusted.overlay.opaque must be absent unless listed
	ModTime      time.Time         // zero: not checked
}

// Case is one layer applied on one directory.
type Case struct {
	Name  string
	Modes []archive.WhiteoutMode // the whiteout modes the case is for; nil means both
	Lower []Entry                // the state of dir before
	Layer []Entry                // the tar entries to apply
	Want  []File                 // expected files after, checked one by one
	Gone  []string               // paths that must not exist after (and the .wh. names of Layer's whiteouts never may)
	// Hostile cases try to get out of dir. An applier may confine them (the
	// entry lands inside dir, as under Docker: Want says where) or refuse
	// the layer with an error; either way nothing outside dir may change.
	Hostile bool
	Err     bool // the applier must return an error
	// Stretch cases are lab 04's stretch goals (PAX times, long names,
	// xattrs): CheckCore leaves them out, CheckStretch runs only them.
	Stretch bool
}

func (c Case) appliesTo(mode archive.WhiteoutMode) bool {
	if c.Modes == nil {
		return true
	}
	for _, m := range c.Modes {
		if m == mode {
			return true
		}
	}
	return false
}

// Check runs every case of Cases meant for mode as a subtest of t, applying
// each layer with apply.
func Check(t *testing.T, mode archive.WhiteoutMode, apply func(dir string, r io.Reader) error) {
	check(t, mode, apply, false)
}

// CheckConfined is Check for an applier that confines hostile layers rather
// than refusing them: hostile cases must apply without error (unless Err)
// and land inside dir where Want says. The engine's Apply is held to it.
func CheckConfined(t *testing.T, mode archive.WhiteoutMode, apply func(dir string, r io.Reader) error) {
	check(t, mode, apply, true)
}

// CheckCore is Check without the stretch cases: lab 04's core, which the
// lab must pass.
func CheckCore(t *testing.T, mode archive.WhiteoutMode, apply func(dir string, r io.Reader) error) {
	checkSome(t, mode, apply, false, func(c Case) bool { return !c.Stretch })
}

// CheckStretch runs the stretch cases alone.
func CheckStretch(t *testing.T, mode archive.WhiteoutMode, apply func(dir string, r io.Reader) error) {
	checkSome(t, mode, apply, false, func(c Case) bool { return c.Stretch })
}

func check(t *testing.T, mode archive.WhiteoutMode, apply func(dir string, r io.Reader) error, confined bool) {
	checkSome(t, mode, apply, confined, func(Case) bool { return true })
}

func checkSome(t *testing.T, mode archive.WhiteoutMode, apply func(dir string, r io.Reader) error, confined bool, pick func(Case) bool) {
	testenv.RequireRoot(t, "it makes devices, changes owners and reads trusted.* xattrs")
	for _, c := range Cases {
		if !c.appliesTo(mode) || !pick(c) {
			continue
		}
		t.Run(c.Name, func(t *testing.T) { run(t, c, apply, confined) })
	}
}

func run(t *testing.T, c Case, apply func(dir string, r io.Reader) error, confined bool) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	dir := filepath.Join(base, "jail", "root")
	if err := MakeSentinels(outside); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c = Substitute(c, outside)
	if err := Populate(dir, c.Lower); err != nil {
		t.Fatalf("making the Lower state: %v", err)
	}
	before, err := Snapshot(base, dir)
	if err != nil {
		t.Fatal(err)
	}
	err = apply(dir, bytes.NewReader(Tar(c.Layer)))

	after, serr := Snapshot(base, dir)
	if serr != nil {
		t.Fatal(serr)
	}
	for _, d := range Compare(before, after) {
		t.Errorf("the layer got out of dir: %s", d)
	}
	switch {
	case c.Err && err == nil:
		t.Fatalf("apply returned no error; this layer must be refused")
	case c.Err:
		t.Logf("apply refused the layer, as it must: %v", err)
		return
	case err != nil && c.Hostile && !confined:
		t.Logf("apply refused the hostile layer (allowed): %v", err)
		return
	case err != nil:
		t.Fatalf("apply returned %v, want no error", err)
	}
	for _, f := range c.Want {
		checkFile(t, dir, f)
	}
	gone := c.Gone
	for _, e := range c.Layer {
		if strings.HasPrefix(path.Base(e.Name), archive.WhiteoutPrefix) {
			gone = append(gone, archive.Clean(e.Name))
		}
	}
	for _, g := range gone {
		if found, ok := describeFound(filepath.Join(dir, g)); ok {
			t.Errorf("%s: must not exist after apply, found %s", g, found)
		}
	}
}

// Substitute replaces Outside in c's names, links and paths by outside.
func Substitute(c Case, outside string) Case {
	sub := func(s string) string { return strings.ReplaceAll(s, Outside, outside) }
	rel := func(s string) string {
		if !strings.Contains(s, Outside) {
			return s
		}
		return archive.Clean(sub(s))
	}
	entries := func(in []Entry) []Entry {
		out := make([]Entry, len(in))
		for i, e := range in {
			e.Name, e.Link = sub(e.Name), sub(e.Link)
			out[i] = e
		}
		return out
	}
	c.Lower, c.Layer = entries(c.Lower), entries(c.Layer)
	want := make([]File, len(c.Want))
	for i, f := range c.Want {
		f.Path, f.Link = rel(f.Path), sub(f.Link)
		want[i] = f
	}
	c.Want = want
	gone := make([]string, len(c.Gone))
	for i, g := range c.Gone {
		gone[i] = rel(g)
	}
	c.Gone = gone
	return c
}

// MakeSentinels fills outside, the directory hostile cases aim at, with
// the files they try to overwrite, link to or delete.
func MakeSentinels(outside string) error {
	for name, body := range map[string]string{
		"victim":     "sentinel: a layer must not change me\n",
		"etc/passwd": "root:x:0:0:the host's:/root:/bin/sh\n",
		"etc/shadow": "root:*:the host's secret:::::\n",
	} {
		p := filepath.Join(outside, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (e Entry) typ() byte {
	if e.Type == 0 || e.Type == tar.TypeRegA {
		return tar.TypeReg
	}
	return e.Type
}

func (e Entry) mode() int64 {
	switch {
	case e.Mode != 0:
		return e.Mode
	case e.typ() == tar.TypeDir:
		return 0o755
	}
	return 0o644
}

func (e Entry) modTime() time.Time {
	if e.ModTime.IsZero() {
		return Epoch
	}
	return e.ModTime
}

// Header is the tar header of e.
func (e Entry) Header() *tar.Header {
	hdr := &tar.Header{
		Typeflag: e.typ(),
		Name:     e.Name,
		Linkname: e.Link,
		Mode:     e.mode(),
		Uid:      e.Uid,
		Gid:      e.Gid,
		ModTime:  e.modTime(),
		Devmajor: e.Major,
		Devminor: e.Minor,
		Format:   e.Format,
	}
	if hdr.Typeflag == tar.TypeReg {
		hdr.Size = int64(len(e.Body))
	}
	for k, v := range e.Xattrs {
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords["SCHILY.xattr."+k] = v
	}
	return hdr
}

// Tar builds the uncompressed layer tar of entries. It panics if archive/tar
// cannot write one of them: the table is wrong.
func Tar(entries []Entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		if err := tw.WriteHeader(e.Header()); err != nil {
			panic(fmt.Sprintf("archivetest: entry %q: %v", e.Name, err))
		}
		if e.typ() == tar.TypeReg {
			io.WriteString(tw, e.Body)
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Populate makes entries in dir, as they are and in order, without a tar:
// the Lower state of a case, trusted. Missing parents are made 0755.
// Directories get their times last.
func Populate(dir string, entries []Entry) error {
	var dirs []Entry
	for _, e := range entries {
		p := filepath.Join(dir, archive.Clean(e.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := populate(dir, p, e); err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		if e.typ() == tar.TypeDir {
			dirs = append(dirs, e)
			continue
		}
		if e.typ() != tar.TypeLink {
			if err := setTimes(p, e.modTime()); err != nil {
				return err
			}
		}
	}
	for _, e := range dirs {
		if err := setTimes(filepath.Join(dir, archive.Clean(e.Name)), e.modTime()); err != nil {
			return err
		}
	}
	return nil
}

func populate(dir, p string, e Entry) error {
	var err error
	perm := uint32(e.mode() & 0o7777)
	switch e.typ() {
	case tar.TypeDir:
		err = os.Mkdir(p, 0o700)
		if errors.Is(err, os.ErrExist) {
			err = nil
		}
	case tar.TypeReg:
		err = os.WriteFile(p, []byte(e.Body), 0o600)
	case tar.TypeSymlink:
		return os.Symlink(e.Link, p)
	case tar.TypeLink:
		return os.Link(filepath.Join(dir, archive.Clean(e.Link)), p)
	case tar.TypeChar:
		err = unix.Mknod(p, unix.S_IFCHR, int(unix.Mkdev(uint32(e.Major), uint32(e.Minor))))
	case tar.TypeBlock:
		err = unix.Mknod(p, unix.S_IFBLK, int(unix.Mkdev(uint32(e.Major), uint32(e.Minor))))
	case tar.TypeFifo:
		err = unix.Mkfifo(p, 0)
	default:
		return fmt.Errorf("archivetest cannot make type %q", e.Type)
	}
	if err != nil {
		return err
	}
	if err := os.Lchown(p, e.Uid, e.Gid); err != nil {
		return err
	}
	if err := unix.Chmod(p, perm); err != nil {
		return err
	}
	for k, v := range e.Xattrs {
		if err := unix.Lsetxattr(p, k, []byte(v), 0); err != nil {
			return fmt.Errorf("setxattr %s: %w", k, err)
		}
	}
	return nil
}

func setTimes(p string, t time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(t.UnixNano()), unix.NsecToTimespec(t.UnixNano())}
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
}

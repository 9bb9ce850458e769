package archive_test

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
)

// FuzzApply feeds arbitrary tars to Apply, in both modes, in a directory
// nested beside archivetest's sentinels, and fails if anything outside the
// directory changed, whatever Apply returned. It is seeded with the table's
// layers. Run it with
//
//	sudo go test -run '^$' -fuzz FuzzApply -fuzztime 60s -fuzzminimizetime 50x ./mydocker/archive
//
// (An execution takes milliseconds, so the default minimization, 60 s per
// new input, would take most of the time.)
func FuzzApply(f *testing.F) {
	if os.Geteuid() != 0 {
		f.Skip("Apply needs root (mknod, chown)")
	}
	base := f.TempDir()
	outside := filepath.Join(base, "outside")
	dir := filepath.Join(base, "jail", "root")
	if err := archivetest.MakeSentinels(outside); err != nil {
		f.Fatal(err)
	}
	for _, c := range archivetest.Cases {
		c = archivetest.Substitute(c, outside)
		for _, seed := range [][]byte{archivetest.Tar(c.Layer), archivetest.Tar(append(slices.Clone(c.Lower), c.Layer...))} {
			// The fuzzer slows to a crawl on big inputs (the 1 MiB file).
			if len(seed) < 64<<10 {
				f.Add(seed)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.Fatal(err)
	}
	before, err := archivetest.Snapshot(base, dir)
	if err != nil {
		f.Fatal(err)
	}
	rootBefore := names(f, "/")
	f.Fuzz(func(t *testing.T, layer []byte) {
		if expands(layer) {
			t.Skip("a sparse file bigger than the fuzzer's disk budget")
		}
		for _, mode := range []archive.WhiteoutMode{archive.OverlayWhiteouts, archive.ApplyWhiteouts} {
			archive.Apply(dir, bytes.NewReader(layer), archive.Options{Whiteouts: mode})
			after, err := archivetest.Snapshot(base, dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range archivetest.Compare(before, after) {
				t.Errorf("%v: the layer got out of dir: %s", mode, d)
			}
			if got := names(t, "/"); !slices.Equal(got, rootBefore) {
				t.Errorf("%v: / changed: %v, was %v", mode, got, rootBefore)
			}
			if err := empty(dir); err != nil {
				t.Fatal(err)
			}
			if t.Failed() {
				return
			}
		}
	})
}

// empty removes what is in dir, keeping dir (so that its parent's mtime
// stays as the snapshot has it).
func empty(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func names(t testing.TB, dir string) []string {
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := f.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(n)
	return n
}

// expands reports whether a layer holds more than 64 MiB of file data,
// which only sparse entries can do in a small tar: Apply writes their holes
// as zeros.
func expands(layer []byte) bool {
	tr := tar.NewReader(bytes.NewReader(layer))
	var total int64
	for {
		hdr, err := tr.Next()
		if err != nil {
			return false
		}
		if total += hdr.Size; total > 64<<20 {
			return true
		}
	}
}

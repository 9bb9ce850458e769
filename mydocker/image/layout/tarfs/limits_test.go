package tarfs

import (
	"archive/tar"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// manyFiles is a tar of n empty files in one directory: 512 bytes each.
func manyFiles(t *testing.T, n int) *bytes.Buffer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := range n {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d/%08d", i), Typeflag: tar.TypeReg, Mode: 0o644}))
	}
	require.NoError(t, tw.Close())
	return &buf
}

// An image archive holds a few entries per layer; one with more than
// maxEntries is refused, never indexed: a `docker load` body of a million
// empty files (half a gigabyte) would otherwise be a million entries in
// memory. Up to the limit they are indexed, the children of one directory
// listed once each.
func TestIndexBoundsEntries(t *testing.T) {
	defer func(n int) { maxEntries = n }(maxEntries)
	maxEntries = 1000
	fsys, err := FromReader(manyFiles(t, maxEntries), t.TempDir())
	require.NoError(t, err, "a tar of maxEntries entries")
	if got := len(fsys.dirs["d"]); got != maxEntries {
		t.Errorf("directory d lists %d children, want %d", got, maxEntries)
	}
	fsys.Close()
	fsys, err = FromReader(manyFiles(t, maxEntries+1), t.TempDir())
	if err == nil {
		fsys.Close()
		t.Fatalf("FromReader of %d entries = nil error, want a refusal (at most %d)", maxEntries+1, maxEntries)
	}
	if !strings.Contains(err.Error(), "entries") {
		t.Errorf("FromReader of too many entries = %v, want it to say how many are allowed", err)
	}
}

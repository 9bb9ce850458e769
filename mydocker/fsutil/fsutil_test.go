package fsutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteFileReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "record.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	require.NoError(t, WriteFile(path, []byte("new"), 0o600))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	if string(got) != "new" {
		t.Errorf("after WriteFile(%q), file = %q, want %q", path, got, "new")
	}
	st, err := os.Stat(path)
	require.NoError(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("WriteFile(..., 0600) made mode %v", st.Mode().Perm())
	}
	requireOnly(t, dir, "record.json")
}

// A file closed before Commit leaves nothing: neither the name nor a temp file.
func TestCloseWithoutCommitLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "saved.tar"), 0o644)
	require.NoError(t, err)
	f.Write([]byte("half a tarball"))
	require.NoError(t, f.Close())
	requireOnly(t, dir)
}

func TestMkdirOwnedTightens(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	require.NoError(t, MkdirPrivate(root))
	open := filepath.Join(root, "images")
	require.NoError(t, os.Mkdir(open, 0o755))
	require.NoError(t, os.Chmod(open, 0o755))
	require.NoError(t, MkdirOwned(open))
	for _, d := range []string{root, open} {
		st, err := os.Stat(d)
		require.NoError(t, err)
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", d, st.Mode().Perm())
		}
	}
}

func requireOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	require.ElementsMatch(t, names, got, "entries of %s", dir)
}

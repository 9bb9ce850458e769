package archive_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// TestSparseFileIsWrittenWithHoles: the sparse bomb of issue 9 (a 3 KB
// layer that wrote 64 GiB), with a limit that lets it through: the file
// has its apparent size and its data, and takes a few blocks of disk.
func TestSparseFileIsWrittenWithHoles(t *testing.T) {
	testenv.RequireRoot(t, "Apply sets owners")
	layer := archivetest.SparseTar(1<<30, "big")
	require.Less(t, len(layer), 4096, "the layer itself is small")
	dir := t.TempDir()
	_, err := archive.Apply(dir, bytes.NewReader(layer), archive.Options{Limits: archive.Limits{Size: 2 << 30}})
	require.NoError(t, err)
	var st syscall.Stat_t
	require.NoError(t, syscall.Stat(filepath.Join(dir, "big"), &st))
	if st.Size != 1<<30 || st.Blocks > 64 {
		t.Errorf("Apply of a 1 GiB sparse file: size %d, %d blocks of 512 bytes; want size 1073741824 and a few blocks", st.Size, st.Blocks)
	}
	f, err := os.Open(filepath.Join(dir, "big"))
	require.NoError(t, err)
	defer f.Close()
	head := make([]byte, 8)
	f.ReadAt(head, 0)
	if string(head) != "data\x00\x00\x00\x00" {
		t.Errorf("the sparse file starts with %q, want its data then zeros", head)
	}
}

// TestLimits: each limit stops Apply with a *LimitError that says which,
// and a limit raised lets the same layer through.
func TestLimits(t *testing.T) {
	testenv.RequireRoot(t, "Apply sets owners")
	zeros := func(n int) []byte {
		return archivetest.Tar([]archivetest.Entry{{Name: "zeros", Body: string(make([]byte, n))}})
	}
	many := func(n int) []byte {
		entries := make([]archivetest.Entry, n)
		for i := range entries {
			entries[i].Name = "f" + strconv.Itoa(i)
		}
		return archivetest.Tar(entries)
	}
	// A whiteout's data is never written, only read: the tar's own length
	// must stop it.
	skipped := func(n int) []byte {
		return archivetest.Tar([]archivetest.Entry{{Name: ".wh.x", Body: string(make([]byte, n))}})
	}
	tests := []struct {
		name   string
		layer  []byte
		limits archive.Limits
		want   string // in the error; "" for none
	}{
		{"sparse bomb, default limits", archivetest.SparseTar(1<<40, "bomb"), archive.Limits{}, "more than 64 GiB in one file"},
		{"sparse holes over the limit", archivetest.SparseTar(2<<20, "a", "b"), archive.Limits{Size: 3 << 20}, "of holes in sparse files"},
		{"sparse holes within the limit", archivetest.SparseTar(2<<20, "a", "b"), archive.Limits{Size: 4 << 20}, ""},
		{"dense file over the limit", zeros(2 << 20), archive.Limits{Size: 1 << 20}, "more than 1 MiB in one file"},
		{"tar over the limit", skipped(2 << 20), archive.Limits{Size: 1 << 20}, "more than 1 MiB of uncompressed tar"},
		{"too many entries", many(20), archive.Limits{Entries: 10}, "more than 10 entries"},
		{"entries within a raised limit", many(20), archive.Limits{Entries: 20}, ""},
		{"file within a raised limit", zeros(2 << 20), archive.Limits{Size: 4 << 20}, ""},
		{"no limit", zeros(2 << 20), archive.Limits{Size: -1, Entries: -1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := archive.Apply(t.TempDir(), bytes.NewReader(tt.layer), archive.Options{Limits: tt.limits})
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			if !errors.Is(err, archive.ErrLimit) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Apply = %v, want a limit error with %q", err, tt.want)
			}
		})
	}
}

// TestGzipBomb: a small gzip stream that expands far past the limit is
// stopped after about the limit's worth of tar, not read to its end.
func TestGzipBomb(t *testing.T) {
	testenv.RequireRoot(t, "Apply sets owners")
	// 16 files of 4 MiB of zeros: each under the limit, together far over.
	blob := archivetest.GzipBomb(16, 4<<20)
	require.Less(t, len(blob), 1<<20, "the bomb is small")
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	require.NoError(t, err)
	// 64 MiB of tar; the limit is 8 MiB.
	cr := &counting{r: zr}
	_, err = archive.Apply(t.TempDir(), cr, archive.Options{Limits: archive.Limits{Size: 8 << 20}})
	if !errors.Is(err, archive.ErrLimit) {
		t.Fatalf("Apply of a gzip bomb = %v, want a limit error", err)
	}
	if cr.n > 9<<20 {
		t.Errorf("Apply read %d bytes of a bomb before stopping, want about the 8 MiB limit", cr.n)
	}
}

type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

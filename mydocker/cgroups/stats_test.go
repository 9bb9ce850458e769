package cgroups

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The block I/O counters as each version's files give them: every device
// summed, v1's "Total" lines and discard counters left out.
func TestBlockIOFromFiles(t *testing.T) {
	v2 := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(v2, "io.stat"), []byte(
		"8:0 rbytes=1310720 wbytes=4096 rios=40 wios=1 dbytes=7 dios=1\n"+
			"253:0 rbytes=10 wbytes=20 rios=1 wios=1 dbytes=0 dios=0\n"), 0o644))
	g := &Group{Mode: Unified, Dirs: map[string]string{"": v2}}
	st := g.Stats()
	require.Equal(t, []DeviceIO{{8, 0, 1310720, 4096}, {253, 0, 10, 20}}, st.BlockIO)
	read, write := st.BlockTotals()
	require.Equal(t, []uint64{1310730, 4116}, []uint64{read, write})

	blkio := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(blkio, "blkio.throttle.io_service_bytes"), []byte(
		"8:0 Read 2048\n8:0 Write 512\n8:0 Sync 2560\n8:0 Async 0\n8:0 Discard 9\n8:0 Total 2560\n"+
			"8:16 Read 1\n8:16 Write 2\nTotal 2563\n"), 0o644))
	g = &Group{Mode: Legacy, Dirs: map[string]string{"blkio": blkio}}
	st = g.Stats()
	require.Equal(t, []DeviceIO{{8, 0, 2048, 512}, {8, 16, 1, 2}}, st.BlockIO)

	// The recursive file, when the kernel has it, is the one read.
	require.NoError(t, os.WriteFile(filepath.Join(blkio, "blkio.throttle.io_service_bytes_recursive"), []byte(
		"8:0 Read 100\n8:0 Write 200\nTotal 300\n"), 0o644))
	st = g.Stats()
	require.Equal(t, []DeviceIO{{8, 0, 100, 200}}, st.BlockIO)
}

package layer

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// sweeperEnv makes the test binary a sweeper: it opens the store named and
// sweeps it over and over, as every other mydocker does once, until killed.
const sweeperEnv = "MYDOCKER_TEST_SWEEPER"

// A sweep in another process never deletes a temp dir its owner just made,
// however the two interleave: before the fix, one made between MkdirTemp
// and flock was taken for a killed unpack's leftover.
func TestSweepSparesFreshTempDirs(t *testing.T) {
	if dir := os.Getenv(sweeperEnv); dir != "" {
		s, err := Open(dir)
		if err != nil {
			os.Exit(2)
		}
		for {
			s.sweep()
		}
	}
	root := t.TempDir()
	s, err := Open(root)
	require.NoError(t, err)
	sweeper := exec.Command(os.Args[0], "-test.run=^TestSweepSparesFreshTempDirs$")
	sweeper.Env = append(os.Environ(), sweeperEnv+"="+root)
	require.NoError(t, sweeper.Start())
	t.Cleanup(func() {
		sweeper.Process.Kill()
		sweeper.Wait()
	})
	for i := 0; i < 5000; i++ {
		tmp, unlock, err := s.tempDir()
		if err != nil {
			t.Fatalf("tempDir() #%d with a sweeper beside = %v", i, err)
		}
		if _, err := os.Stat(tmp); err != nil {
			t.Fatalf("tempDir() #%d: the sweeper deleted the new temp dir under its owner: %v", i, err)
		}
		unlock()
		os.RemoveAll(tmp)
	}
}

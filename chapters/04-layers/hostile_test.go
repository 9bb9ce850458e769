package chapter04

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/tarball"
)

// TestHostileTarballs feeds mydocker the hostile layers of the archive
// checker's table (../ paths, absolute paths, symlinks and hardlinks out of
// the layer, whiteouts out of it), the way a user would meet them: as an
// image loaded from a `docker save` tarball and run, and as a root
// filesystem tarball given to run. Around the store sits a sentinel tree
// the layers aim at; whatever mydocker does (confine the path inside the
// layer, as Docker does, or refuse the layer), the sentinels must not
// change.
func TestHostileTarballs(t *testing.T) {
	harness.NotShort(t, "confining hostile layers")
	e := harness.New(t)
	// From a layer's directory, <root>/layers/.tmp-*/diff, "../../outside"
	// is <root>/layers/outside: put the sentinels there (and let absolute
	// paths aim at them too).
	outside := filepath.Join(e.Root, "layers", "outside")
	require.NoError(t, archivetest.MakeSentinels(outside))
	before, err := archivetest.Snapshot(outside, "")
	require.NoError(t, err)

	n := 0
	for _, c := range archivetest.Cases {
		if !c.Hostile {
			continue
		}
		n++
		c = archivetest.Substitute(c, outside)
		t.Run(c.Name, func(t *testing.T) {
			// As an image: the lower state is its first layer.
			var layers []image.Layer
			for _, entries := range [][]archivetest.Entry{c.Lower, c.Layer} {
				if len(entries) == 0 {
					continue
				}
				l, err := image.LayerFromTar(archivetest.Tar(entries))
				require.NoError(t, err)
				layers = append(layers, l)
			}
			img, err := image.Build(image.ConfigFile{}, layers)
			require.NoError(t, err)
			saved := filepath.Join(t.TempDir(), "hostile.tar")
			f, err := os.Create(saved)
			require.NoError(t, err)
			require.NoError(t, tarball.Write(f, []tarball.Entry{{RepoTags: []string{"hostile:1"}, Image: img}}))
			require.NoError(t, f.Close())
			// load unpacks the layers: it confines the paths (and the image
			// loads, and runs: 127, it has no such command), or it refuses
			// the layer, saying which, and stores nothing.
			if r := e.Run("load", "-i", saved); r.Code == 0 {
				r := e.Run("run", "--rm", "--pull", "never", "hostile:1", "/nothing-to-run")
				if r.Code != 127 {
					t.Errorf("run of a hostile image that loaded: %v", r)
				}
				e.MustRun("rmi", "hostile:1")
			} else if r.Code != 1 || !strings.Contains(r.Stderr, "layer sha256:") {
				t.Errorf("load of a hostile image: %v", r)
			}

			// As a root filesystem tarball (its layer alone).
			rootTar := filepath.Join(t.TempDir(), "rootfs.tar")
			require.NoError(t, os.WriteFile(rootTar, archivetest.Tar(c.Layer), 0o644))
			e.Run("run", "--rm", rootTar, "/nothing-to-run")

			after, err := archivetest.Snapshot(outside, "")
			require.NoError(t, err)
			for _, change := range archivetest.Compare(before, after) {
				t.Errorf("outside the store: %s", change)
			}
		})
	}
	if n < 10 {
		t.Fatalf("only %d hostile cases in the table, want the checker's full set", n)
	}
}

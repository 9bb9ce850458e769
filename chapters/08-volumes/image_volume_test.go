package chapter08

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/tarball"
)

// An image whose config says VOLUME /etc, as a Dockerfile's VOLUME does:
// each container gets an anonymous volume there, filled from the image,
// listed by `volume ls`, and removed by `rm -v` and by `run --rm`.
func TestImageVolume(t *testing.T) {
	e := busybox(t)
	rootTar, err := os.ReadFile(e.BusyboxTar())
	require.NoError(t, err)
	layer, err := image.LayerFromTar(rootTar)
	require.NoError(t, err)
	cfg := image.ConfigFile{Architecture: "amd64", OS: "linux"}
	cfg.Config.Volumes = map[string]struct{}{"/etc": {}}
	img, err := image.Build(cfg, []image.Layer{layer})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "withvol.tar")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, tarball.Write(f, []tarball.Entry{{RepoTags: []string{"withvol:latest"}, Image: img}}))
	require.NoError(t, f.Close())
	e.MustRun("load", "-i", path)

	if got := e.MustRun("run", "--name", "keep", "withvol", "cat", "/etc/passwd"); !strings.Contains(got, "root:") {
		t.Errorf("the image's /etc/passwd through its VOLUME: %q, want it copied up", got)
	}
	vols := strings.Fields(e.MustRun("volume", "ls", "-q"))
	if len(vols) != 1 {
		t.Fatalf("volume ls -q = %q, want the one anonymous volume", vols)
	}
	if _, err := os.Stat(filepath.Join(e.Root, "volumes", vols[0], "_data", "passwd")); err != nil {
		t.Errorf("the anonymous volume holds no copy of /etc/passwd: %v", err)
	}
	e.MustRun("rm", "-v", "keep")
	if got := e.MustRun("volume", "ls", "-q"); got != "" {
		t.Errorf("after rm -v, volume ls -q = %q, want none", got)
	}
	e.MustRun("run", "--rm", "withvol", "true")
	if got := e.MustRun("volume", "ls", "-q"); got != "" {
		t.Errorf("after run --rm, volume ls -q = %q, want none", got)
	}
}

package engine

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// The container's mounts, in order of precedence: the user's, then
// --volumes-from, then the image's VOLUMEs, each target once, parents
// before children.
func TestPlanMounts(t *testing.T) {
	store, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	src := &Container{ID: NewID(), Name: "src", containerMounts: containerMounts{Mounts: []MountPoint{
		{Type: volume.TypeVolume, Name: "shared", Destination: "/shared", RW: true},
		{Type: volume.TypeVolume, Name: "taken", Destination: "/data", RW: true},
	}}}
	require.NoError(t, store.Create(src))
	img := &Image{Config: image.Config{Volumes: map[string]struct{}{"/data": {}, "/var/log": {}, "/shared/sub": {}}}}
	user, err := volume.ParseVolume("mine:/data")
	require.NoError(t, err)
	mounts, err := planMounts(store, img, RunOptions{Mounts: []volume.Mount{user}, VolumesFrom: []string{"src:ro"}})
	require.NoError(t, err)
	var got []string
	for _, m := range mounts {
		got = append(got, fmt.Sprintf("%s %q %s ro=%v", m.Type, m.Source, m.Target, m.ReadOnly))
	}
	want := []string{
		`volume "mine" /data ro=false`,    // the user's wins over src's and the image's
		`volume "shared" /shared ro=true`, // from src, read-only as asked
		`volume "" /shared/sub ro=false`,  // the image's, anonymous; a child after its parent
		`volume "" /var/log ro=false`,
	}
	require.Equal(t, want, got)

	for _, opts := range []RunOptions{
		{VolumesFrom: []string{"nobody"}},
		{VolumesFrom: []string{"src:rx"}},
		{Mounts: []volume.Mount{user, user}},
	} {
		if _, err := planMounts(store, nil, opts); runtime.ExitCode(err, 0) != runtime.ExitEngine {
			t.Errorf("planMounts(%+v) = %v, want a refusal with 125", opts, err)
		}
	}
}

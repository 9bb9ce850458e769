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

// A Create that fails after its record exists (prepareRoot) leaves nothing:
// the record and its anonymous volumes go; a named volume stays, as in Docker.
func TestUndoCreateRemovesAnonymousVolumes(t *testing.T) {
	dataRoot := t.TempDir()
	store, err := OpenStore(dataRoot)
	require.NoError(t, err)
	vols, err := volume.Open(dataRoot)
	require.NoError(t, err)
	anon := volume.NewAnonymousName()
	_, _, err = vols.Create(anon, "", nil, map[string]string{volume.AnonymousLabel: ""})
	require.NoError(t, err)
	_, _, err = vols.Create("named", "", nil, nil)
	require.NoError(t, err)
	c := &Container{ID: NewID(), Name: "half", containerMounts: containerMounts{Mounts: []MountPoint{
		{Type: volume.TypeVolume, Name: anon, Destination: "/data", RW: true},
		{Type: volume.TypeVolume, Name: "named", Destination: "/named", RW: true},
	}}}
	require.NoError(t, store.Create(c))
	UndoCreate(dataRoot, c)
	if _, err := store.Get(c.ID); err == nil {
		t.Errorf("UndoCreate left the record of %s", c.ID)
	}
	if _, err := vols.Get(anon); err == nil {
		t.Errorf("UndoCreate left the anonymous volume %s", anon)
	}
	if _, err := vols.Get("named"); err != nil {
		t.Errorf("UndoCreate removed the named volume: %v", err)
	}
}

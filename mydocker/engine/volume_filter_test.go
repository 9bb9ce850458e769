package engine

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/volume"
)

// volume ls --filter: keys all hold, a key's values are alternatives; an
// unknown key or a dangling that is not a boolean is refused as invalid.
func TestFilterVolumes(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	list := []*volume.Volume{
		{Name: "data", Driver: "local", Labels: map[string]string{"k": "v"}},
		{Name: "scratch", Driver: "local", Labels: map[string]string{"k": "w"}},
		{Name: "other", Driver: "local"},
	}
	names := func(f map[string][]string) []string {
		out, err := FilterVolumes(s, list, f)
		require.NoError(t, err)
		var n []string
		for _, v := range out {
			n = append(n, v.Name)
		}
		return n
	}
	require.Equal(t, []string{"data", "scratch", "other"}, names(nil))
	require.Equal(t, []string{"data", "scratch"}, names(map[string][]string{"name": {"at", "scr"}}))
	require.Equal(t, []string{"data"}, names(map[string][]string{"label": {"k=v"}}))
	require.Equal(t, []string{"data", "scratch"}, names(map[string][]string{"label": {"k"}, "driver": {"local"}}))
	require.Nil(t, names(map[string][]string{"name": {"Data"}}))
	require.Equal(t, []string{"data", "scratch", "other"}, names(map[string][]string{"dangling": {"true"}}))
	require.Nil(t, names(map[string][]string{"dangling": {"0"}}))
	for _, f := range []map[string][]string{{"color": {"red"}}, {"dangling": {"maybe"}}} {
		_, err := FilterVolumes(s, list, f)
		require.True(t, errors.Is(err, volume.ErrInvalid), "%v: %v", f, err)
	}
}

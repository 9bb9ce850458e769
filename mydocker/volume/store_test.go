package volume_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/volume"
)

func TestCreateGetListRemove(t *testing.T) {
	root := t.TempDir()
	s, err := volume.Open(root)
	require.NoError(t, err)
	v, created, err := s.Create("data", "", nil, nil)
	require.NoError(t, err)
	if !created || v.Mountpoint != filepath.Join(root, "volumes", "data", "_data") || v.Driver != "local" {
		t.Errorf("Create(data) = %+v, %v", v, created)
	}
	require.NoError(t, os.WriteFile(filepath.Join(v.Mountpoint, "f"), []byte("x"), 0o644))
	// A second create of the same name returns the same volume, data and all.
	again, created, err := s.Create("data", "local", nil, nil)
	require.NoError(t, err)
	if created || again.CreatedAt != v.CreatedAt {
		t.Errorf("Create(data) again = %+v, created %v, want the existing one", again, created)
	}
	_, err = os.Stat(filepath.Join(again.Mountpoint, "f"))
	require.NoError(t, err)

	anon := volume.NewAnonymousName()
	_, _, err = s.Create(anon, "", nil, map[string]string{volume.AnonymousLabel: ""})
	require.NoError(t, err)
	all, err := s.List()
	require.NoError(t, err)
	if len(all) != 2 || !all[0].Anonymous() && !all[1].Anonymous() {
		t.Errorf("List() = %v, want data and one anonymous volume", all)
	}
	require.NoError(t, s.Remove("data"))
	if _, err := s.Get("data"); !errors.Is(err, volume.ErrNotFound) {
		t.Errorf("Get(data) after Remove = %v, want ErrNotFound", err)
	}
	if err := s.Remove("data"); !errors.Is(err, volume.ErrNotFound) {
		t.Errorf("Remove(data) twice = %v, want ErrNotFound", err)
	}
}

func TestCreateRefuses(t *testing.T) {
	s, err := volume.Open(t.TempDir())
	require.NoError(t, err)
	for _, c := range []struct {
		name, driver string
		opts         map[string]string
	}{
		{"a", "", nil},      // one character
		{"../etc", "", nil}, // a path
		{".new-x", "", nil}, // the store's own temp names
		{"ok", "nfs", nil},  // no such driver
		{"ok", "", map[string]string{"foo": "bar"}},
		{"ok", "", map[string]string{"type": "ext4", "device": "/dev/sda1"}},
		{"ok", "", map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=lots"}},
		{"ok", "", map[string]string{"type": "none", "device": "rel", "o": "bind"}},
	} {
		if _, _, err := s.Create(c.name, c.driver, c.opts, nil); !errors.Is(err, volume.ErrInvalid) {
			t.Errorf("Create(%q, %q, %v) = %v, want ErrInvalid", c.name, c.driver, c.opts, err)
		}
	}
	all, _ := s.List()
	if len(all) != 0 {
		t.Errorf("after refused creates, List() = %v, want none", all)
	}
}

func TestOpenSweepsLeftovers(t *testing.T) {
	root := t.TempDir()
	_, err := volume.Open(root)
	require.NoError(t, err)
	for _, d := range []string{".new-123", ".rm-456/v/_data"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, "volumes", d), 0o700))
	}
	_, err = volume.Open(root)
	require.NoError(t, err)
	entries, _ := os.ReadDir(filepath.Join(root, "volumes"))
	for _, e := range entries {
		if e.Name() != ".lock" {
			t.Errorf("after Open, volumes/ holds %s, want only .lock", e.Name())
		}
	}
}

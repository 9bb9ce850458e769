package engine

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/rootfs"
	local "github.com/mydocker/mydocker/mydocker/store"
)

// committable is a stopped container of the built-in busybox image whose
// writable layer holds one file; no process, no mount: Commit reads the
// upper directory only.
func committable(t *testing.T) (string, *Store, *Container) {
	dataRoot := t.TempDir()
	id, _, err := BuildBusyboxImage(dataRoot, "box")
	if err != nil {
		t.Skipf("no built-in busybox image here: %v", err)
	}
	s, err := OpenStore(dataRoot)
	require.NoError(t, err)
	c := &Container{ID: NewID(), Image: "box", ImageID: id}
	c.Config.Rootfs = &rootfs.Spec{Root: filepath.Join(s.Dir(c.ID), "merged")}
	c.State.Set(Exited)
	require.NoError(t, s.Create(c))
	require.NoError(t, os.MkdirAll(upperDir(s, c), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(upperDir(s, c), "note"), []byte("hello"), 0o644))
	return dataRoot, s, c
}

// A container whose removal is under way (or failed: dead) is not
// committed, as Docker refuses (409): its layer is being deleted, and an
// image of it would hold whatever the remover had not reached yet.
func TestCommitRefusesRemoval(t *testing.T) {
	for _, st := range []Status{Removing, Dead} {
		dataRoot, s, c := committable(t)
		_, err := s.Update(c.ID, func(c *Container) error { c.State.Set(st); return nil })
		require.NoError(t, err)
		img, err := Commit(dataRoot, c.ID, "snap", "", false)
		var ce *ConflictError
		if img != nil || !errors.As(err, &ce) {
			t.Errorf("Commit of a %s container = image %t, %v; want a conflict", st, img != nil, err)
		}
		if images, err := local.Open(dataRoot); err == nil {
			if _, _, err := images.Get("snap"); err == nil {
				t.Errorf("Commit of a %s container stored an image", st)
			}
		}
	}
}

// A remover holds the container's lock while it deletes the layer; a
// commit that comes meanwhile waits for it and then finds the container
// gone, instead of storing an image of half a layer.
func TestCommitWaitsForRemover(t *testing.T) {
	dataRoot, s, c := committable(t)
	unlock, err := s.LockContainer(c.ID)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := Commit(dataRoot, c.ID, "snap", "", false)
		done <- err
	}()
	// What removeLocked does under the lock, with time for a commit that
	// does not wait to be over before it.
	time.Sleep(300 * time.Millisecond)
	c.State.Set(Removing)
	require.NoError(t, s.saveState(c))
	require.NoError(t, os.RemoveAll(upperDir(s, c)))
	unlock()
	if err := <-done; err == nil {
		t.Errorf("Commit during a removal = nil error, want the removal named")
	}
	images, err := local.Open(dataRoot)
	require.NoError(t, err)
	if _, _, err := images.Get("snap"); err == nil {
		t.Errorf("Commit during a removal stored an image of the layer as the remover left it")
	}
}

// A container's writable layer, read back: `mydocker diff` lists what it
// holds, `mydocker commit` makes it a layer of a new image. overlayfs keeps
// every change in the upper directory, deletions as whiteouts (0:0 character
// devices) and replaced directories as opaque ones (an xattr); the archive
// package turns them into OCI whiteouts.

package engine

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/image"
	local "github.com/mydocker/mydocker/mydocker/store"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// upperDir is the container's writable layer.
func upperDir(s *Store, c *Container) string { return filepath.Join(s.Dir(c.ID), "upper") }

// Diff lists the changes in a container's writable layer, as `docker diff`.
func Diff(s *Store, ref string) ([]archive.Change, error) {
	c, err := s.Get(ref)
	if err != nil {
		return nil, err
	}
	if c.Config.Rootfs == nil {
		return nil, fmt.Errorf("container %s runs on the host's filesystem: it has no layer of its own", ref)
	}
	return archive.Changes(upperDir(s, c), c.Lowers)
}

// Commit makes a new image of a container's image plus its writable layer,
// and names it name ("" for an untagged image); with pause a running one is
// frozen meanwhile (Docker's --pause=true), so the layer is one moment of it.
func Commit(dataRoot, ref, name, comment string, pause bool) (image.Image, error) {
	s, err := OpenStore(dataRoot)
	if err != nil {
		return nil, err
	}
	c, err := s.Get(ref)
	if err != nil {
		return nil, err
	}
	if c.Config.Rootfs == nil {
		return nil, fmt.Errorf("container %s runs on the host's filesystem: there is nothing to commit", ref)
	}
	images, err := local.Open(dataRoot)
	if err != nil {
		return nil, err
	}
	base, _, err := images.Get(string(c.ImageID))
	if c.ImageID == "" {
		return nil, fmt.Errorf("container %s runs on a root filesystem given by path, not an image: `mydocker import` it first", ref)
	} else if err != nil {
		return nil, fmt.Errorf("the image of container %s is gone: %w", ref, err)
	}
	if err := checkCommit(c, ref); err != nil {
		return nil, err
	}
	thaw, err := pauseWhile(s, c, pause)
	if err != nil {
		return nil, err
	}
	defer thaw()
	// The layer is read under the container's lock, which a remover holds
	// while it deletes the layer (removeLocked): an rm that comes first
	// is waited for and then found out here; one that comes meanwhile
	// waits until the layer is read.
	unlock, err := s.LockContainer(c.ID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c, err = s.Load(c.ID); err != nil {
		return nil, err
	}
	if err := checkCommit(c, ref); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := archive.Diff(upperDir(s, c), pw)
		pw.CloseWithError(err)
	}()
	img, err := images.Commit(name, base, pr, fmt.Sprintf("mydocker commit %s", ShortID(c.ID)), comment)
	pr.CloseWithError(err)
	return img, err
}

// checkCommit refuses a container that is being removed, or whose
// removal failed (Docker's 409): its layer is, or may be, half deleted.
func checkCommit(c *Container, ref string) error {
	switch c.State.Status {
	case Removing:
		return conflict("cannot commit container %s: its removal is in progress", ref)
	case Dead:
		return conflict("cannot commit container %s: it is dead (its removal failed; rm -f finishes it)", ref)
	}
	return nil
}

// pauseWhile freezes a running container, if pause, for as long as a
// commit reads its layer; the returned function thaws it.
func pauseWhile(s *Store, c *Container, pause bool) (thaw func(), err error) {
	if !pause || c.State.Status != Running {
		return func() {}, nil
	}
	trace.Step("freeze container %s while its layer is read (commit --pause=true, Docker's default)", ShortID(c.ID))
	if err := Pause(s, c.ID); err != nil {
		return nil, fmt.Errorf("pause container %s to commit it: %w (or commit with --pause=false)", c.Name, err)
	}
	return func() { Unpause(s, c.ID) }, nil
}

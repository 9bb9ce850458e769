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
// and names it name ("" for an untagged image). With pause (Docker's
// default, --pause=true) a running container is frozen while its layer is
// read, so the image is one moment of it, not files half-written, and
// thawed after.
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
	var base image.Image
	if c.ImageID != "" {
		if base, _, err = images.Get(string(c.ImageID)); err != nil {
			return nil, fmt.Errorf("the image of container %s is gone: %w", ref, err)
		}
	} else {
		return nil, fmt.Errorf("container %s runs on a root filesystem given by path, not an image: `mydocker import` it first", ref)
	}
	if pause && c.State.Status == Running {
		trace.Step("freeze container %s while its layer is read (commit --pause=true, Docker's default)", ShortID(c.ID))
		if err := Pause(s, c.ID); err != nil {
			return nil, fmt.Errorf("pause container %s to commit it: %w (or commit with --pause=false)", ref, err)
		}
		defer Unpause(s, c.ID)
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

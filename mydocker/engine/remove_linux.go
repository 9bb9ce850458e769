// Removing containers, as `docker rm` does: a container whose `mydocker run`
// has recorded the end (or died) is removed with what it left (its cgroup,
// its directory); one still starting or running is refused in Docker's
// words, unless forced: then it is killed, and its `mydocker run` undoes
// its own setup before the record goes. Layers only it used are collected.

package engine

import (
	"errors"
)

// RemoveContainers removes each container refs names (rm [-f] [-v] REF...),
// with volumes its anonymous volumes (chapter 08), calling removed for each
// one gone, then collects the layers nothing uses any more. The errors of
// all refs are joined.
func RemoveContainers(dataRoot string, refs []string, force, volumes bool, removed func(ref string)) error {
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	var errs []error
	n := 0
	for _, ref := range refs {
		c, err := removeContainer(containers, ref, force)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if volumes {
			if err := RemoveAnonymousVolumes(dataRoot, containers, c); err != nil {
				errs = append(errs, err)
			}
		}
		n++
		removed(ref)
	}
	// A container run from a root filesystem tarball was the only user of
	// its layer. (Only after a removal: a refused rm must not wait for the
	// data root's lock, which a starting container holds.)
	if n > 0 {
		if err := CollectLayers(dataRoot); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeContainer removes one container, killing it first if forced (Rm),
// and returns its record as it was.
func removeContainer(containers *Store, ref string, force bool) (*Container, error) {
	c, err := containers.Get(ref)
	if err != nil {
		return nil, err
	}
	return c, Rm(containers, c.ID, force)
}

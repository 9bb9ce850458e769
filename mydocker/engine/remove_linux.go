// Removing containers, as `docker rm` does: a container whose `mydocker run`
// has recorded the end (or died) is removed with what it left (its cgroup,
// its directory); one still starting or running is refused in Docker's
// words, unless forced: then it is killed, and its `mydocker run` undoes
// its own setup before the record goes. Layers only it used are collected.

package engine

import (
	"errors"
)

// RemoveContainers removes each container refs names (rm [-f] REF...),
// calling removed for each one gone, then collects the layers nothing uses
// any more. The errors of all refs are joined.
func RemoveContainers(dataRoot string, refs []string, force bool, removed func(ref string)) error {
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	var errs []error
	n := 0
	for _, ref := range refs {
		if err := removeContainer(containers, ref, force); err != nil {
			errs = append(errs, err)
			continue
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

// removeContainer removes one container, killing it first if forced (Rm).
func removeContainer(containers *Store, ref string, force bool) error {
	c, err := containers.Get(ref)
	if err != nil {
		return err
	}
	return Rm(containers, c.ID, force)
}

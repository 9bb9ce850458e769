// Layer garbage collection, the engine's one place for it: the layers and
// blobs that no image names and no container stacks are removed, under the
// data root's exclusive lock, so that no starting container loses one.
// `rm` and `rmi` end with it.

package engine

import (
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/store"
)

// InUse lists the layers containers stack: they must stay.
func InUse(s *Store) (map[digest.Digest]bool, error) {
	all, err := s.List()
	if err != nil {
		return nil, err
	}
	out := map[digest.Digest]bool{}
	for _, c := range all {
		for _, l := range c.Layers {
			out[l] = true
		}
	}
	return out, nil
}

// CollectLayers removes the layers and blobs no image and no container
// uses, holding the data root's lock exclusive meanwhile.
func CollectLayers(dataRoot string) error {
	unlock, err := store.LockDataRoot(dataRoot, true)
	if err != nil {
		return err
	}
	defer unlock()
	return collectLayersLocked(dataRoot)
}

// collectLayersLocked is CollectLayers for a caller that holds the lock.
func collectLayersLocked(dataRoot string) error {
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	images, err := store.Open(dataRoot)
	if err != nil {
		return err
	}
	inUse, err := InUse(containers)
	if err != nil {
		return err
	}
	_, err = images.GC(inUse)
	return err
}

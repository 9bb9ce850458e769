// The data root's lock. Running containers take it shared while they unpack
// their image and record which layers they use; collecting unused layers
// (rmi, rm: engine.CollectLayers) takes it exclusive, so it never removes a
// layer a container is about to stack.

package store

import (
	"path/filepath"

	"github.com/mydocker/mydocker/mydocker/fsutil"
)

// LockDataRoot takes the data root's lock, shared or exclusive, and returns
// the function that releases it.
func LockDataRoot(dataRoot string, exclusive bool) (func(), error) {
	if err := fsutil.MkdirPrivate(dataRoot); err != nil {
		return nil, err
	}
	how := fsutil.Shared
	if exclusive {
		how = fsutil.Exclusive
	}
	return fsutil.Lock(filepath.Join(dataRoot, ".lock"), how)
}

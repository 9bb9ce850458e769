// The data root's lock. Running containers take it shared while they unpack
// their image and record which layers they use; collecting unused layers
// (rmi, rm: engine.CollectLayers) takes it exclusive, so it never removes a
// layer a container is about to stack.

package store

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/fsutil"
)

// LockDataRoot takes the data root's lock, shared or exclusive, and returns
// the function that releases it.
func LockDataRoot(dataRoot string, exclusive bool) (func(), error) {
	if err := fsutil.MkdirPrivate(dataRoot); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dataRoot, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, os.NewSyscallError("flock", err)
	}
	return func() { f.Close() }, nil
}

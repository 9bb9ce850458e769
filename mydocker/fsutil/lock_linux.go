// Locks between mydocker processes: flock(2) on a file. A lock belongs to
// an open file, so two goroutines that each open the file exclude each
// other too, and the kernel drops a dead process's locks with its files
// (a kill -9 leaves none behind). The one helper for every lock: the data
// root's, the container store's, an image layout's, the layer store's.

package fsutil

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// How a lock is held: by many readers (Shared) or by one (Exclusive).
// Or either with unix.LOCK_NB to fail at once instead of waiting.
const (
	Shared    = unix.LOCK_SH
	Exclusive = unix.LOCK_EX
)

// Flock is flock(2) on f, retried when a signal interrupts the wait.
func Flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return os.NewSyscallError("flock", err)
		}
	}
}

// Lock opens the lock file path (making it, 0600, if need be), takes
// flock(how) on it, and returns the function that releases it.
func Lock(path string, how int) (unlock func(), err error) {
	return lock(path, os.O_RDWR|os.O_CREATE, how)
}

// LockExisting is Lock of a lock file that must be there already: one
// that is gone (errors.Is os.ErrNotExist) is not made again. A lock file
// made while its directory is being deleted would be a fresh lock, free
// at once, and a file in the way of the rmdir (the container store's).
func LockExisting(path string, how int) (unlock func(), err error) {
	return lock(path, os.O_RDWR, how)
}

func lock(path string, flags, how int) (unlock func(), err error) {
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, err
	}
	if err := Flock(f, how); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Closing the file drops the lock.
	return func() { f.Close() }, nil
}

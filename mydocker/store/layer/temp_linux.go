// Temp dirs: where a layer is unpacked before it gets its name, and where
// a collected layer goes to be deleted. Each is locked (flock) by the
// process using it, so that sweep, run by the next Open of any process,
// removes only what a killed process left.
//
// A directory cannot be created already locked: between mkdir and flock
// there is a moment when it exists unlocked, and a sweep there would take
// it for an orphan and delete it under its owner. So making a temp dir and
// sweeping both hold the store's temp lock exclusively (a flock of the
// layers directory itself, so the store holds nothing but layers and temp
// dirs): a sweep sees a temp dir only once its owner holds it.

package layer

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
)

const tmpPrefix = ".tmp-"

// lockTemps takes the store's temp lock, and returns its release.
func (s *Store) lockTemps() (func(), error) {
	f, err := os.Open(s.dir)
	if err != nil {
		return nil, err
	}
	if err := fsutil.Flock(f, unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// tempDir makes a directory for an unpack in progress, locked until the
// returned function is called.
func (s *Store) tempDir() (string, func(), error) {
	unlock, err := s.lockTemps()
	if err != nil {
		return "", nil, err
	}
	defer unlock()
	tmp, err := os.MkdirTemp(s.dir, tmpPrefix)
	if err != nil {
		return "", nil, err
	}
	f, err := os.Open(tmp)
	if err == nil {
		err = fsutil.Flock(f, unix.LOCK_EX|unix.LOCK_NB) // new: no one else has it
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		os.RemoveAll(tmp)
		return "", nil, err
	}
	return tmp, func() { f.Close() }, nil
}

// sweep removes temp dirs no live process holds.
func (s *Store) sweep() {
	unlock, err := s.lockTemps()
	if err != nil {
		return
	}
	defer unlock()
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		p := filepath.Join(s.dir, e.Name())
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if fsutil.Flock(f, unix.LOCK_EX|unix.LOCK_NB) == nil {
			os.RemoveAll(p)
		}
		f.Close()
	}
}

// remove deletes a layer: renamed first into a temp dir of its own, so no
// reader ever sees half a layer, and no sweep deletes it at the same time.
func (s *Store) remove(chain digest.Digest) error {
	tmp, unlock, err := s.tempDir()
	if err != nil {
		return err
	}
	defer unlock()
	if err := os.Rename(s.path(chain), filepath.Join(tmp, "layer")); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.RemoveAll(tmp)
}

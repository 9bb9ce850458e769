// Private directories: the data root holds every image a user pulled
// (private ones too, fetched with their password) and every container's
// files, so no other user may read it. Docker makes /var/lib/docker 0710
// root:root for the same reason.

package fsutil

import (
	"errors"
	"io/fs"
	"os"
)

// MkdirPrivate makes dir, and any parent missing, mode 0700. A directory
// that exists is left as its owner made it: the data root may be one the
// user chose (--data-root), even a shared one, and what mydocker keeps in
// it is made with MkdirOwned.
func MkdirPrivate(dir string) error { return os.MkdirAll(dir, 0o700) }

// MkdirOwned makes dir mode 0700 like MkdirPrivate, and tightens it to 0700
// if it exists more open (as an older mydocker made images/ 0755): it is
// a directory only mydocker uses, so nothing is lost, and whatever the data
// root's own mode, nothing beneath it can be read by another user.
func MkdirOwned(dir string) error {
	if err := MkdirPrivate(dir); err != nil {
		return err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("not a directory")}
	}
	if st.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

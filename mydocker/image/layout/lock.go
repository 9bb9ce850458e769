// Locks let two processes (two `mydocker pull`s, a pull and a GC) share one
// layout. They are flock(2) locks on two files in the layout:
//
//   - .lock-index serialises the read-modify-write of index.json, so two
//     writers never lose each other's entry.
//   - .lock-blobs is held shared by every writer of blobs, from its first
//     blob until index.json names the image, and exclusively by GC, so GC
//     never deletes a blob that a writer is about to name.
//
// Writers take .lock-blobs before .lock-index, and so does GC: one order, so
// no deadlock. Readers take no lock: blobs are immutable once named, and
// index.json is replaced by rename. flock locks belong to an open file, and
// every lock here opens its own, so goroutines of one process exclude each
// other too. The kernel drops a dead process's locks with its files.

package layout

import (
	"path/filepath"

	"github.com/mydocker/mydocker/mydocker/fsutil"
)

const (
	lockIndex = ".lock-index"
	lockBlobs = ".lock-blobs"
	tmpPrefix = ".tmp-"

	shared    = fsutil.Shared
	exclusive = fsutil.Exclusive
)

// lock takes flock(how) on the lock file name and returns its release.
func (l *Layout) lock(name string, how int) (unlock func(), err error) {
	return fsutil.Lock(filepath.Join(l.dir, name), how)
}

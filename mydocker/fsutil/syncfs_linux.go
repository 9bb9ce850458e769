// Making a whole unpacked tree durable at once.

package fsutil

import (
	"os"

	"golang.org/x/sys/unix"
)

// SyncFS flushes the filesystem that holds dir: every file and directory
// written there, in one syncfs(2). A layer is thousands of files; an fsync
// each would wait for the journal thousands of times, while syncfs writes
// them all back and commits once (see chapter 04's figures).
func SyncFS(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return &os.PathError{Op: "syncfs", Path: dir, Err: err}
	}
	return nil
}

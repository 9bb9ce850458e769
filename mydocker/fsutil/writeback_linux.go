// Starting a file's writeback early. The kernel keeps written data in the
// page cache and writes it back when it likes (after up to 30 s); an fsync
// or syncfs then waits for all of it at once. Asking for the writeback as
// soon as a piece of the file is complete, without waiting for it
// (sync_file_range(2) with SYNC_FILE_RANGE_WRITE alone), lets the disk work
// while the CPU goes on with the rest: the fsync at the end finds most of
// the data written. It is only a hint: durability still comes from the
// fsync or syncfs, which also write the metadata.

package fsutil

import (
	"os"

	"golang.org/x/sys/unix"
)

// writebackChunk is how much of an atomic file is written before its
// writeback is started: large enough that a small file (a record, an
// index) never pays a system call for it.
const writebackChunk = 8 << 20

// startWriteback starts writing back n bytes of f from off, without
// waiting. Errors are ignored: the fsync that follows reports any.
func startWriteback(f *os.File, off, n int64) {
	unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}

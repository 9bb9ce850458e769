// Package fsutil holds the two ways the store puts things on disk: atomic
// files (a record, an index, a blob, a saved tarball appear whole under
// their name or not at all, even after a power cut) and private
// directories (the data root and what mydocker keeps in it).
//
// An atomic file is written to a temp file in the same directory (rename(2)
// is atomic only within one filesystem), fsynced, renamed over the name,
// and then the directory is fsynced. Each fsync has its reason:
//
//   - the file's, before the rename: without it, after a crash the name may
//     point at an inode whose data never reached the disk (ext4 and xfs
//     can commit the rename before the data), an empty or zero-filled file
//     that a reader then trusts;
//   - the directory's, after the rename: the rename is a change to the
//     directory, and only an fsync of the directory makes it durable, so
//     that what the caller reports as done (a pulled image, a saved
//     record) is still there after the crash.
//
// A large file (a layer blob, a saved image) is sent on its way to the disk
// while it is written, a few megabytes at a time (writeback_linux.go), so
// the fsync before the rename waits for the last few, not for all of it.
package fsutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// File is an atomic file being written. Write to it, then Commit to give it
// its name; Close without Commit throws it away.
type File struct {
	tmp     *os.File
	path    string
	perm    os.FileMode
	done    bool
	written int64 // bytes written so far
	queued  int64 // bytes handed to writeback so far
}

// Create starts an atomic file that Commit will name path, with mode perm.
func Create(path string, perm os.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return nil, err
	}
	return &File{tmp: tmp, path: path, perm: perm}, nil
}

// Write writes to the temp file.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.tmp.Write(p)
	f.written += int64(n)
	if f.written-f.queued >= writebackChunk {
		startWriteback(f.tmp, f.queued, f.written-f.queued)
		f.queued = f.written
	}
	return n, err
}

// Name is the temp file's name, until Commit.
func (f *File) Name() string { return f.tmp.Name() }

// Commit syncs the file, renames it to its name and syncs the directory.
func (f *File) Commit() error {
	if f.done {
		return errors.New("fsutil: commit of a closed file")
	}
	f.done = true
	defer os.Remove(f.tmp.Name()) // finds nothing once renamed
	// CreateTemp makes 0600, whatever the umask: set what was asked for
	// before the name exists, so no reader sees the file more open.
	if err := f.tmp.Chmod(f.perm); err != nil {
		f.tmp.Close()
		return err
	}
	if err := f.tmp.Sync(); err != nil {
		f.tmp.Close()
		return err
	}
	if err := f.tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.tmp.Name(), f.path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(f.path))
}

// Close throws the file away unless it was committed.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	f.done = true
	f.tmp.Close()
	return os.Remove(f.tmp.Name())
}

// WriteFile replaces path with data atomically: readers see the old file or
// the new one, never a mix, and after a crash the new one if WriteFile
// returned nil.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// WriteFrom is WriteFile for a stream.
func WriteFrom(path string, r io.Reader, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	return f.Commit()
}

// SyncDir makes the creations, renames and removals in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

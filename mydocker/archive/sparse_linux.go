// Sparse files: holes are written as holes.
//
// GNU tar and PAX can store a sparse file as its data and a map of where
// the data goes; the rest, the holes, reads as zeros. Go's tar reader
// expands the holes into zeros on Read and does not tell where they are,
// so Apply finds them again: in an entry that the tar stores as sparse
// (and only there, so other files are written exactly as before), every
// block of zeros is skipped with the file offset moved past it, and a
// final ftruncate(2) gives the file its size. The kernel then keeps the
// holes as holes: the file takes the disk space of its data, and reads
// back the same. Docker writes the zeros out; the result differs only in
// the blocks used (st_blocks).
//
// Skipped zeros count against Limits.Size as holes, written blocks as
// bytes written: a 3 KB layer claiming a 64 GiB file is refused before
// anything is written, and an image with holes the limit allows does not
// fill the disk.

package archive

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// holeBlock is the unit of hole detection: a filesystem block. A block of
// zeros that is not aligned to one cannot become a hole anyway.
const holeBlock = 4096

var zeroBlock [holeBlock]byte

// copySparse writes the entry's data into fd, skipping blocks of zeros,
// and sets the file's size to size.
func (a *applier) copySparse(fd int, p string, r io.Reader, size int64) error {
	var off int64
	for {
		n, rerr := io.ReadFull(r, a.buf)
		if err := a.writeBlocks(fd, p, a.buf[:n], off); err != nil {
			return err
		}
		off += int64(n)
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("read layer: %w", rerr)
		}
	}
	if off != size {
		return fmt.Errorf("sparse file %s: %d bytes of data for a size of %d", p, off, size)
	}
	// The skipped zeros at the end are not in the file yet: its size is.
	if err := unix.Ftruncate(fd, size); err != nil {
		return &os.PathError{Op: "ftruncate", Path: p, Err: err}
	}
	return nil
}

// writeBlocks writes b at offset off of fd, but for its whole blocks of
// zeros, which it leaves as holes. Runs of data go out in one pwrite(2).
func (a *applier) writeBlocks(fd int, p string, b []byte, off int64) error {
	for len(b) > 0 {
		// The run of blocks with data, then the run of zeros after it.
		data := 0
		for data < len(b) && !isZero(b[data:min(data+holeBlock, len(b))]) {
			data += min(holeBlock, len(b)-data)
		}
		zeros := data
		for zeros < len(b) && isZero(b[zeros:min(zeros+holeBlock, len(b))]) {
			zeros += min(holeBlock, len(b)-zeros)
		}
		if data > 0 {
			if err := a.budget.write(int64(data)); err != nil {
				return err
			}
			if err := pwriteAll(fd, p, b[:data], off); err != nil {
				return err
			}
		}
		if err := a.budget.hole(int64(zeros - data)); err != nil {
			return err
		}
		off += int64(zeros)
		b = b[zeros:]
	}
	return nil
}

func isZero(b []byte) bool { return bytes.Equal(b, zeroBlock[:len(b)]) }

func pwriteAll(fd int, p string, b []byte, off int64) error {
	for len(b) > 0 {
		n, err := unix.Pwrite(fd, b, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "pwrite", Path: p, Err: err}
		}
		b, off = b[n:], off+int64(n)
	}
	return nil
}

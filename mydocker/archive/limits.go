// Limits: how much one layer may make Apply do.
//
// A layer's digests prove only that it is the layer the image names, not
// that it is a reasonable one. Three kinds of bomb fit in a small blob:
//
//   - a gzip bomb: deflate expands about 1,000 times, so 64 MB of blob is
//     64 GB of tar (an OCI layer may also be stored uncompressed);
//   - a sparse bomb: a PAX or GNU sparse entry says "64 GiB, all of it a
//     hole" in a few hundred bytes. Go's tar reader hands the holes out as
//     zeros; written as they come, they fill the disk, and the layer still
//     hashes to its DiffID, since the DiffID is the hash of the small tar;
//   - an inode bomb: millions of empty files, each a header of 512 bytes,
//     and a path the applier remembers (apply_linux.go).
//
// Apply writes the holes of sparse files as holes (sparse_linux.go), and
// counts, for each layer, the bytes of tar it reads, the bytes it writes,
// the holes it skips and the entries it makes; past a limit it stops with
// a *LimitError, and the caller throws the half-made layer away. Docker and
// containerd have no such limits; the defaults are set so that no layer a
// registry would host is refused.

package archive

import (
	"errors"
	"fmt"
)

// The default limits, per layer.
const (
	// DefaultMaxSize is above the largest layer the big registries accept
	// (Amazon ECR: 52,000 MiB, compressed), so no real layer meets it.
	DefaultMaxSize = 64 << 30
	// DefaultMaxEntries is several times the files of the largest
	// distribution layers (a full TeX Live is under 200,000).
	DefaultMaxEntries = 1_000_000
	// pathBytesPerEntry bounds the memory the applier keeps per entry: the
	// paths of a layer's entries may add up to Entries times this.
	pathBytesPerEntry = 256
)

// Limits bound what one layer may make Apply do. A zero field takes its
// default; a negative one means no limit.
type Limits struct {
	// Size bounds three sums of a layer, each on its own: the bytes of its
	// uncompressed tar, as they are read (a gzip bomb stops there); the
	// bytes Apply writes to disk; and the holes of its sparse files, which
	// Apply does not write, but which the tar reader still hands out as
	// zeros, at memory speed. A file whose size alone is over it is refused
	// before anything is written.
	Size int64
	// Entries bounds the number of entries, and with it the memory Apply
	// keeps for each (see pathBytesPerEntry).
	Entries int64
}

// withDefaults fills in the zero fields.
func (l Limits) withDefaults() Limits {
	if l.Size == 0 {
		l.Size = DefaultMaxSize
	}
	if l.Entries == 0 {
		l.Entries = DefaultMaxEntries
	}
	return l
}

// ErrLimit is what every *LimitError is (errors.Is), for callers that branch.
var ErrLimit = errors.New("layer over a limit")

// A LimitError says which limit a layer went over.
type LimitError struct {
	What    string // "of uncompressed tar", "written", "in one file", "entries"...
	Limit   int64
	Entries bool // the limit follows from Limits.Entries (else Limits.Size)
	Image   bool // the limit is on an image's layers together (package layer)
}

func (e *LimitError) Error() string {
	per := "layer"
	if e.Image {
		per = "image"
	}
	if e.Entries {
		return fmt.Sprintf("more than %d %s, the limit per %s", e.Limit, e.What, per)
	}
	return fmt.Sprintf("more than %s %s, the limit per %s", HumanBytes(e.Limit), e.What, per)
}

func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// HumanBytes writes n in binary units: 64 GiB, 1.5 MiB, 512 B.
func HumanBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d %s", int64(f), units[i])
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

// budget counts one layer's sums against its limits.
type budget struct {
	limits                  Limits
	wrote, holes, pathBytes int64
	entries                 int64
}

// add adds n to the sum *sum, and fails if it goes over max.
func (b *budget) add(sum *int64, n, max int64, what string) error {
	*sum += n
	if max >= 0 && *sum > max {
		return &LimitError{What: what, Limit: max}
	}
	return nil
}

// write counts bytes written to disk.
func (b *budget) write(n int64) error { return b.add(&b.wrote, n, b.limits.Size, "written") }

// hole counts the zeros of a sparse file that were skipped, not written.
func (b *budget) hole(n int64) error {
	return b.add(&b.holes, n, b.limits.Size, "of holes in sparse files")
}

// entry counts one entry and its path.
func (b *budget) entry(path string) error {
	b.entries++
	if max := b.limits.Entries; max >= 0 {
		if b.entries > max {
			return &LimitError{What: "entries", Limit: max, Entries: true}
		}
		b.pathBytes += int64(len(path))
		if b.pathBytes > max*pathBytesPerEntry {
			return &LimitError{What: fmt.Sprintf("bytes of paths (%d for each entry allowed)", pathBytesPerEntry),
				Limit: max * pathBytesPerEntry, Entries: true}
		}
	}
	return nil
}

// fileSize refuses a file that alone is larger than a layer may be.
func (b *budget) fileSize(size int64) error {
	if max := b.limits.Size; max >= 0 && size > max {
		return &LimitError{What: "in one file", Limit: max}
	}
	return nil
}

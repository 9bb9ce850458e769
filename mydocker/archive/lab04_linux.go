//go:build lab04

// Lab 04 built into the engine: `make build LAB=04` compiles this file, and
// the layer store extracts every layer with the student's Apply
// (labs/04-layers/apply.go) instead of the engine's. With -tags reference
// too, the engine's own flattening Apply goes through the same seam.
//
// The store keeps each layer in a directory of its own and overlayfs
// stacks them, so the student's Apply starts from an empty directory:
// there, its entries and its confinement of hostile paths are all that
// count, and a whiteout has nothing below it to delete. What overlayfs
// needs instead (a 0:0 device for .wh.NAME, the opaque xattr for
// .wh..wh..opq) is made here afterwards, from the whiteouts a second
// reader of the same stream saw, exactly as OverlayWhiteouts makes them.
// The engine's size limit stays: the student's reads end at it.

package archive

import (
	"archive/tar"
	"fmt"
	"io"
	"strings"

	"github.com/mydocker/mydocker/mydocker/iocount"
	"github.com/mydocker/mydocker/mydocker/trace"
)

func init() { applyLayer = applyWithLab }

func applyWithLab(dir string, r io.Reader, opts Options) (int64, error) {
	if opts.Whiteouts != OverlayWhiteouts {
		return apply(dir, r, opts)
	}
	trace.Step("lab 04: Apply(%s, layer), then overlayfs's whiteout marks", dir)
	cr := &countReader{Reader: iocount.Reader{R: r}, max: opts.Limits.withDefaults().Size}
	pr, pw := io.Pipe()
	seen := make(chan layerIndex, 1)
	go func() { seen <- indexLayer(pr) }()
	tee := io.TeeReader(cr, pw)
	err := labApply(dir, tee)
	if err == nil {
		// The tar's end blocks too, for the caller's digest and the index.
		_, err = io.Copy(io.Discard, tee)
	}
	pw.Close()
	idx := <-seen
	if err != nil {
		return cr.N, fmt.Errorf("lab 04: %w", err)
	}
	if idx.err != nil {
		return cr.N, fmt.Errorf("read layer: %w", idx.err)
	}
	return cr.N, markWhiteouts(dir, idx)
}

// layerIndex is what the second reader saw: the paths the layer writes and
// its whiteouts.
type layerIndex struct {
	written   []string
	whiteouts []Whiteout
	err       error
}

// indexLayer reads the tar's headers from pr, to its end whatever happens,
// so that the writer never blocks.
func indexLayer(pr *io.PipeReader) (idx layerIndex) {
	defer io.Copy(io.Discard, pr)
	tr := tar.NewReader(pr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return idx
		}
		if err != nil && err != tar.ErrInsecurePath {
			idx.err = err
			return idx
		}
		p := Clean(hdr.Name)
		if w, ok := ParseWhiteout(p); ok {
			idx.whiteouts = append(idx.whiteouts, w)
		} else if !strings.HasPrefix(p, whiteoutMeta) && hdr.Typeflag != tar.TypeXGlobalHeader {
			idx.written = append(idx.written, p)
		}
	}
}

// markWhiteouts writes OverlayWhiteouts' marks into dir, through the same
// confined root as apply.
func markWhiteouts(dir string, idx layerIndex) error {
	rt, err := openRoot(dir)
	if err != nil {
		return err
	}
	defer rt.close()
	a := &applier{root: rt, mode: OverlayWhiteouts, written: make(map[string]struct{}), dirIdx: make(map[string]int)}
	for _, p := range idx.written {
		a.markWritten(p)
	}
	for _, w := range idx.whiteouts {
		if err := a.whiteout(w); err != nil {
			return fmt.Errorf("apply whiteout in %q: %w", w.Dir, err)
		}
	}
	return a.finish()
}

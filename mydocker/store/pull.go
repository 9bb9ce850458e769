// Pull and push: the registry meets the store. A pull asks the registry for
// the manifest and config (package remote verifies both), then fetches the
// layers it lacks, three at a time, and as each one streams in it is both
// written to the store's blobs and unpacked into the layer store: one
// download, no second pass, and each byte hashed once for the blob's digest
// and once for the tar's DiffID. Every byte is checked on the way, and only
// when all of it is in does the image get its name. A failed pull leaves no
// name, no half blob and no half layer; what completed is reused by the
// next try.

package store

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/store/layer"
)

// Progress is one step of a pull or push, for one layer (or the whole
// image, when Layer is -1), in Docker's words.
type Progress struct {
	Layer  int
	ID     string // the layer's short digest, as Docker shows it
	Status Status
	Done   int64
	Total  int64
}

// Status is one step of a layer's pull or push. Its String is what docker
// prints for it.
type Status int

const (
	PullingFSLayer Status = iota + 1
	Downloading           // Done of Total bytes: a bar
	AlreadyExists
	PullComplete
	LayerAlreadyExists // push: the registry has the blob
	Pushing            // Done of Total bytes: a bar
	Pushed
)

var statusText = [...]string{PullingFSLayer: "Pulling fs layer", Downloading: "Downloading", AlreadyExists: "Already exists",
	PullComplete: "Pull complete", LayerAlreadyExists: "Layer already exists", Pushing: "Pushing", Pushed: "Pushed"}

func (s Status) String() string {
	if s <= 0 || int(s) >= len(statusText) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusText[s]
}

// ParseStatus is String undone: the step docker's text names, or false
// for a text that names none (the daemon's client reads the steps back
// from Docker's progress messages).
func ParseStatus(text string) (Status, bool) {
	for s, t := range statusText {
		if t != "" && t == text {
			return Status(s), true
		}
	}
	return 0, false
}

// HasBar reports whether docker draws a progress bar for the step.
func (s Status) HasBar() bool { return s == Downloading || s == Pushing }

// Pull fetches ref from its registry into the store and names it ref. It
// returns the image and whether anything new was downloaded.
func (s *Store) Pull(ctx context.Context, ref reference.Reference, opts remote.Options, progress func(Progress)) (image.Image, bool, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	img, err := remote.Image(ctx, ref, opts)
	if err != nil {
		return nil, false, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, false, err
	}
	var mu sync.Mutex
	report := func(p Progress) { mu.Lock(); progress(p); mu.Unlock() }
	wrapped := make([]image.Layer, len(layers))
	fresh := false
	for i, l := range layers {
		d, _ := l.Digest()
		size, _ := l.Size()
		w := &pullLayer{Layer: l, store: s, i: i, id: d.Short(), size: size, report: report}
		wrapped[i] = w
	}
	// Unpack fetches only the layers the layer store lacks; each fetch also
	// stores the blob (see pullLayer.Compressed).
	_, err = s.layers.Unpack(wrapped, func(e layer.Event) {
		w := wrapped[e.Index].(*pullLayer)
		switch e.Status {
		case layer.Present:
			report(Progress{Layer: e.Index, ID: w.id, Status: AlreadyExists})
		case layer.Extracting:
			report(Progress{Layer: e.Index, ID: w.id, Status: Downloading, Done: e.Done, Total: w.size})
		case layer.Unpacked:
			report(Progress{Layer: e.Index, ID: w.id, Status: PullComplete, Done: w.size, Total: w.size})
		}
	})
	if err != nil {
		return nil, false, err
	}
	for _, w := range wrapped {
		fresh = fresh || w.(*pullLayer).fetched
	}
	// Blobs of layers that were unpacked already but never stored (a pull
	// of the same layers from another image, say) are fetched now; the
	// store names the image only once every blob is in.
	name := ref.WithDefaultTag()
	before, _ := s.layout.Lookup(name.String())
	if err := s.layout.Write(img, annotations(name)); err != nil {
		return nil, false, err
	}
	d, _ := img.Digest()
	return img, fresh || before.Digest != d, nil
}

// pullLayer is a remote layer whose download is also written to the
// store's blobs, as it is read for unpacking.
type pullLayer struct {
	image.Layer
	store   *Store
	i       int
	id      string
	size    int64
	report  func(Progress)
	fetched bool
}

func (l *pullLayer) Compressed() (io.ReadCloser, error) {
	l.fetched = true
	l.report(Progress{Layer: l.i, ID: l.id, Status: PullingFSLayer, Total: l.size})
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, err
	}
	// The download lands in the blob store as it is read: the remote
	// reader hashes it once and ends in an error unless it matches its
	// digest, and only then does the blob get its name.
	d, _ := l.Layer.Digest()
	blob, err := l.store.layout.TeeBlob(d, l.size, rc)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return blob, nil
}

func (l *pullLayer) Uncompressed() (io.ReadCloser, error) {
	c, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	mt, _ := l.MediaType()
	diffID, _ := l.DiffID()
	return image.Uncompress(c, mt, diffID)
}

// Push sends the image called name to the registry its name points at.
func (s *Store) Push(ctx context.Context, name string, opts remote.Options) (digest.Digest, error) {
	ref, err := reference.Parse(name)
	if err != nil {
		return "", err
	}
	ref = ref.WithDefaultTag()
	img, _, err := s.Get(ref.String())
	if err != nil {
		return "", err
	}
	if err := remote.Write(ctx, ref, img, opts); err != nil {
		return "", err
	}
	return img.Digest()
}

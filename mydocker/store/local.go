// Package store is mydocker's own image store: the engine's images, and a
// medium like the others (a sink for pull, load, import and commit; a source
// for run, save and push). It is built from two parts:
//
//	<data-root>/images/   an OCI image layout (package layout): every blob,
//	                      manifest and config as it came, so an image keeps
//	                      its digest through pull, save, load and push; its
//	                      index.json names each image by its full reference
//	<data-root>/layers/   the layer store (package layer): each layer
//	                      unpacked once, for overlayfs
//
// The store also owns the data root's lock (lock_linux.go) and the
// collection of blobs and layers nothing names (GC; the engine says which
// layers its containers still stack). It hands the runtime absolute lower
// directories (layer.Lowers), never an image.
//
// Names are normalized like Docker's: "busybox" is
// docker.io/library/busybox:latest. An image can also be named by its ID
// (the config digest, or a unique prefix of it) or by its manifest digest.
package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/layout"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/store/layer"
)

// ErrNotFound is returned for a name no image has.
var ErrNotFound = errors.New("no such image")

// Store is the image store of one data root.
type Store struct {
	layout *layout.Layout
	layers *layer.Store
}

// Record is one named image, as `mydocker images` lists it.
type Record struct {
	Ref     string        // canonical: docker.io/library/busybox:latest; "" if untagged
	Digest  digest.Digest // the manifest's
	ID      digest.Digest // the config's: Docker's image ID
	Created time.Time
	Size    int64 // bytes of its layers' tars
}

// Open opens (creating if needed) the image store of a data root.
func Open(dataRoot string) (*Store, error) {
	// images/ is made private before the layout inside it: blobs are
	// 0644 as in any OCI layout, and a private image pulled with a
	// password must not be readable by every user of the host.
	if err := fsutil.MkdirPrivate(dataRoot); err != nil {
		return nil, err
	}
	if err := fsutil.MkdirOwned(filepath.Join(dataRoot, "images")); err != nil {
		return nil, err
	}
	l, err := layout.Create(filepath.Join(dataRoot, "images"))
	if err != nil {
		return nil, err
	}
	layers, err := layer.Open(dataRoot)
	if err != nil {
		return nil, err
	}
	return &Store{layout: l, layers: layers}, nil
}

// Layers is the layer store under the image store.
func (s *Store) Layers() *layer.Store { return s.layers }

// Layout is the OCI layout the store keeps its blobs in.
func (s *Store) Layout() *layout.Layout { return s.layout }

// Put stores img under name (moving the name if another image had it).
func (s *Store) Put(name string, img image.Image) error {
	ref, err := reference.Parse(name)
	if err != nil {
		return err
	}
	ref = ref.WithDefaultTag()
	return s.layout.Write(img, annotations(ref))
}

func annotations(ref reference.Reference) map[string]string {
	tag := ref.Tag
	if tag == "" {
		tag = string(ref.Digest)
	}
	return map[string]string{layout.AnnotationImageName: ref.String(), layout.AnnotationRefName: tag}
}

// Get finds an image by name, ID (or a unique prefix of 12 or more hex
// digits) or manifest digest.
func (s *Store) Get(name string) (image.Image, Record, error) {
	// The common case, a name, is one lookup in index.json.
	if ref, perr := reference.Parse(name); perr == nil && ref.Digest == "" {
		ref = ref.WithDefaultTag()
		if d, err := s.layout.Lookup(ref.String()); err == nil {
			img, err := s.layout.Image(d.Digest)
			if err != nil {
				return nil, Record{}, err
			}
			id, _ := img.ConfigName()
			return img, Record{Ref: ref.String(), Digest: d.Digest, ID: id}, nil
		}
	}
	all, err := s.List()
	if err != nil {
		return nil, Record{}, err
	}
	var match *Record
	if ref, perr := reference.Parse(name); perr == nil {
		for i, r := range all {
			if r.Ref == ref.String() || (ref.Digest != "" && r.Digest == ref.Digest) {
				match = &all[i]
				break
			}
		}
	}
	if match == nil {
		hex := strings.TrimPrefix(name, "sha256:")
		if len(hex) >= 4 && isHex(hex) {
			for i, r := range all {
				if strings.HasPrefix(r.ID.Hex(), hex) || strings.HasPrefix(r.Digest.Hex(), hex) {
					if match != nil && match.ID != r.ID {
						return nil, Record{}, fmt.Errorf("image ID prefix %q is ambiguous: give more of it", name)
					}
					match = &all[i]
				}
			}
		}
	}
	if match == nil {
		return nil, Record{}, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	img, err := s.layout.Image(match.Digest)
	return img, *match, err
}

// List returns every named image, newest first.
func (s *Store) List() ([]Record, error) {
	idx, err := s.layout.Index()
	if err != nil {
		return nil, err
	}
	sizes := map[digest.Digest]int64{}
	if infos, err := s.layers.List(); err == nil {
		for _, i := range infos {
			sizes[i.DiffID] = i.Size
		}
	}
	var out []Record
	for _, d := range idx.Manifests {
		img, err := s.layout.Image(d.Digest)
		if err != nil {
			continue // an index entry this platform cannot run
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			continue
		}
		id, _ := img.ConfigName()
		r := Record{Ref: d.Annotations[layout.AnnotationImageName], Digest: d.Digest, ID: id}
		if cfg.Created != nil {
			r.Created = *cfg.Created
		}
		m, _ := img.Manifest()
		for i, diffID := range cfg.RootFS.DiffIDs {
			if n, ok := sizes[diffID]; ok {
				r.Size += n
			} else if m != nil && i < len(m.Layers) {
				r.Size += m.Layers[i].Size
			}
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Tag gives the image called src the name dst too.
func (s *Store) Tag(src, dst string) error {
	img, _, err := s.Get(src)
	if err != nil {
		return err
	}
	return s.Put(dst, img)
}

// Untag removes a name. The image's blobs stay until GC finds nothing
// named uses them.
func (s *Store) Untag(ref string) error {
	r, err := reference.Parse(ref)
	if err != nil {
		return err
	}
	r = r.WithDefaultTag()
	return s.layout.Untag(r.String())
}

// RemoveID removes every name of the image with manifest digest d.
func (s *Store) RemoveID(d digest.Digest) error { return s.layout.RemoveImage(d) }

// Unpack makes sure img's layers are unpacked and returns their ChainIDs,
// lowest first.
func (s *Store) Unpack(img image.Image, progress func(layer.Event)) ([]digest.Digest, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	return s.layers.Unpack(layers, progress)
}

// GC removes blobs no named image reaches, and unpacked layers that no named
// image and no container (inUse) stacks. It returns the layers it removed.
func (s *Store) GC(inUse map[digest.Digest]bool) ([]digest.Digest, error) {
	if _, err := s.layout.GC(); err != nil {
		return nil, err
	}
	keep := map[digest.Digest]bool{}
	for c := range inUse {
		keep[c] = true
	}
	all, err := s.List()
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		img, err := s.layout.Image(r.Digest)
		if err != nil {
			continue
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			continue
		}
		for _, c := range layer.ChainIDs(cfg.RootFS.DiffIDs) {
			keep[c] = true
		}
	}
	return s.layers.GC(keep)
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

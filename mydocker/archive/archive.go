// Package archive is where layer tarballs meet the disk (chapter 04, union
// layers). An image is a stack of layers; each layer is a tar of the files
// it adds or changes, plus whiteouts for what it deletes. Three operations
// cover the whole life of a layer:
//
//	Apply    extracts a layer into a directory: into an empty directory of
//	         its own for the layer store, where overlayfs stacks the layers
//	         (OverlayWhiteouts), or on top of the lower layers already
//	         extracted there (ApplyWhiteouts, lab 04 and exporting).
//	Diff     turns a container's overlayfs upper directory back into a layer
//	         tar (`mydocker commit`).
//	Changes  lists what that upper directory changed, as `docker diff` does.
//
// Layers come from registries, that is from strangers, so Apply treats every
// entry as hostile: each path is resolved with openat2(2) and
// RESOLVE_IN_ROOT, which makes the kernel treat dir as "/" (".." stops there,
// and symlinks, absolute or relative, are followed inside it), and the last
// component is created with *at(2) calls relative to the resolved parent. A
// layer cannot write, link or delete outside dir; a path that would escape
// lands inside it, as it does under Docker, whose extractor runs chrooted
// into the rootfs.
//
// This file holds the vocabulary: whiteout names and modes, and the changes
// Changes reports. Reading order for Apply: root_linux.go (confinement),
// apply_linux.go (the loop and the rules), entry_linux.go (one entry of each
// type), meta_linux.go (owners, modes, xattrs, times), whiteout_linux.go;
// limits.go and sparse_linux.go bound what a layer can cost.
// diff_linux.go and changes_linux.go read an upper directory. archivetest is
// the checker that the engine and lab 04 pass.
package archive

import (
	"archive/tar"
	"errors"
	"path"
	"strings"
)

// The OCI layer spec's whiteout names (image-spec layer.md). aufs's
// bookkeeping files (.wh..wh.plnk, .wh..wh.aufs) share the second prefix.
const (
	WhiteoutPrefix = ".wh."
	WhiteoutOpaque = ".wh..wh..opq"
	whiteoutMeta   = ".wh..wh."
)

// OpaqueXattr marks a directory of an overlayfs layer as opaque: overlayfs
// stops looking into the layers below it for the directory's children.
// Only root (CAP_SYS_ADMIN) may read or set trusted.* xattrs.
const OpaqueXattr = "trusted.overlay.opaque"

// WhiteoutMode says what Apply does with OCI whiteouts (.wh.NAME, .wh..wh..opq).
type WhiteoutMode int

const (
	// OverlayWhiteouts stores them as overlayfs reads them in a lower layer dir:
	// .wh.NAME becomes a character device 0:0 named NAME; .wh..wh..opq sets
	// the xattr trusted.overlay.opaque="y" on its directory. Used by the layer store,
	// where each layer is its own directory and overlayfs stacks them.
	OverlayWhiteouts WhiteoutMode = iota
	// ApplyWhiteouts flattens: deletes NAME (recursively) from dir, and for an
	// opaque dir removes all of its existing children that the layer itself did not
	// add. Used when applying a layer on top of a directory that already holds
	// the lower layers (lab 04, exporting).
	ApplyWhiteouts
)

func (m WhiteoutMode) String() string {
	switch m {
	case OverlayWhiteouts:
		return "OverlayWhiteouts"
	case ApplyWhiteouts:
		return "ApplyWhiteouts"
	}
	return "WhiteoutMode(?)"
}

// Options tune Apply.
type Options struct {
	Whiteouts WhiteoutMode
	Limits    Limits // zero: the defaults (limits.go)
}

// A Change is one line of `docker diff`: Kind 'A' added, 'C' changed, 'D' deleted.
type Change struct {
	Kind byte
	Path string // absolute, "/etc/passwd"
}

func (c Change) String() string { return string(c.Kind) + " " + c.Path }

// ErrNoOpenat2 is returned by Apply on kernels older than 5.6, which lack
// the openat2(2) system call that keeps a layer's paths inside its directory.
var ErrNoOpenat2 = errors.New("openat2(2) is not available: applying layers safely needs Linux 5.6 or newer")

// Clean turns a tar entry name into the path it names below the layer's
// root, without a leading or trailing slash; "" is the root itself. ".."
// cannot climb above the root, exactly as on a real root directory: Docker
// and the kernel's RESOLVE_IN_ROOT both treat "/.." as "/". Clean is lexical
// only; symlinks on the way are the kernel's business (see root_linux.go).
func Clean(name string) string {
	return path.Clean("/" + name)[1:]
}

// A Whiteout is what a whiteout entry of a layer asks for.
type Whiteout struct {
	Dir    string // the directory it applies in, "" for the layer's root
	Name   string // the name it hides; "" for Opaque and for aufs bookkeeping
	Opaque bool   // .wh..wh..opq: hide all that the lower layers hold in Dir
}

// ParseWhiteout reports whether a cleaned entry name is a whiteout, and
// what it hides. aufs's bookkeeping entries (.wh..wh.plnk/...) are whiteouts
// that hide nothing: their Name is empty and they are not Opaque.
func ParseWhiteout(name string) (w Whiteout, ok bool) {
	dir, base := path.Split(name)
	if !strings.HasPrefix(base, WhiteoutPrefix) {
		return Whiteout{}, false
	}
	w.Dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == WhiteoutOpaque:
		w.Opaque = true
	case strings.HasPrefix(base, whiteoutMeta):
	default:
		w.Name = base[len(WhiteoutPrefix):]
	}
	return w, true
}

// IsSparse reports whether the tar stores hdr's file as sparse: the old
// GNU type 'S', or a PAX entry with GNU.sparse.* records (formats 0.0,
// 0.1 and 1.0, which Go's reader expands and all leave their records).
func IsSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

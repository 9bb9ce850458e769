// Package image is mydocker's model of a container image, in the shape
// go-containerregistry gave the ecosystem: an image is a manifest, a config
// and a list of layers, each addressed by the digest of its bytes, and seen
// through a few read-only methods. Where an image comes from (a registry, a
// `docker save` tarball, an OCI layout, mydocker's own store) is a package of
// its own beside this one, and every such medium passes the same conformance
// checker, imagetest.Check.
//
// This file holds the interfaces; types.go the JSON documents of the OCI
// image spec; digest.go the digests; mem.go images built in memory.
package image

import (
	"io"

	"github.com/mydocker/mydocker/mydocker/digest"
)

// Image is a read-only view of one image (one platform's manifest).
type Image interface {
	// RawManifest is the manifest's exact bytes: its digest is the image's.
	RawManifest() ([]byte, error)
	Manifest() (*Manifest, error)
	// MediaType is the manifest's media type (OCI or Docker v2 schema 2).
	MediaType() (string, error)
	// Digest is the digest of RawManifest.
	Digest() (digest.Digest, error)
	// RawConfig is the config blob's exact bytes.
	RawConfig() ([]byte, error)
	ConfigFile() (*ConfigFile, error)
	// ConfigName is the config's digest: Docker's "image ID".
	ConfigName() (digest.Digest, error)
	// Layers are the image's layers, lowest first.
	Layers() ([]Layer, error)
}

// Layer is one layer of an image: a tar of filesystem changes.
type Layer interface {
	// Digest is the digest of the layer as stored and shipped (compressed).
	Digest() (digest.Digest, error)
	// DiffID is the digest of the uncompressed tar, as the config lists it.
	DiffID() (digest.Digest, error)
	// Size is the size of the compressed blob.
	Size() (int64, error)
	MediaType() (string, error)
	// Compressed reads the blob as stored. Readers verify the digest: a
	// mismatch is an error at the end of the stream, never silent.
	Compressed() (io.ReadCloser, error)
	// Uncompressed reads the layer's tar.
	Uncompressed() (io.ReadCloser, error)
}

// Index is a read-only view of an image index (a manifest list): one image
// per platform.
type Index interface {
	RawManifest() ([]byte, error)
	IndexManifest() (*IndexManifest, error)
	MediaType() (string, error)
	Digest() (digest.Digest, error)
	// Image returns the image the index lists under digest d.
	Image(d digest.Digest) (Image, error)
}

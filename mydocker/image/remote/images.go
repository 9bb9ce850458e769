// The image.Image, image.Layer and image.Index a pull returns. Manifest and
// config are in memory, already verified; a layer is only its descriptor
// until someone reads it: Compressed sends GET /v2/NAME/blobs/DIGEST and
// checks the bytes as they stream by. A blob may be redirected to another
// host (S3, a CDN): Go's client follows, and the authTransport sees to it
// that no credentials go along.
//
// These objects keep the context of the call that made them (Image, Get):
// cancelling it stops their downloads too.

package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// newImage fetches and verifies the config of the manifest d, and pairs
// the manifest's layers with the config's DiffIDs.
func (c *client) newImage(ctx context.Context, d *Descriptor) (image.Image, error) {
	name := d.Ref.Familiar()
	m, err := image.ParseManifest(d.Manifest)
	if err != nil {
		return nil, fmt.Errorf("manifest of %s: %w", name, err)
	}
	if err := m.Config.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("manifest of %s: config: %w", name, err)
	}
	if m.Config.Size > maxConfigSize {
		return nil, fmt.Errorf("config of %s is %d bytes, more than the %d mydocker reads", name, m.Config.Size, maxConfigSize)
	}
	rc, err := c.openBlob(ctx, m.Config)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// The limit holds even if the manifest gave no size (-1) to check.
	config, err := io.ReadAll(io.LimitReader(rc, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("config of %s: %w", name, err)
	}
	if len(config) > maxConfigSize {
		return nil, fmt.Errorf("config of %s is more than the %d bytes mydocker reads", name, maxConfigSize)
	}
	cfg, err := image.ParseConfig(config)
	if err != nil {
		return nil, fmt.Errorf("config of %s: %w", name, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("%s is inconsistent: its manifest lists %d layers, its config %d diff_ids", name, len(m.Layers), len(cfg.RootFS.DiffIDs))
	}
	img := &remoteImage{desc: d, m: m, config: config, cfg: cfg}
	for i, l := range m.Layers {
		if err := l.Digest.Validate(); err != nil {
			return nil, fmt.Errorf("manifest of %s: layer %d: %w", name, i, err)
		}
		img.layers = append(img.layers, &remoteLayer{c: c, ctx: ctx, desc: l, diffID: cfg.RootFS.DiffIDs[i]})
	}
	return img, nil
}

// openBlob GETs a blob and verifies it as it is read.
func (c *client) openBlob(ctx context.Context, desc image.Descriptor) (io.ReadCloser, error) {
	if labFetch != nil {
		return labFetch.blob(c, desc)
	}
	return c.openBlobHTTP(ctx, desc)
}

func (c *client) openBlobHTTP(ctx context.Context, desc image.Descriptor) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("/v2/"+c.repo+"/blobs/"+string(desc.Digest)), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, fmt.Errorf("blob %s of %s: %w", desc.Digest, c.name(), err)
	}
	if resp.StatusCode != http.StatusOK {
		e := readError(resp)
		switch {
		case e.Is(ErrNotFound):
			return nil, wrapf(ErrNotFound, e, "blob %s of %s not found: %v", desc.Digest, c.name(), e)
		case e.Is(ErrUnauthorized):
			return nil, wrapf(ErrUnauthorized, e, "blob %s of %s: access denied: %v", desc.Digest, c.name(), e)
		}
		return nil, fmt.Errorf("blob %s of %s: %w", desc.Digest, c.name(), e)
	}
	size, err := c.blobSize(desc, resp)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	// One byte past the size is enough for the verifier to refuse a longer
	// body: never more is pulled from the connection.
	body := &blobBody{rc: resp.Body, r: io.LimitReader(resp.Body, size+1), ctx: ctx, c: c, digest: desc.Digest}
	return digest.VerifyReader(body, desc.Digest, size), nil
}

// blobSize is how many bytes a blob may have: its descriptor's size, which
// a Content-Length must agree with, or, for a descriptor without one
// (Blob with Size -1), the Content-Length. A blob with neither would be a
// read without end: it is refused.
func (c *client) blobSize(desc image.Descriptor, resp *http.Response) (int64, error) {
	cl := resp.ContentLength
	switch {
	case desc.Size >= 0 && cl >= 0 && cl != desc.Size:
		sentinel := digest.ErrDigestMismatch
		if cl > desc.Size {
			sentinel = ErrTooLarge
		}
		return 0, wrapf(sentinel, digest.ErrDigestMismatch, "blob %s of %s: %s announces %d bytes, its descriptor says %d",
			desc.Digest, c.name(), respHost(resp), cl, desc.Size)
	case desc.Size >= 0:
		return desc.Size, nil
	case cl >= 0:
		return cl, nil
	}
	return 0, wrapf(ErrTooLarge, nil, "blob %s of %s: neither its descriptor nor %s says how large it is: refusing a read without end",
		desc.Digest, c.name(), respHost(resp))
}

// name is the repository as users write it: "127.0.0.1:5000/x", "busybox".
func (c *client) name() string {
	return reference.Reference{Registry: c.registry, Repository: c.repo}.FamiliarName()
}

// blobBody names the blob in the errors of a broken download (a reset
// connection, a body shorter than its Content-Length).
type blobBody struct {
	rc     io.ReadCloser
	r      io.Reader // rc, limited
	ctx    context.Context
	c      *client
	digest digest.Digest
}

func (b *blobBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("blob %s: %w", b.digest, netError(b.ctx, b.c.host, err))
	}
	return n, err
}

func (b *blobBody) Close() error { return b.rc.Close() }

// namedReader puts the repository's name in front of a layer's errors,
// once, however many readers (blob, gzip, DiffID check) the error crossed.
type namedReader struct {
	io.ReadCloser
	name string
}

type namedError struct {
	name string
	err  error
}

func (e *namedError) Error() string { return e.name + ": " + e.err.Error() }
func (e *namedError) Unwrap() error { return e.err }

func (r *namedReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	var named *namedError
	if err != nil && err != io.EOF && !errors.As(err, &named) {
		err = &namedError{name: r.name, err: err}
	}
	return n, err
}

type remoteImage struct {
	desc   *Descriptor
	m      *image.Manifest
	config []byte
	cfg    *image.ConfigFile
	layers []image.Layer
}

func (i *remoteImage) RawManifest() ([]byte, error)           { return i.desc.Manifest, nil }
func (i *remoteImage) Manifest() (*image.Manifest, error)     { return i.m, nil }
func (i *remoteImage) MediaType() (string, error)             { return i.desc.MediaType, nil }
func (i *remoteImage) Digest() (digest.Digest, error)         { return i.desc.Digest, nil }
func (i *remoteImage) RawConfig() ([]byte, error)             { return i.config, nil }
func (i *remoteImage) ConfigFile() (*image.ConfigFile, error) { return i.cfg, nil }
func (i *remoteImage) ConfigName() (digest.Digest, error)     { return i.m.Config.Digest, nil }
func (i *remoteImage) Layers() ([]image.Layer, error)         { return i.layers, nil }

type remoteLayer struct {
	c      *client
	ctx    context.Context
	desc   image.Descriptor
	diffID digest.Digest
}

func (l *remoteLayer) Digest() (digest.Digest, error) { return l.desc.Digest, nil }
func (l *remoteLayer) DiffID() (digest.Digest, error) { return l.diffID, nil }
func (l *remoteLayer) Size() (int64, error)           { return l.desc.Size, nil }
func (l *remoteLayer) MediaType() (string, error)     { return l.desc.MediaType, nil }

// Compressed GETs the blob; the reader fails at its end unless the bytes
// hash to the layer's digest and have its size.
func (l *remoteLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.c.openBlob(l.ctx, l.desc)
	if err != nil {
		return nil, err
	}
	return &namedReader{ReadCloser: rc, name: l.c.name()}, nil
}

// Uncompressed decompresses by media type and checks the DiffID. The GET
// waits for the first read, so a layer mydocker cannot decompress (zstd,
// an unknown type) costs no download.
func (l *remoteLayer) Uncompressed() (io.ReadCloser, error) {
	rc, err := image.Uncompress(&lazyReader{open: l.Compressed}, l.desc.MediaType, l.diffID)
	if err != nil {
		return nil, err
	}
	return &namedReader{ReadCloser: rc, name: l.c.name()}, nil
}

// lazyReader opens its source on the first Read.
type lazyReader struct {
	open func() (io.ReadCloser, error)
	rc   io.ReadCloser
	err  error
}

func (r *lazyReader) Read(p []byte) (int, error) {
	if r.rc == nil && r.err == nil {
		r.rc, r.err = r.open()
	}
	if r.err != nil {
		return 0, r.err
	}
	return r.rc.Read(p)
}

func (r *lazyReader) Close() error {
	if r.rc == nil {
		return nil
	}
	return r.rc.Close()
}

type remoteIndex struct {
	d *Descriptor
	m *image.IndexManifest
}

func (x *remoteIndex) RawManifest() ([]byte, error)                 { return x.d.Manifest, nil }
func (x *remoteIndex) IndexManifest() (*image.IndexManifest, error) { return x.m, nil }
func (x *remoteIndex) MediaType() (string, error)                   { return x.d.MediaType, nil }
func (x *remoteIndex) Digest() (digest.Digest, error)               { return x.d.Digest, nil }

// Image fetches the manifest the index lists under d, checked against the
// index's descriptor.
func (x *remoteIndex) Image(d digest.Digest) (image.Image, error) {
	for _, m := range x.m.Manifests {
		if m.Digest != d {
			continue
		}
		child, err := x.d.c.getManifest(x.d.ctx, x.d.Ref, string(d), &m)
		if err != nil {
			return nil, err
		}
		if !image.IsManifest(child.MediaType) {
			return nil, fmt.Errorf("%s: %s is a %s, not an image manifest", x.d.Ref.Familiar(), d, child.MediaType)
		}
		return x.d.c.newImage(x.d.ctx, child)
	}
	return nil, wrapf(ErrNotFound, nil, "the index of %s lists no manifest %s", x.d.Ref.Familiar(), d)
}

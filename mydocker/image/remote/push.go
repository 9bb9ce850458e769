// The push side. An image goes up leaves first: each layer and the config
// is HEADed (a registry that has a blob already, from this image's base or
// an earlier push, is not sent it again), a missing blob is uploaded in one
// piece (POST /v2/NAME/blobs/uploads/ opens an upload session, PUT
// <Location>?digest=… sends the bytes and closes it), and the manifest is
// PUT last, under the tag. The registry checks each blob against the digest
// in the PUT, and the manifest against the blobs it holds, so an upload cut
// short never becomes an image.
//
// Blobs go up three at a time, as Docker's max-concurrent-uploads, streamed
// from Layer.Compressed: a layer is never held in memory whole.

package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// maxConcurrentUploads is Docker's default for --max-concurrent-uploads.
const maxConcurrentUploads = 3

// Write pushes img to ref: its blobs, then its manifest under ref's tag (or,
// for a reference with only a digest, under that digest, which must be the
// image's).
func Write(ctx context.Context, ref reference.Reference, img image.Image, opts Options) error {
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	id, err := pushTarget(ref, raw)
	if err != nil {
		return err
	}
	c, err := newClient(ctx, ref, opts, "pull,push")
	if err != nil {
		return err
	}
	if err := c.writeBlobs(ctx, ref, img); err != nil {
		return err
	}
	return c.putManifest(ctx, ref, id, raw, mt)
}

// WriteIndex pushes every image idx lists (each manifest under its
// digest), then the index under ref's tag.
func WriteIndex(ctx context.Context, ref reference.Reference, idx image.Index, opts Options) error {
	raw, err := idx.RawManifest()
	if err != nil {
		return err
	}
	mt, err := idx.MediaType()
	if err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	id, err := pushTarget(ref, raw)
	if err != nil {
		return err
	}
	c, err := newClient(ctx, ref, opts, "pull,push")
	if err != nil {
		return err
	}
	for _, m := range im.Manifests {
		if !image.IsManifest(m.MediaType) {
			return fmt.Errorf("push %s: %s is a %s: only indexes of image manifests are supported", ref.Familiar(), m.Digest, m.MediaType)
		}
		img, err := idx.Image(m.Digest)
		if err != nil {
			return err
		}
		if err := c.writeBlobs(ctx, ref, img); err != nil {
			return err
		}
		child, err := img.RawManifest()
		if err != nil {
			return err
		}
		if err := c.putManifest(ctx, ref, string(m.Digest), child, m.MediaType); err != nil {
			return err
		}
	}
	return c.putManifest(ctx, ref, id, raw, mt)
}

// pushTarget is what the manifest is PUT under: the tag, else the digest,
// which must then be the manifest's own.
func pushTarget(ref reference.Reference, raw []byte) (string, error) {
	if d := digest.FromBytes(raw); ref.Digest != "" && ref.Digest != d {
		return "", fmt.Errorf("push %s: the reference names %s, but the manifest is %s", ref.Familiar(), ref.Digest, d)
	}
	return ref.Identifier(), nil
}

// blob is one thing to upload: its descriptor and how to read it.
type blob struct {
	desc image.Descriptor
	open func() (io.ReadCloser, error)
}

// writeBlobs uploads img's layers and config, maxConcurrentUploads at a
// time; the first failure cancels the others.
func (c *client) writeBlobs(ctx context.Context, ref reference.Reference, img image.Image) error {
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	if len(layers) != len(m.Layers) {
		return fmt.Errorf("push %s: the manifest lists %d layers, the image has %d", ref.Familiar(), len(m.Layers), len(layers))
	}
	config, err := img.RawConfig()
	if err != nil {
		return err
	}
	var blobs []blob
	for i, l := range layers {
		if d, err := l.Digest(); err != nil || d != m.Layers[i].Digest {
			return fmt.Errorf("push %s: layer %d is %s, but the manifest lists %s (%v)", ref.Familiar(), i, d, m.Layers[i].Digest, err)
		}
		blobs = append(blobs, blob{m.Layers[i], l.Compressed})
	}
	blobs = append(blobs, blob{m.Config, func() (io.ReadCloser, error) {
		return digest.VerifyReader(io.NopCloser(bytes.NewReader(config)), m.Config.Digest, m.Config.Size), nil
	}})

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, maxConcurrentUploads)
	var wg sync.WaitGroup
	seen := map[digest.Digest]bool{}
	for _, b := range blobs {
		if seen[b.desc.Digest] {
			continue // the same layer twice in one image goes up once
		}
		seen[b.desc.Digest] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			if err := c.uploadBlob(ctx, ref, b); err != nil {
				cancel(err) // the first cause wins; later ones are its echoes
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}

// uploadBlob HEADs one blob and uploads it if the registry lacks it.
func (c *client) uploadBlob(ctx context.Context, ref reference.Reference, b blob) error {
	d, size := b.desc.Digest, b.desc.Size
	exists, err := c.blobExists(ctx, ref, d)
	if err != nil {
		return err
	}
	if exists {
		c.progress(Event{Digest: d, Action: ActionExists, Done: size, Total: size})
		return nil
	}
	loc, err := c.startUpload(ctx, ref)
	if err != nil {
		return err
	}
	q := loc.Query() // keep the session's own parameters (_state, …)
	q.Set("digest", string(d))
	loc.RawQuery = q.Encode()

	rc, err := b.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var body io.Reader = &progressReader{r: rc, c: c, digest: d, total: size}
	if size == 0 {
		body = http.NoBody
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, loc.String(), body)
	if err != nil {
		return err
	}
	req.ContentLength = size // streamed, not buffered: the length must be told
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.do(req)
	if err != nil {
		return fmt.Errorf("push %s: upload blob %s: %w", ref.Familiar(), d, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return pushError(ref, "upload blob "+string(d), readError(resp))
	}
	resp.Body.Close()
	c.progress(Event{Digest: d, Action: ActionPushed, Done: size, Total: size})
	return nil
}

func (c *client) blobExists(ctx context.Context, ref reference.Reference, d digest.Digest) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.url("/v2/"+c.repo+"/blobs/"+string(d)), nil)
	if err != nil {
		return false, err
	}
	resp, err := c.do(req)
	if err != nil {
		return false, fmt.Errorf("push %s: check blob %s: %w", ref.Familiar(), d, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		resp.Body.Close()
		return true, nil
	case http.StatusNotFound:
		resp.Body.Close()
		return false, nil
	}
	return false, pushError(ref, "check blob "+string(d), readError(resp))
}

// startUpload opens an upload session and returns its URL, resolved
// against the request's: registries may answer a path or a full URL.
func (c *client) startUpload(ctx context.Context, ref reference.Reference) (*url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url("/v2/"+c.repo+"/blobs/uploads/"), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, fmt.Errorf("push %s: start upload: %w", ref.Familiar(), err)
	}
	if resp.StatusCode != http.StatusAccepted {
		return nil, pushError(ref, "start upload", readError(resp))
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return nil, fmt.Errorf("push %s: the registry opened an upload without a usable Location (%q)", ref.Familiar(), resp.Header.Get("Location"))
	}
	return resp.Request.URL.ResolveReference(loc), nil
}

// putManifest PUTs a manifest or index under id, a tag or digest.
func (c *client) putManifest(ctx context.Context, ref reference.Reference, id string, raw []byte, mediaType string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.url("/v2/"+c.repo+"/manifests/"+id), bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mediaType)
	resp, err := c.do(req)
	if err != nil {
		return fmt.Errorf("push %s: manifest: %w", ref.Familiar(), err)
	}
	if resp.StatusCode != http.StatusCreated {
		return pushError(ref, "manifest "+id, readError(resp))
	}
	resp.Body.Close()
	want := digest.FromBytes(raw)
	if got := resp.Header.Get("Docker-Content-Digest"); got != "" && digest.Digest(got) != want {
		return fmt.Errorf("push %s: %w: the registry stored the manifest as %s, we sent %s", ref.Familiar(), digest.ErrDigestMismatch, got, want)
	}
	c.progress(Event{Digest: want, Action: ActionPushed, Done: int64(len(raw)), Total: int64(len(raw))})
	return nil
}

func pushError(ref reference.Reference, what string, e *Error) error {
	if e.Is(ErrUnauthorized) {
		return wrapf(ErrUnauthorized, e, "push access denied for %s (%s): %v: did you 'mydocker login %s'?", ref.FamiliarName(), what, e, ref.Registry)
	}
	return fmt.Errorf("push %s: %s: %w", ref.Familiar(), what, e)
}

// progressReader reports how much of a blob has been read for upload.
type progressReader struct {
	r      io.Reader
	c      *client
	digest digest.Digest
	done   int64
	total  int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done += int64(n)
		p.c.progress(Event{Digest: p.digest, Action: ActionPushing, Done: p.done, Total: p.total})
	}
	return n, err
}

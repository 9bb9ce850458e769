//go:build lab05 && reference

package remote

import (
	"context"
	"io"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// Lab 05's reference, the engine's own requests, wired through the lab's
// seam: CI builds it into the engine to prove the seam.
func labManifest(c *client, id string) ([]byte, string, error) {
	ref := reference.Reference{Registry: c.registry, Repository: c.repo}
	body, h, err := c.fetchManifestHTTP(context.Background(), ref, id)
	if err != nil {
		return nil, "", err
	}
	return body, h.Get("Content-Type"), nil
}

func labBlob(c *client, d digest.Digest) ([]byte, error) {
	rc, err := c.openBlobHTTP(context.Background(), image.Descriptor{Digest: d, Size: -1})
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

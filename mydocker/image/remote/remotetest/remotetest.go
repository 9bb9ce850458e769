// Package remotetest checks a registry fetcher: the two requests at the
// heart of every pull, a manifest by tag and a blob by digest, against a
// real registry (Debian's docker-registry on 127.0.0.1, started by
// registrytest) that demands a Bearer token: its 401 names the token
// server, the service and the scope, and a gate in front of it
// (registrytest.TokenGate) lets through only a token issued for that
// scope. The engine's remote package and lab 05 pass the same checker.
package remotetest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// Fetcher is the code under test. host is "127.0.0.1:PORT" and speaks plain
// HTTP; repo is "lab"; tag "1".
type Fetcher struct {
	// Manifest returns the manifest's bytes, exactly as the registry keeps
	// them, and its media type.
	Manifest func(host, repo, tag string) ([]byte, string, error)
	// Blob returns the blob's bytes, and an error if they do not hash to d.
	Blob func(host, repo string, d digest.Digest) ([]byte, error)
}

// Check pushes fixture images with the engine's own push, then has f fetch
// them back, and breaks the registry (a corrupt blob) to see f notice.
func Check(t *testing.T, f Fetcher) {
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Token})
	oci := imagetest.Image(t, "lab", 2)
	docker := imagetest.DockerImage(t, "lab-docker", 2)
	push(t, reg.Host+"/lab:1", oci)
	push(t, reg.Host+"/lab:docker", docker)
	gate := registrytest.NewTokenGate(t, reg)
	host := gate.Host

	if !t.Run("token flow", func(t *testing.T) { checkTokenFlow(t, f, reg, gate) }) {
		return // every other request needs a token too
	}

	for _, tt := range []struct {
		name, tag string
		img       image.Image
	}{{"OCI manifest", "1", oci}, {"Docker manifest", "docker", docker}} {
		t.Run(tt.name, func(t *testing.T) {
			raw, mt, err := f.Manifest(host, "lab", tt.tag)
			if err != nil {
				t.Fatalf("Manifest(%q, lab, %s) = %v: send an Accept header listing every manifest type "+
					"(registry 2.8 answers 404 for an OCI manifest it was not asked for)", host, tt.tag, err)
			}
			want, _ := tt.img.RawManifest()
			wantMT, _ := tt.img.MediaType()
			if !bytes.Equal(raw, want) {
				t.Errorf("Manifest returned %d bytes that are not the manifest pushed (%s)", len(raw), digest.FromBytes(want))
			}
			if mt != wantMT {
				t.Errorf("media type = %q, want %q (the Content-Type header)", mt, wantMT)
			}
		})
	}
	t.Run("blobs", func(t *testing.T) {
		m, _ := oci.Manifest()
		for _, d := range append([]image.Descriptor{m.Config}, m.Layers...) {
			data, err := f.Blob(host, "lab", d.Digest)
			if err != nil {
				t.Fatalf("Blob(%s) = %v", d.Digest, err)
			}
			if got := digest.FromBytes(data); got != d.Digest {
				t.Errorf("Blob(%s) returned bytes hashing to %s", d.Digest, got)
			}
		}
	})
	t.Run("verifies digests", func(t *testing.T) {
		proxy := registrytest.NewFaultProxy(t, reg)
		m, _ := oci.Manifest()
		bad := m.Layers[0].Digest
		proxy.Set(registrytest.Faults{CorruptBlob: bad})
		data, err := f.Blob(proxy.Host, "lab", bad)
		if err == nil {
			t.Errorf("Blob(%s) through a registry that flips a byte returned %d bytes and no error: "+
				"hash what you read and compare it with the digest you asked for", bad, len(data))
		}
	})
	t.Run("not found", func(t *testing.T) {
		if _, _, err := f.Manifest(host, "lab", "nope"); err == nil {
			t.Errorf("Manifest of a tag that does not exist returned no error: check the HTTP status")
		}
	})
}

// checkTokenFlow has f fetch a manifest from a registry that answers 401
// until it gets a token for the scope it names, and says which step of the
// exchange is missing if f fails.
func checkTokenFlow(t *testing.T, f Fetcher, reg *registrytest.Registry, gate *registrytest.TokenGate) {
	host := gate.Host
	reg.Tokens.Reset()
	passed := gate.Passed()
	_, _, err := f.Manifest(host, "lab", "1")
	if err == nil || gate.Passed() > passed {
		return // the token got through; what else is wrong, the next subtests say
	}
	want := "repository:lab:pull"
	asked := reg.Tokens.Scopes()
	switch {
	case len(asked) == 0:
		t.Fatalf("Manifest(%q, lab, 1) = %v, and the token server was never asked: the registry answers 401 with "+
			"WWW-Authenticate: Bearer realm=\"...\",service=\"...\",scope=\"...\"; GET the realm with service and scope "+
			"as query parameters, and retry with Authorization: Bearer TOKEN", host, err)
	case !contains(asked, want):
		t.Fatalf("Manifest(%q, lab, 1) = %v: the token server was asked for scope %q, want %q: ask for the scope the challenge names",
			host, err, asked, want)
	default:
		t.Fatalf("Manifest(%q, lab, 1) = %v, though the token server gave a token for %s: retry the request with it, "+
			"as Authorization: Bearer TOKEN (the answer's \"token\", or \"access_token\")", host, err, want)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func push(t *testing.T, name string, img image.Image) {
	t.Helper()
	ref, err := reference.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(context.Background(), ref, img, remote.Options{}); err != nil {
		t.Fatalf("push fixture %s: %v", name, err)
	}
}

// Engine is the engine's own fetcher, built from package remote: the
// reference implementation of lab 05.
var Engine = Fetcher{
	Manifest: func(host, repo, tag string) ([]byte, string, error) {
		ref, err := reference.Parse(host + "/" + repo + ":" + tag)
		if err != nil {
			return nil, "", err
		}
		d, err := remote.Get(context.Background(), ref, remote.Options{})
		if err != nil {
			return nil, "", err
		}
		return d.Manifest, d.MediaType, nil
	},
	Blob: func(host, repo string, d digest.Digest) ([]byte, error) {
		ref, err := reference.Parse(host + "/" + repo)
		if err != nil {
			return nil, err
		}
		rc, err := remote.Blob(context.Background(), ref, image.Descriptor{Digest: d, Size: -1}, remote.Options{})
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	},
}

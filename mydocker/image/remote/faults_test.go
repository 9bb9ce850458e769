package remote_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// TestFaults breaks one thing at a time between client and registry,
// checks the error says what broke, then mends it and pulls again: the
// client keeps no state, so the same call now succeeds.
func TestFaults(t *testing.T) {
	proxy, ref, m := behindFaultProxy(t, "faulty", "faults")
	layer, config := m.Layers[1].Digest, m.Config.Digest

	tests := []struct {
		name   string
		faults registrytest.Faults
		is     error  // errors.Is, if not nil
		says   string // part of the message
	}{
		{"corrupt layer", registrytest.Faults{CorruptBlob: layer}, digest.ErrDigestMismatch, string(layer)},
		{"corrupt config", registrytest.Faults{CorruptBlob: config}, digest.ErrDigestMismatch, string(config)},
		{"truncated layer", registrytest.Faults{TruncateBlob: layer}, digest.ErrDigestMismatch, "truncated"},
		{"unknown manifest type", registrytest.Faults{ManifestType: "application/vnd.example.manifest.v9+json"},
			nil, "manifest of " + ref.Familiar() + ": unknown media type application/vnd.example.manifest.v9+json"},
		{"server error", registrytest.Faults{Status: http.StatusInternalServerError}, nil, "HTTP 500"},
		{"server error on blobs", registrytest.Faults{Status: http.StatusServiceUnavailable, Match: "/blobs/"}, nil,
			"blob " + string(config) + " of " + ref.FamiliarName() + ": injected fault (HTTP 503 Service Unavailable)"},
		{"dropped connections", registrytest.Faults{Drop: true}, nil, "the registry at " + proxy.Host + " closed the connection: EOF"},
		{"dropped blob connections", registrytest.Faults{Drop: true, Match: "/blobs/"}, nil, "blob " + string(config) + " of " + ref.FamiliarName()},
		{"registry down", registrytest.Faults{Down: true}, remote.ErrUnreachable, "the registry at " + proxy.Host + " is not reachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy.Set(tt.faults)
			_, err := pullAll(ref, remote.Options{})
			t.Logf("error: %v", err)
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("pull with %+v: error %v, want one saying %q", tt.faults, err, tt.says)
			}
			proxy.Set(registrytest.Faults{})
			if _, err := pullAll(ref, remote.Options{}); err != nil {
				t.Errorf("pull once the fault is gone: %v", err)
			}
		})
	}

	// A manifest the registry sends for a digest must hash to it.
	t.Run("missing image", func(t *testing.T) {
		missing := registrytest.MustParse(t, proxy.Host+"/faulty:nope")
		_, err := remote.Image(context.Background(), missing, remote.Options{})
		if !errors.Is(err, remote.ErrNotFound) || !strings.Contains(err.Error(), "manifest for "+missing.Familiar()+" not found") {
			t.Errorf("Image(%s) error = %v, want ErrNotFound naming it", missing, err)
		}
	})
}

// TestRedirectKeepsCredentials: blobs redirected elsewhere, as registries
// send them to object storage, must arrive without our Authorization, both
// on another host and on another port of the same host (where Go's own
// redirect rule would forward it).
func TestRedirectKeepsCredentials(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Token})
	proxy := registrytest.NewFaultProxy(t, reg)
	ref := registrytest.MustParse(t, proxy.Host+"/redirected:1")
	require.NoError(t, remote.Write(context.Background(), ref, registrytest.Image(t, "redirect", amd64), remote.Options{}))
	if proxy.Blobs.OtherHost == "" {
		t.Log("127.0.0.2 cannot be bound here: RedirectOtherHost uses another port of 127.0.0.1")
	}

	for _, where := range []registrytest.Redirect{registrytest.RedirectOtherHost, registrytest.RedirectOtherPort} {
		proxy.Set(registrytest.Faults{Redirect: where})
		before := len(proxy.Blobs.Gets())
		_, err := pullAll(ref, remote.Options{})
		require.NoError(t, err)
		gets := proxy.Blobs.Gets()[before:]
		if len(gets) < 4 { // config and 3 layers, each twice (compressed, uncompressed)
			t.Fatalf("redirect %d: the blob host served %d requests, want the blobs", where, len(gets))
		}
		for _, g := range gets {
			if g.Authorization != "" {
				t.Errorf("redirect %d: blob GET to %s carried Authorization %q", where, g.Host, g.Authorization)
			}
		}
	}
	proxy.Set(registrytest.Faults{})

	// The registry itself did get credentials, or the test proves nothing.
	authorized := false
	for _, r := range proxy.Requests() {
		if strings.Contains(r.Path, "/blobs/") && strings.HasPrefix(r.Authorization, "Bearer ") {
			authorized = true
		}
	}
	if !authorized {
		t.Errorf("no blob request to the registry carried a Bearer token")
	}

	// The hazard being guarded against: Go's client alone copies a header
	// set on the request to another port of the same host name.
	proxy.Set(registrytest.Faults{Redirect: registrytest.RedirectOtherPort})
	defer proxy.Set(registrytest.Faults{})
	m, _ := registrytest.Image(t, "redirect", amd64).Manifest()
	req, _ := http.NewRequest(http.MethodGet, "http://"+proxy.Host+"/v2/redirected/blobs/"+string(m.Layers[0].Digest), nil)
	req.Header.Set("Authorization", "Bearer secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	gets := proxy.Blobs.Gets()
	if last := gets[len(gets)-1]; last.Authorization != "Bearer secret" {
		t.Logf("Go's client no longer forwards Authorization to another port (got %q): checkRedirect's rule is now Go's own", last.Authorization)
	}
}

// behindFaultProxy pushes a fixture image (from seed) as repo:1 to a fresh
// registry, and returns the fault proxy in front of it, the image's name
// through the proxy, and its manifest.
func behindFaultProxy(t *testing.T, repo, seed string) (*registrytest.FaultProxy, reference.Reference, *image.Manifest) {
	t.Helper()
	reg := registrytest.Start(t, registrytest.Options{})
	proxy := registrytest.NewFaultProxy(t, reg)
	ref := registrytest.MustParse(t, proxy.Host+"/"+repo+":1")
	img := registrytest.Image(t, seed, amd64)
	require.NoError(t, remote.Write(context.Background(), ref, img, remote.Options{}))
	m, err := img.Manifest()
	require.NoError(t, err)
	return proxy, ref, m
}

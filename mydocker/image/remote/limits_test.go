package remote_test

// A registry that answers without end, or stops answering, through the
// fault proxy in front of a real registry: each is one error naming the
// server and what it did, never a hang and never unbounded memory.

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// backstop ends a test call that the client failed to end itself: with it
// a missing timeout fails the test instead of hanging it. It bounds
// nothing the tests assert.
const backstop = 2 * time.Minute

// pullWithin is pullAll with a context: the layers' reads use it too.
func pullWithin(ctx context.Context, ref reference.Reference, opts remote.Options) error {
	img, err := remote.Image(ctx, ref, opts)
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// TestBodyLimits: every answer is read up to a limit. Docker and
// containerd refuse manifests over 4 MiB; a blob is read up to its
// descriptor's size; the ping and a token answer are small documents.
func TestBodyLimits(t *testing.T) {
	t.Setenv("MYDOCKER_CONFIG", t.TempDir())
	proxy, ref, m := behindFaultProxy(t, "limits", "limits")
	layer, config := m.Layers[0], m.Config

	pull := func(ctx context.Context) error { return pullWithin(ctx, ref, remote.Options{}) }
	tests := []struct {
		name   string
		faults registrytest.Faults
		call   func(context.Context) error
		is     error
		says   string
	}{
		{"endless manifest", registrytest.Faults{Endless: "/manifests/"}, pull, remote.ErrTooLarge,
			"the manifest of " + ref.Familiar() + " from " + proxy.Host + " is larger than 4 MiB"},
		{"endless ping", registrytest.Faults{Endless: "/v2/"}, pull, remote.ErrTooLarge,
			"the answer to GET /v2/ from " + proxy.Host + " is larger than 64 KiB"},
		{"endless blob", registrytest.Faults{Endless: "/blobs/"}, pull, digest.ErrDigestMismatch,
			string(config.Digest) + " is longer than its"},
		{"endless blob of unknown size", registrytest.Faults{Endless: "/blobs/"}, func(ctx context.Context) error {
			rc, err := remote.Blob(ctx, ref, image.Descriptor{Digest: layer.Digest, Size: -1}, remote.Options{})
			if err == nil {
				_, err = io.Copy(io.Discard, rc)
				rc.Close()
			}
			return err
		}, remote.ErrTooLarge, "refusing a read without end"},
		// A login's check reads GET /v2/ to its end: an endless one used to
		// be read for ever, and the login stored.
		{"endless login", registrytest.Faults{Endless: "/v2/"}, func(ctx context.Context) error {
			return remote.Login(ctx, proxy.Host, "alice", "pw", remote.Options{})
		}, remote.ErrTooLarge, "larger than 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy.Set(tt.faults)
			defer proxy.Set(registrytest.Faults{})
			ctx, cancel := context.WithTimeout(context.Background(), backstop)
			defer cancel()
			err := tt.call(ctx)
			t.Logf("error: %v", err)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("%+v: error %v, want %v saying %q", tt.faults, err, tt.is, tt.says)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("MYDOCKER_CONFIG"), "config.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused login stored credentials: %v", err)
	}
	if err := pullWithin(context.Background(), ref, remote.Options{}); err != nil {
		t.Errorf("pull once the faults are gone: %v", err)
	}
}

// TestTimeouts: a server that stops answering is an error after the
// timeout, naming the server and the request. Docker and containerd bound
// the connect and the TLS handshake; containerd's CRI cancels a pull that
// makes no progress (image_pull_progress_timeout), the stall here.
func TestTimeouts(t *testing.T) {
	proxy, ref, m := behindFaultProxy(t, "slow", "slow")
	layer := m.Layers[1].Digest
	// Small enough for a quick test, large enough that a loaded machine's
	// registry is never that slow on loopback.
	opts := remote.Options{Timeouts: remote.Timeouts{ResponseHeader: 2 * time.Second, Stall: 2 * time.Second}}

	tests := []struct {
		name   string
		faults registrytest.Faults
		says   string
	}{
		{"no answer to the ping", registrytest.Faults{Hang: "/v2/"},
			"the registry at " + proxy.Host + " sent no answer to GET /v2/ within 2s"},
		{"no answer to the manifest", registrytest.Faults{Hang: "/manifests/"},
			"the registry at " + proxy.Host + " sent no answer to GET /v2/slow/manifests/1 within 2s"},
		{"manifest stalls", registrytest.Faults{Stall: "/manifests/"},
			"the registry at " + proxy.Host + " stalled: no data for 2s while answering GET /v2/slow/manifests/1"},
		{"layer stalls", registrytest.Faults{Stall: string(layer)},
			"blob " + string(layer) + ": the registry at " + proxy.Host + " stalled: no data for 2s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy.Set(tt.faults)
			defer proxy.Set(registrytest.Faults{})
			ctx, cancel := context.WithTimeout(context.Background(), backstop)
			defer cancel()
			err := pullWithin(ctx, ref, opts)
			t.Logf("error: %v", err)
			if !errors.Is(err, remote.ErrTimeout) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("pull with %+v: error %v, want ErrTimeout saying %q", tt.faults, err, tt.says)
			}
		})
	}
	if err := pullWithin(context.Background(), ref, opts); err != nil {
		t.Errorf("pull once the faults are gone: %v", err)
	}
}

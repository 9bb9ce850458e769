package remote

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// silentListener accepts connections and never reads or writes on them,
// until the test ends. It returns its address.
func silentListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}

// TestTLSHandshakeTimeout: a server that accepts the connection and never
// answers the ClientHello; Docker and containerd give the handshake 10 s.
func TestTLSHandshakeTimeout(t *testing.T) {
	host := silentListener(t)
	p := newRequestPolicy(Options{Timeouts: Timeouts{TLSHandshake: time.Second}}, host)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a backstop only
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/v2/", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.RoundTrip(req)
	t.Logf("error: %v", err)
	want := "the registry at " + host + " did not complete the TLS handshake within 1s"
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), want) {
		t.Errorf("GET from a server silent after connect = %v, want ErrTimeout saying %q", err, want)
	}
}

// zeros is an endless source of zero bytes: an upload as large as wanted
// without holding it in memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestUploadStall: a registry that stops taking an upload (accepts the
// connection, never reads) is an error after the stall timeout, as a
// download that stops is; Go's transport alone would wait for ever once
// the socket buffers are full.
func TestUploadStall(t *testing.T) {
	host := silentListener(t)
	p := newRequestPolicy(Options{Timeouts: Timeouts{Stall: time.Second}}, host)
	// A backstop only: without the write deadline the PUT would block for
	// ever; with it this bounds nothing the test asserts.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+host+"/v2/app/blobs/uploads/1", io.LimitReader(zeros{}, 1<<40))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.RoundTrip(req)
	t.Logf("error: %v", err)
	want := "the registry at " + host + " stopped taking the request of PUT /v2/app/blobs/uploads/1 for 1s"
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), want) {
		t.Errorf("PUT to a server that never reads = %v, want ErrTimeout saying %q", err, want)
	}
}

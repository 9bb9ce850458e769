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

// zeros is an endless source of zero bytes: an upload as large as wanted
// without holding it in memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestUploadStall: a registry that stops taking an upload (accepts the
// connection, never reads) is an error after the stall timeout, as a
// download that stops is; Go's transport alone would wait for ever once
// the socket buffers are full.
func TestUploadStall(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never read, until the test ends
		}
	}()
	host := ln.Addr().String()
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

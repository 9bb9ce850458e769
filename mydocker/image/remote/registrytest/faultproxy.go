// FaultProxy: a reverse proxy in front of a Registry that breaks what a
// test asks it to break, and stops when told to, so a test can show both
// the error a fault causes and the same call succeeding once it is gone:
//
//	p := registrytest.NewFaultProxy(t, reg)
//	ref := registrytest.MustParse(t, p.Host+"/app:1")
//	p.Set(registrytest.Faults{CorruptBlob: layerDigest})
//	_, err := readLayer(ref)        // digest mismatch naming layerDigest
//	p.Set(registrytest.Faults{})
//	_, err = readLayer(ref)         // nil
//
// Faults act on the wire, as a broken disk, network or CDN would: a
// flipped byte, a short body, a wrong Content-Type, a 500, a reset
// connection, a refused one; or as a hostile or hung server would: a body
// that never ends, a request never answered, a body that stops half-way.
// Redirect sends blob GETs to a BlobHost on another address, as registries
// send them to S3, and the BlobHost records whether credentials came along.

package registrytest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
)

// Faults is what the proxy breaks; the zero value breaks nothing.
type Faults struct {
	CorruptBlob  digest.Digest // flip one byte in the middle of this blob's GET body
	TruncateBlob digest.Digest // end this blob's GET body at half its length
	ManifestType string        // answer manifest requests with this Content-Type
	Status       int           // answer every request with this status (500, 503…)
	Drop         bool          // close every connection without answering
	Match        string        // if set, Status and Drop hit only paths containing it ("/blobs/")
	Down         bool          // stop listening: connections are refused
	Redirect     Redirect      // redirect blob GETs to the BlobHost
	// Paths containing these (any, if "/v2/") are answered so:
	Endless string // 200 and a body without end (it stops at EndlessLimit, so that a client without a limit fails instead of hanging)
	Hang    string // nothing: the request is read and the connection kept, silent
	Stall   string // the headers and half of the body, then silence
}

// EndlessLimit is where an Endless body gives up: far beyond any limit of
// the client's, and still quick to send over loopback.
const EndlessLimit = 1 << 30

// Redirect chooses where blob GETs are sent.
type Redirect int

const (
	NoRedirect Redirect = iota
	// RedirectOtherHost sends them to 127.0.0.2 (another host name), or, if
	// that address cannot be bound here, to another port of 127.0.0.1.
	RedirectOtherHost
	// RedirectOtherPort sends them to another port of 127.0.0.1: the same
	// host name, where Go's client would keep Authorization.
	RedirectOtherPort
)

// Request is one request the proxy received.
type Request struct {
	Method, Path  string
	Authorization string
}

// FaultProxy is a reverse proxy in front of a registry.
type FaultProxy struct {
	Host  string    // "127.0.0.1:PORT": put it in references instead of the registry's
	Blobs *BlobHost // where Redirect sends blob GETs

	t      testing.TB
	rp     *httputil.ReverseProxy
	target *url.URL

	mu       sync.Mutex
	faults   Faults
	requests []Request
	srv      *http.Server // nil while Down
}

// NewFaultProxy starts a proxy in front of r; it stops when the test ends.
func NewFaultProxy(t testing.TB, r *Registry) *FaultProxy {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: r.Addr}
	p := &FaultProxy{t: t, target: target, Blobs: startBlobHost(t)}
	p.rp = &httputil.ReverseProxy{
		// Keep the Host header: the registry builds upload Locations from
		// it, and they must point back at the proxy.
		Rewrite:        func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.Out.Host = pr.In.Host },
		ModifyResponse: p.modify,
		FlushInterval:  -1, // every write goes out at once: a Stall shows on the wire where it happens
		// Broken bodies are what the proxy is for: not worth a log line.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	p.Host = freePort(t, "127.0.0.1")
	p.listen()
	t.Cleanup(func() { p.Set(Faults{Down: true}) })
	return p
}

// Set replaces the faults; Faults{} turns them all off.
func (p *FaultProxy) Set(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
	switch {
	case f.Down && p.srv != nil:
		p.srv.Close() // closes the listener and every connection
		p.srv = nil
	case !f.Down && p.srv == nil:
		p.listenLocked()
	}
}

func (p *FaultProxy) listen() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listenLocked()
}

func (p *FaultProxy) listenLocked() {
	ln, err := net.Listen("tcp", p.Host)
	if err != nil {
		p.t.Fatalf("fault proxy: listen again on %s: %v", p.Host, err)
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve)}
	go p.srv.Serve(ln)
}

// Requests returns the requests received so far.
func (p *FaultProxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

func (p *FaultProxy) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	f := p.faults
	p.requests = append(p.requests, Request{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization")})
	p.mu.Unlock()
	hit := f.Match == "" || strings.Contains(r.URL.Path, f.Match)
	switch {
	case f.Drop && hit:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // the server closes the connection
	case f.Status != 0 && hit:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, `{"errors":[{"code":"UNKNOWN","message":"injected fault"}]}`)
	case f.Redirect != NoRedirect && r.Method == http.MethodGet && isBlob(r.URL.Path):
		p.redirect(w, r, f.Redirect)
	case f.Endless != "" && strings.Contains(r.URL.Path, f.Endless):
		endless(w, r)
	case f.Hang != "" && strings.Contains(r.URL.Path, f.Hang):
		<-r.Context().Done() // the client gave up, or the proxy stopped
	default:
		p.rp.ServeHTTP(w, r)
	}
}

func isBlob(p string) bool {
	return strings.HasPrefix(p, "/v2/") && path.Base(path.Dir(p)) == "blobs" && strings.HasPrefix(path.Base(p), "sha256:")
}

// modify applies the faults that change a response on its way back.
func (p *FaultProxy) modify(resp *http.Response) error {
	p.mu.Lock()
	f := p.faults
	p.mu.Unlock()
	req := resp.Request
	if f.ManifestType != "" && strings.Contains(req.URL.Path, "/manifests/") {
		resp.Header.Set("Content-Type", f.ManifestType)
	}
	if f.Stall != "" && strings.Contains(req.URL.Path, f.Stall) && req.Method == http.MethodGet {
		resp.Body = &stallReader{rc: resp.Body, left: max(resp.ContentLength/2, 1), done: req.Context().Done()}
	}
	if req.Method != http.MethodGet || resp.StatusCode != http.StatusOK || !isBlob(req.URL.Path) {
		return nil
	}
	d := digest.Digest(path.Base(req.URL.Path))
	half := resp.ContentLength / 2
	switch d {
	case f.CorruptBlob:
		resp.Body = &flipReader{rc: resp.Body, at: half}
	case f.TruncateBlob:
		// Without a Content-Length the short body ends cleanly, chunked: only
		// the digest and size can tell the client it is short.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, half), resp.Body}
		resp.ContentLength = -1
		resp.Header.Del("Content-Length")
	}
	return nil
}

// endless answers 200 with a body of spaces (valid JSON whitespace, so
// that only a limit stops a parser) until the client goes away.
func endless(w http.ResponseWriter, r *http.Request) {
	ct := "application/octet-stream"
	if strings.Contains(r.URL.Path, "/manifests/") {
		ct = "application/vnd.oci.image.manifest.v1+json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	chunk := []byte(strings.Repeat(" ", 64<<10))
	for sent := 0; sent < EndlessLimit; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return // the client stopped reading
		}
	}
}

// stallReader passes left bytes, then blocks until done.
type stallReader struct {
	rc   io.ReadCloser
	left int64
	done <-chan struct{}
}

func (s *stallReader) Read(b []byte) (int, error) {
	if s.left <= 0 {
		<-s.done
		return 0, io.ErrUnexpectedEOF
	}
	n, err := s.rc.Read(b[:min(int64(len(b)), s.left)])
	s.left -= int64(n)
	return n, err
}

func (s *stallReader) Close() error { return s.rc.Close() }

// flipReader inverts the byte at offset at.
type flipReader struct {
	rc  io.ReadCloser
	at  int64
	off int64
}

func (f *flipReader) Read(b []byte) (int, error) {
	n, err := f.rc.Read(b)
	if f.at >= f.off && f.at < f.off+int64(n) {
		b[f.at-f.off] ^= 0xff
	}
	f.off += int64(n)
	return n, err
}

func (f *flipReader) Close() error { return f.rc.Close() }

// redirect fetches the blob from the registry with the caller's own
// headers (so any auth mode works), parks it at the BlobHost, and answers
// 307 to it, like a registry sending a client to pre-signed storage.
func (p *FaultProxy) redirect(w http.ResponseWriter, r *http.Request, where Redirect) {
	up, err := http.NewRequestWithContext(r.Context(), http.MethodGet, p.target.String()+r.URL.Path, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	up.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(up)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		return
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	host := p.Blobs.OtherPort
	if where == RedirectOtherHost && p.Blobs.OtherHost != "" {
		host = p.Blobs.OtherHost
	}
	key := p.Blobs.park(body)
	http.Redirect(w, r, "http://"+host+"/storage/"+key+"?X-Signature=test", http.StatusTemporaryRedirect)
}

// BlobHost serves parked blobs on two addresses and records who asked.
type BlobHost struct {
	OtherHost string // "127.0.0.2:PORT"; "" if 127.0.0.2 cannot be bound here
	OtherPort string // "127.0.0.1:PORT", another port of the registry's host

	mu    sync.Mutex
	blobs map[string][]byte
	gets  []BlobGet
}

// BlobGet is one request the BlobHost served.
type BlobGet struct {
	Host          string // the address it came to
	Authorization string // the header as received; "" if none
}

func startBlobHost(t testing.TB) *BlobHost {
	b := &BlobHost{blobs: map[string][]byte{}}
	for _, ip := range []string{"127.0.0.2", "127.0.0.1"} {
		ln, err := net.Listen("tcp", ip+":0")
		if err != nil {
			continue // 127.0.0.2 may be missing where lo is configured narrowly
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(b.serve))
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
		if ip == "127.0.0.2" {
			b.OtherHost = ln.Addr().String()
		} else {
			b.OtherPort = ln.Addr().String()
		}
	}
	return b
}

func (b *BlobHost) park(data []byte) string {
	var k [8]byte
	rand.Read(k[:])
	key := hex.EncodeToString(k[:])
	b.mu.Lock()
	defer b.mu.Unlock()
	b.blobs[key] = data
	return key
}

func (b *BlobHost) serve(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.gets = append(b.gets, BlobGet{Host: r.Host, Authorization: r.Header.Get("Authorization")})
	data, ok := b.blobs[path.Base(r.URL.Path)]
	b.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(data)
}

// Gets returns the requests served so far.
func (b *BlobHost) Gets() []BlobGet {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]BlobGet(nil), b.gets...)
}

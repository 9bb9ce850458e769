// Every request a pull or push sends, the ping, each token request, each
// redirect a registry answers with, goes through one RoundTripper, the
// requestPolicy, which decides for that request alone, from its own scheme
// and host:
//
//   - whether the server's certificate is checked. It is, always, except
//     for a host that is itself allowed plain HTTP (loopback, or named with
//     --insecure-registry): the exemption the user gave a registry does not
//     travel to the token realm or the storage host that registry names;
//   - how long each wait may last: connecting, the TLS handshake, the
//     answer's headers, and each read of a body or write of an upload. A
//     server that stops sending (or taking) bytes mid-way is an error
//     naming it, not a pull that hangs for ever.
//
// Credentials are added above it, by the authTransport (auth.go), and only
// for the registry's own scheme, host and port.

package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// Timeouts bound each wait of a request. Zero fields take the value of
// DefaultTimeouts.
type Timeouts struct {
	Connect        time.Duration // TCP connect
	TLSHandshake   time.Duration // the TLS handshake, once connected
	ResponseHeader time.Duration // from the request sent to the answer's headers
	Idle           time.Duration // how long an unused connection is kept for reuse
	Stall          time.Duration // no byte of a body received (or of an upload taken) for this long
}

// DefaultTimeouts are Docker's and containerd's: both dial with a 30 s
// timeout and allow 10 s for the TLS handshake; containerd keeps idle
// connections 30 s and its CRI cancels a pull that made no progress for
// 5 minutes (image_pull_progress_timeout). Neither bounds the wait for
// headers (Docker gives its ping 15 s in all); 60 s leaves room for a
// registry finishing a large upload before it answers.
var DefaultTimeouts = Timeouts{
	Connect:        30 * time.Second,
	TLSHandshake:   10 * time.Second,
	ResponseHeader: 60 * time.Second,
	Idle:           30 * time.Second,
	Stall:          5 * time.Minute,
}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	for _, f := range []struct{ v, def *time.Duration }{
		{&t.Connect, &d.Connect}, {&t.TLSHandshake, &d.TLSHandshake},
		{&t.ResponseHeader, &d.ResponseHeader}, {&t.Idle, &d.Idle}, {&t.Stall, &d.Stall},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return t
}

// tlsPair is one transport twice: the second skips certificate checks.
// Connections are pooled per transport, so a connection made without a
// check is never reused for a host that needs one.
type tlsPair struct{ verified, unverified http.RoundTripper }

// Transports built from http.DefaultTransport are shared between calls with
// the same timeouts, so that connections are reused across operations.
var shared = struct {
	sync.Mutex
	m map[Timeouts]tlsPair
}{m: map[Timeouts]tlsPair{}}

func transports(opts Options, to Timeouts) tlsPair {
	switch t := opts.Transport.(type) {
	case nil:
		shared.Lock()
		defer shared.Unlock()
		p, ok := shared.m[to]
		if !ok {
			p = newPair(http.DefaultTransport.(*http.Transport), to)
			shared.m[to] = p
		}
		return p
	case *http.Transport:
		return newPair(t, to)
	default:
		return tlsPair{t, t} // the caller's own: it decides everything
	}
}

// newPair clones base with the timeouts applied.
func newPair(base *http.Transport, to Timeouts) tlsPair {
	v := base.Clone()
	dial := v.DialContext
	if dial == nil {
		dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
	}
	v.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		// Once connected, the end of this context no longer matters.
		ctx, cancel := context.WithTimeout(ctx, to.Connect)
		defer cancel()
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &writeDeadlineConn{Conn: c, stall: to.Stall}, nil
	}
	v.TLSHandshakeTimeout = to.TLSHandshake
	v.ResponseHeaderTimeout = to.ResponseHeader
	v.IdleConnTimeout = to.Idle
	u := v.Clone()
	if u.TLSClientConfig == nil {
		u.TLSClientConfig = &tls.Config{}
	}
	u.TLSClientConfig.InsecureSkipVerify = true
	return tlsPair{verified: v, unverified: u}
}

// writeDeadlineConn gives each write its own deadline: an upload the
// server stops taking (its receive window full, for ever) fails after the
// stall timeout, as a read would.
type writeDeadlineConn struct {
	net.Conn
	stall time.Duration
}

func (c *writeDeadlineConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.stall)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// requestPolicy sends one request with the TLS check its host deserves,
// the User-Agent, and a stall timer on the answer's body.
type requestPolicy struct {
	tlsPair
	registry string   // the registry's host, for messages
	insecure []string // Options.Insecure
	ua       string
	to       Timeouts
}

func newRequestPolicy(opts Options, registryHost string) *requestPolicy {
	to := opts.Timeouts.withDefaults()
	ua := opts.UserAgent
	if ua == "" {
		ua = "mydocker"
	}
	return &requestPolicy{tlsPair: transports(opts, to), registry: registryHost, insecure: opts.Insecure, ua: ua, to: to}
}

func (p *requestPolicy) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := p.verified
	if req.URL.Scheme == "https" && insecureAllowed(req.URL.Host, p.insecure) {
		rt = p.unverified
	}
	// The request's own context, so that a stalled body can be cut off
	// without touching the caller's.
	ctx, cancel := context.WithCancel(req.Context())
	st := &stage{}
	r := req.Clone(httptrace.WithClientTrace(ctx, st.trace()))
	r.Header.Set("User-Agent", p.ua)
	resp, err := rt.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, p.explain(req, st, err)
	}
	resp.Body = p.watch(req, resp.Body, cancel)
	return resp, nil
}

// who names a request's host: the registry, or a host it sent us to.
func (p *requestPolicy) who(req *http.Request) string {
	if req.URL.Host == p.registry {
		return "the registry at " + p.registry
	}
	return fmt.Sprintf("%s (named by the registry at %s)", req.URL.Host, p.registry)
}

// what is the request without its query, which may hold a signature.
func what(req *http.Request) string { return req.Method + " " + req.URL.Path }

// stage records how far a request got, to say which wait timed out.
type stage struct{ tlsFailed, wrote, writeFailed atomic.Bool }

func (s *stage) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) { s.tlsFailed.Store(err != nil) },
		WroteRequest: func(w httptrace.WroteRequestInfo) {
			s.wrote.Store(w.Err == nil)
			s.writeFailed.Store(w.Err != nil)
		},
	}
}

// explain turns the transport's timeouts into a line naming the server
// and the wait. A connect timeout stays as it is: netError calls it
// unreachable.
func (p *requestPolicy) explain(req *http.Request, st *stage, err error) error {
	if req.Context().Err() != nil {
		return err
	}
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return wrapf(ErrUntrusted, err, "%s presents a certificate that is not trusted (%v): add its CA to this machine's, "+
			"or, if you trust the network to it, --insecure-registry %s", p.who(req), cert.Err, req.URL.Host)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		return err
	}
	switch {
	case st.wrote.Load():
		return wrapf(ErrTimeout, err, "%s sent no answer to %s within %v", p.who(req), what(req), p.to.ResponseHeader)
	case st.tlsFailed.Load():
		return wrapf(ErrTimeout, err, "%s did not complete the TLS handshake within %v", p.who(req), p.to.TLSHandshake)
	case st.writeFailed.Load():
		return wrapf(ErrTimeout, err, "%s stopped taking the request of %s for %v", p.who(req), what(req), p.to.Stall)
	}
	return err
}

// watch puts a stall timer on a body: each Read must get some bytes within
// the stall timeout. Time between reads (the caller writing to disk) does
// not count.
func (p *requestPolicy) watch(req *http.Request, rc io.ReadCloser, cancel context.CancelFunc) io.ReadCloser {
	b := &stallBody{rc: rc, cancel: cancel}
	b.err = wrapf(ErrTimeout, nil, "%s stalled: no data for %v while answering %s", p.who(req), p.to.Stall, what(req))
	b.timer = time.AfterFunc(time.Hour, func() { b.stalled.Store(true); cancel() })
	b.timer.Stop()
	b.d = p.to.Stall
	return b
}

type stallBody struct {
	rc      io.ReadCloser
	cancel  context.CancelFunc
	timer   *time.Timer
	d       time.Duration
	stalled atomic.Bool
	err     error
}

func (b *stallBody) Read(p []byte) (int, error) {
	if b.stalled.Load() {
		return 0, b.err
	}
	b.timer.Reset(b.d)
	n, err := b.rc.Read(p)
	b.timer.Stop()
	if err != nil && b.stalled.Load() {
		return n, b.err // the cut-off's error is the context's: say why
	}
	return n, err
}

// Close returns a fully read connection to the pool first; cancelling the
// request's context after that no longer touches it.
func (b *stallBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel()
	return err
}

// How the client reaches a registry: which scheme it may use, and the
// first request of every operation, the GET /v2/ "ping", which both checks
// that the server speaks the registry API and learns from its 401 answer
// how it wants callers to authenticate.
//
// HTTPS is the rule. Plain HTTP is allowed only to loopback registries
// (127.0.0.0/8, ::1, localhost: traffic that never leaves the machine) and
// to those the user names with --insecure-registry, exactly Docker's
// policy; for those, HTTPS is still tried first, without checking the
// certificate, and plain HTTP only if that fails. The exemption belongs
// to the host:port named, and is looked up for each request by its own
// host (roundtrip.go), never inherited by another host.

package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/mydocker/mydocker/mydocker/reference"
)

// client talks to one repository of one registry, with the credentials and
// scope it was made with. Images and layers it returns keep it, to fetch
// their blobs later.
type client struct {
	opts     Options
	registry string // as in references: the keychain's key, and messages
	host     string // where API calls go (registry-1.docker.io for docker.io)
	repo     string
	scheme   string // "https", or "http" where allowed
	http     *http.Client
	auth     *authenticator

	progressMu sync.Mutex // Progress calls never overlap
}

// newClient pings the registry of ref and prepares to authenticate for
// actions on its repository ("pull", or "pull,push").
func newClient(ctx context.Context, ref reference.Reference, opts Options, actions string) (*client, error) {
	c, err := dial(ctx, ref.Registry, opts)
	if err != nil {
		return nil, err
	}
	c.repo = ref.Repository
	c.auth.scope = "repository:" + ref.Repository + ":" + actions
	return c, nil
}

// dial pings a registry (named as in references) and sets up its
// authentication, with no repository yet.
func dial(ctx context.Context, registry string, opts Options) (*client, error) {
	host := reference.Reference{Registry: registry}.RegistryHost()
	base := newRequestPolicy(opts, host)
	scheme, ch, err := ping(ctx, base, host, opts)
	if err != nil {
		return nil, err
	}
	var creds Credentials
	if opts.Keychain != nil {
		if creds, err = opts.Keychain.Resolve(registry); err != nil {
			return nil, fmt.Errorf("credentials for %s: %w", registry, err)
		}
	}
	a := &authenticator{scheme: scheme, host: host, registry: registry, creds: creds, challenge: ch, insecure: opts.Insecure,
		client: &http.Client{Transport: base, CheckRedirect: checkRedirect}, tokens: map[string]string{}}
	return &client{
		opts: opts, registry: registry, host: host, scheme: scheme, auth: a,
		http: &http.Client{Transport: &authTransport{base: base, auth: a}, CheckRedirect: checkRedirect},
	}, nil
}

func (c *client) url(path string) string { return c.scheme + "://" + c.host + path }

// do sends req and explains a failure to get any answer.
func (c *client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, netError(req.Context(), c.host, err)
	}
	return resp, nil
}

func (c *client) progress(e Event) {
	if c.opts.Progress == nil {
		return
	}
	c.progressMu.Lock()
	defer c.progressMu.Unlock()
	c.opts.Progress(e)
}

// ping sends GET /v2/ without credentials, over HTTPS and, where allowed,
// then over plain HTTP. It returns the scheme that answered and the
// authentication challenge, if the registry sent one.
func ping(ctx context.Context, rt http.RoundTripper, host string, opts Options) (string, challenge, error) {
	schemes := []string{"https"}
	if insecureAllowed(host, opts.Insecure) {
		schemes = append(schemes, "http")
	}
	hc := &http.Client{Transport: rt, CheckRedirect: checkRedirect}
	var err error
	for _, scheme := range schemes {
		var req *http.Request
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+host+"/v2/", nil); err != nil {
			return "", challenge{}, err
		}
		var resp *http.Response
		if resp, err = hc.Do(req); err != nil {
			if ctx.Err() != nil {
				break
			}
			continue // Docker falls back to plain HTTP the same way, on any failure
		}
		ch, err := pingAnswer(host, resp)
		return scheme, ch, err
	}
	if errors.Is(err, http.ErrSchemeMismatch) {
		return "", challenge{}, wrapf(ErrPlainHTTP, err, "the registry at %s answers plain HTTP, "+
			"which mydocker speaks only to loopback registries and to those named with --insecure-registry: "+
			"add --insecure-registry %s if you trust the network to it", host, host)
	}
	return "", challenge{}, netError(ctx, host, err)
}

// pingAnswer reads the answer to GET /v2/: 200 is an open registry, 401
// names how to authenticate, anything else is not a working registry.
func pingAnswer(host string, resp *http.Response) (challenge, error) {
	if resp.StatusCode >= 500 {
		return challenge{}, fmt.Errorf("the registry at %s is failing: GET /v2/: %w", host, readError(resp))
	}
	// A registry answers {} here; a longer answer is something else.
	if _, err := readBody(resp, maxPingSize, "the answer to GET /v2/"); err != nil {
		return challenge{}, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return challenge{}, nil
	case http.StatusUnauthorized:
		ch, ok := pickChallenge(parseChallenges(resp.Header.Values("WWW-Authenticate")))
		if !ok {
			return challenge{}, fmt.Errorf("the registry at %s wants authentication mydocker does not know: WWW-Authenticate %q",
				host, resp.Header.Values("WWW-Authenticate"))
		}
		return ch, nil
	}
	return challenge{}, fmt.Errorf("%s does not speak the registry API v2: GET /v2/ answered %s", host, resp.Status)
}

// insecureAllowed reports whether host (host, host:port or [v6]:port) may be
// reached over plain HTTP, and over HTTPS without a certificate check. As
// in Docker, an entry names one registry exactly: "r.example" is not
// "r.example:5000"; only a CIDR covers several (IP addresses only: no name
// is resolved to decide).
func insecureAllowed(host string, insecure []string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.Trim(name, "[]")
	if name == "localhost" {
		return true
	}
	ip := net.ParseIP(name)
	if ip != nil && ip.IsLoopback() {
		return true
	}
	for _, e := range insecure {
		e = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(e, "http://"), "https://"), "/")
		if strings.EqualFold(e, host) {
			return true
		}
		if _, n, err := net.ParseCIDR(e); err == nil && ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

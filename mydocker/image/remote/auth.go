// How a registry says who may do what. Its answer to the ping, 401 with a
// WWW-Authenticate header, names a scheme:
//
//	Basic realm="registry"            send user:password with every request
//	Bearer realm="https://auth.docker.io/token",service="registry.docker.io"
//
// Bearer is Docker Hub's way, and most registries': the client asks the
// realm (a token server) for a token with GET
// realm?service=…&scope=repository:library/busybox:pull, sending the user's
// password there if it has one, and then shows only the token to the
// registry. Tokens are per scope, so they are cached per scope; one that
// expires, or lacks a scope the registry wants, earns a 401 with a fresh
// challenge, and the request is sent once more with a new token.
//
// Credentials and tokens go only to the registry's own origin: the scheme
// it answered the ping on, its host and its port, as Docker's authorizer
// keys its challenges by scheme and host. A blob redirected to a storage
// service or CDN, or to plain HTTP on the same host, goes without them.

package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// challenge is one scheme offered by WWW-Authenticate, with its parameters.
type challenge struct {
	scheme string            // lower-case: "bearer", "basic"; "" for an open registry
	params map[string]string // realm, service, scope, error
}

// parseChallenges reads every WWW-Authenticate header: each may hold
// several challenges, each a scheme and comma-separated key=value pairs
// whose values may be quoted (with backslash escapes).
func parseChallenges(headers []string) []challenge {
	var out []challenge
	for _, s := range headers {
		for {
			s = strings.TrimLeft(s, " \t,")
			tok, rest := readToken(s)
			if tok == "" {
				break
			}
			r := strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(r, "=") && len(out) > 0 {
				var val string
				val, s = readValue(strings.TrimLeft(r[1:], " \t"))
				out[len(out)-1].params[strings.ToLower(tok)] = val
				continue
			}
			out = append(out, challenge{scheme: strings.ToLower(tok), params: map[string]string{}})
			s = rest
		}
	}
	return out
}

func readToken(s string) (tok, rest string) {
	i := strings.IndexAny(s, " \t,=\"")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

func readValue(s string) (val, rest string) {
	if !strings.HasPrefix(s, `"`) {
		return readToken(s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), "" // unterminated: take what there is
}

// pickChallenge prefers Bearer, then Basic, as Docker does.
func pickChallenge(cs []challenge) (challenge, bool) {
	for _, want := range []string{"bearer", "basic"} {
		for _, c := range cs {
			if c.scheme == want && (want == "basic" || c.params["realm"] != "") {
				return c, true
			}
		}
	}
	return challenge{}, false
}

// authenticator adds credentials to requests for one registry.
type authenticator struct {
	scheme    string // with host: the only origin sent credentials
	host      string
	registry  string
	creds     Credentials
	challenge challenge
	scope     string       // "repository:NAME:pull" or "…:pull,push"; "" to log in
	client    *http.Client // for the token server: no authTransport, TLS checked for the realm's host
	insecure  []string     // registries allowed plain HTTP (Options.Insecure)

	mu     sync.Mutex // held while fetching, so one scope costs one request
	tokens map[string]string
}

// authorize sets req's Authorization header. fresh refuses a cached token.
func (a *authenticator) authorize(req *http.Request, scope string, fresh bool) error {
	switch a.challenge.scheme {
	case "basic":
		// Without credentials the request goes bare, and the registry's 401
		// becomes an error saying that it wants a login.
		if a.creds.Username != "" {
			req.SetBasicAuth(a.creds.Username, a.creds.Password)
		}
	case "bearer":
		tok, err := a.token(req.Context(), scope, fresh)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return nil
}

func (a *authenticator) token(ctx context.Context, scope string, fresh bool) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if tok, ok := a.tokens[scope]; ok && !fresh {
		return tok, nil
	}
	tok, err := a.fetchToken(ctx, scope)
	if err != nil {
		return "", err
	}
	a.tokens[scope] = tok
	return tok, nil
}

// fetchToken asks the challenge's realm for a token for scope.
func (a *authenticator) fetchToken(ctx context.Context, scope string) (string, error) {
	realm := a.challenge.params["realm"]
	u, err := url.Parse(realm)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("the registry at %s names a token realm %q that is not an http(s) URL", a.host, realm)
	}
	q := u.Query()
	if s := a.challenge.params["service"]; s != "" {
		q.Set("service", s)
	}
	if scope != "" {
		q.Set("scope", scope)
	}
	if a.creds.Username != "" {
		q.Set("account", a.creds.Username) // Docker sends it too; some servers log it
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	if a.creds.Username != "" {
		// A password goes in clear over plain HTTP: only to a realm that
		// would be allowed plain HTTP as a registry (loopback, or named
		// with --insecure-registry), never to any host a registry names.
		if u.Scheme == "http" && !insecureAllowed(u.Host, a.insecure) {
			return "", fmt.Errorf("the registry at %s sends logins to %s over plain HTTP: refusing to send the password in clear (use an https realm, or --insecure-registry %s)", a.host, realm, u.Host)
		}
		req.SetBasicAuth(a.creds.Username, a.creds.Password)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return "", netError(ctx, u.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := readError(resp)
		who := "an anonymous caller"
		if a.creds.Username != "" {
			who = a.creds.Username
		}
		return "", wrapf(ErrUnauthorized, e, "the token server at %s refused a token to %s for %s: %v", u.Host, who, a.registry, e)
	}
	raw, err := readBody(resp, maxTokenSize, "the token answer")
	if err != nil {
		return "", fmt.Errorf("token for %s: %w", a.registry, netError(ctx, u.Host, err))
	}
	var body struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return "", fmt.Errorf("token from %s: %w", u.Host, err)
	}
	if body.Token != "" {
		return body.Token, nil
	}
	if body.AccessToken != "" {
		return body.AccessToken, nil
	}
	return "", fmt.Errorf("token server at %s answered without a token", u.Host)
}

// authTransport authorizes requests to the registry's host.
type authTransport struct {
	base http.RoundTripper
	auth *authenticator
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	a := t.auth
	// Exactly the registry's scheme, host and port, stricter than Go's
	// redirect rule, which would forward Authorization to another port of
	// the same host name, and over plain HTTP.
	if a.challenge.scheme == "" || !sameOrigin(req.URL, &url.URL{Scheme: a.scheme, Host: a.host}) {
		return t.base.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	if err := a.authorize(r, a.scope, false); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || a.challenge.scheme != "bearer" {
		return resp, err
	}
	// The token expired or lacks a scope: ask for one again, once. A
	// streamed body cannot be sent twice, so that 401 stands.
	ch, ok := pickChallenge(parseChallenges(resp.Header.Values("WWW-Authenticate")))
	if !ok || ch.scheme != "bearer" || (req.Body != nil && req.GetBody == nil) {
		return resp, nil
	}
	drain(resp)
	scope := a.scope
	if s := ch.params["scope"]; s != "" {
		scope = s
	}
	r = req.Clone(req.Context())
	if req.GetBody != nil {
		if r.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	if err := a.authorize(r, scope, true); err != nil {
		return nil, err
	}
	return t.base.RoundTrip(r)
}

// checkRedirect follows up to 10 redirects, dropping the Authorization
// header Go would copy to another port of the same host, or to plain HTTP
// (a token realm's password, redirected to http://, would go in clear).
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !sameOrigin(req.URL, via[0].URL) {
		req.Header.Del("Authorization")
	}
	return nil
}

// sameOrigin compares scheme, host and port, with the scheme's default
// port filled in: https://r.example and https://r.example:443 are one
// origin, http://r.example another.
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && hostPort(a) == hostPort(b)
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

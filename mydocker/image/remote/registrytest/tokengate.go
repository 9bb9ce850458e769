// A gate in front of a Token-mode registry that really checks tokens. The
// registry's "silly" controller accepts any Bearer token at all, so a
// client that skipped the token server, or asked it for the wrong scope,
// would get through; behind the gate it does not. Lab 05's checker fetches
// through one.

package registrytest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// TokenGate is a reverse proxy to a Token-mode registry that forwards a
// request for a repository only with a token the registry's token server
// issued for pulling that repository. Requests without an Authorization
// header go through, so the registry answers them with its challenge.
type TokenGate struct {
	Host string // "127.0.0.1:PORT"

	passed atomic.Int64
}

// Passed is how many requests with a good token the gate has let through.
func (g *TokenGate) Passed() int64 { return g.passed.Load() }

var repoPath = regexp.MustCompile(`^/v2/(.+)/(manifests|blobs|tags)/`)

// NewTokenGate starts a gate in front of r, which must be in Token mode.
func NewTokenGate(t testing.TB, r *Registry) *TokenGate {
	t.Helper()
	if r.Tokens == nil {
		t.Fatal("NewTokenGate: the registry is not in Token mode")
	}
	g := &TokenGate{}
	target := &url.URL{Scheme: "http", Host: r.Addr}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.Out.Host = pr.In.Host }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		auth := req.Header.Get("Authorization")
		m := repoPath.FindStringSubmatch(req.URL.Path)
		if auth == "" || m == nil {
			rp.ServeHTTP(w, req)
			return
		}
		want := "repository:" + m[1] + ":pull"
		scope, ok := r.Tokens.issued(strings.TrimPrefix(auth, "Bearer "))
		if !strings.HasPrefix(auth, "Bearer ") || !ok || !covers(scope, m[1]) {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="%s",scope="%s"`, r.Tokens.URL, Service, want))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"errors":[{"code":"UNAUTHORIZED","message":"not a token the token server issued for %s"}]}`, want)
			return
		}
		g.passed.Add(1)
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	g.Host = strings.TrimPrefix(srv.URL, "http://")
	return g
}

// covers reports whether a token's scope allows pulling repo:
// "repository:REPO:pull" or "repository:REPO:pull,push".
func covers(scope, repo string) bool {
	for _, s := range strings.Fields(scope) {
		parts := strings.Split(s, ":")
		if len(parts) == 3 && parts[0] == "repository" && parts[1] == repo {
			for _, a := range strings.Split(parts[2], ",") {
				if a == "pull" {
					return true
				}
			}
		}
	}
	return false
}

// issued reports whether token came from this server, and for what scope.
func (s *TokenServer) issued(token string) (scope string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	var n int
	if _, err := fmt.Sscanf(string(raw), "token-%d for ", &n); err != nil {
		return "", false
	}
	reqs := s.Requests()
	if n < 1 || n > len(reqs) {
		return "", false
	}
	scope = strings.TrimPrefix(string(raw), fmt.Sprintf("token-%d for ", n))
	return scope, scope == reqs[n-1].Scope
}

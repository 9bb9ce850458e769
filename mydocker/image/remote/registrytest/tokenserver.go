// The token server of Token mode. The registry's "silly" access
// controller answers every request without an Authorization header with
// `Bearer realm=<this server>/token,service=test-registry,scope=…`, and
// accepts any token at all: what is worth checking is the client's side of
// the exchange, which this server records (the scope asked for, whose
// credentials came along) and, if given a user, refuses to anyone else.

package registrytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TokenServer issues Bearer tokens and records each request.
type TokenServer struct {
	URL string

	user, password string
	mu             sync.Mutex
	requests       []TokenRequest
}

// TokenRequest is one token request, as the server saw it.
type TokenRequest struct {
	Service, Scope, Account string
	User                    string // from Basic credentials; "" if none were sent
}

func startTokenServer(t testing.TB, user, password string) *TokenServer {
	s := &TokenServer{user: user, password: password}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *TokenServer) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := TokenRequest{Service: q.Get("service"), Scope: q.Get("scope"), Account: q.Get("account")}
	user, pass, hasAuth := r.BasicAuth()
	if hasAuth {
		req.User = user
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	n := len(s.requests)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if s.user != "" && (!hasAuth || user != s.user || pass != s.password) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]}`)
		return
	}
	tok := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("token-%d for %s", n, req.Scope)))
	json.NewEncoder(w).Encode(map[string]any{"token": tok, "expires_in": 300})
}

// Requests returns what the token server has been asked so far.
func (s *TokenServer) Requests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenRequest(nil), s.requests...)
}

// Scopes returns the scopes asked for so far, in order.
func (s *TokenServer) Scopes() []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Scope)
	}
	return out
}

// Reset forgets the requests so far.
func (s *TokenServer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

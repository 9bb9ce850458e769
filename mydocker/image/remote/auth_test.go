package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
	"github.com/mydocker/mydocker/mydocker/reference"
)

func TestParseChallenges(t *testing.T) {
	tests := []struct {
		in   []string
		want []challenge
	}{
		{[]string{`Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`},
			[]challenge{{"bearer", map[string]string{"realm": "https://auth.docker.io/token", "service": "registry.docker.io"}}}},
		{[]string{`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull",error="insufficient_scope"`},
			[]challenge{{"bearer", map[string]string{"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
				"scope": "repository:library/busybox:pull", "error": "insufficient_scope"}}}},
		{[]string{`Basic realm="Registry Realm"`}, []challenge{{"basic", map[string]string{"realm": "Registry Realm"}}}},
		{[]string{`basic realm=plain, Bearer realm="r", service=s`},
			[]challenge{{"basic", map[string]string{"realm": "plain"}}, {"bearer", map[string]string{"realm": "r", "service": "s"}}}},
		{[]string{`Basic realm="a"`, `Bearer realm="b"`},
			[]challenge{{"basic", map[string]string{"realm": "a"}}, {"bearer", map[string]string{"realm": "b"}}}},
		{[]string{`Bearer realm="with \"quotes\", and comma"`},
			[]challenge{{"bearer", map[string]string{"realm": `with "quotes", and comma`}}}},
		{[]string{``}, nil},
	}
	for _, tt := range tests {
		got := parseChallenges(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseChallenges(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPickChallenge(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`Basic realm="a", Bearer realm="b"`, "bearer"},
		{`Basic realm="a"`, "basic"},
		{`Bearer service="no realm"`, ""}, // a Bearer challenge without a realm is unusable
		{`Negotiate`, ""},
	}
	for _, tt := range tests {
		got, _ := pickChallenge(parseChallenges([]string{tt.in}))
		if got.scheme != tt.want {
			t.Errorf("pickChallenge(%q) = %q, want %q", tt.in, got.scheme, tt.want)
		}
	}
}

// hosts is a fake network: each host name is served by a handler, and any
// other host does not exist. It lets Docker Hub's flow run offline.
type hosts struct {
	mu       sync.Mutex
	handlers map[string]http.Handler
	seen     []string // "GET https://host/path"
}

func (h *hosts) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.seen = append(h.seen, req.Method+" "+req.URL.Scheme+"://"+req.URL.Host+req.URL.Path)
	hd, ok := h.handlers[req.URL.Host]
	h.mu.Unlock()
	if req.Body != nil {
		defer req.Body.Close()
	}
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no such host in this test")}
	}
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// serveImage answers the registry API for one image at repo:tag, to
// callers showing the right token.
func serveImage(img image.Image, repo, tag, token string) http.Handler {
	raw, _ := img.RawManifest()
	mt, _ := img.MediaType()
	config, _ := img.RawConfig()
	blobs := map[string][]byte{string(digest.FromBytes(config)): config}
	layers, _ := img.Layers()
	for _, l := range layers {
		rc, _ := l.Compressed()
		b, _ := io.ReadAll(rc)
		d, _ := l.Digest()
		blobs[string(d)] = b
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		switch p := r.URL.Path; {
		case p == "/v2/":
		case p == "/v2/"+repo+"/manifests/"+tag:
			w.Header().Set("Content-Type", mt)
			w.Header().Set("Docker-Content-Digest", string(digest.FromBytes(raw)))
			w.Write(raw)
		case strings.HasPrefix(p, "/v2/"+repo+"/blobs/") && blobs[p[len("/v2/"+repo+"/blobs/"):]] != nil:
			w.Write(blobs[p[len("/v2/"+repo+"/blobs/"):]])
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
		}
	})
}

// TestDockerHubFlow runs `pull busybox` against a fake Docker Hub: the
// names, realm and service are Hub's, the network is a map.
func TestDockerHubFlow(t *testing.T) {
	img := registrytest.Image(t, "hub", image.Platform{})
	var asked []string
	network := &hosts{handlers: map[string]http.Handler{
		"registry-1.docker.io": serveImage(img, "library/busybox", "latest", "hub-token"),
		"auth.docker.io": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked = append(asked, r.URL.Query().Get("service")+" "+r.URL.Query().Get("scope"))
			json.NewEncoder(w).Encode(map[string]string{"access_token": "hub-token"}) // Hub sends both; OAuth2 servers only this one
		}),
	}}
	ref, _ := reference.Parse("busybox")
	got, err := Image(context.Background(), ref, Options{Transport: network})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if d, _ := got.Digest(); d != want {
		t.Errorf("Image(busybox).Digest() = %s, want %s", d, want)
	}
	if len(asked) != 1 || asked[0] != "registry.docker.io repository:library/busybox:pull" {
		t.Errorf("token requests = %q, want one for service registry.docker.io, scope repository:library/busybox:pull", asked)
	}
	for _, s := range network.seen {
		if !strings.Contains(s, " https://") {
			t.Errorf("request %s: Docker Hub must be reached over HTTPS only", s)
		}
	}
}

func TestTokenFetchErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
		is      error
	}{
		{"refused", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"details":"incorrect username or password"}`)
		}, "refused a token to bob", ErrUnauthorized},
		{"no token", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }, "without a token", nil},
		{"not json", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<html>`) }, "token from", nil},
		// A token answer is a small document; one without end is refused at
		// its limit, with a line that says so (it was "unexpected EOF").
		{"endless", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"token":"`)
			chunk := strings.Repeat("a", 64<<10)
			for i := 0; i < 64 && r.Context().Err() == nil; i++ {
				fmt.Fprint(w, chunk)
			}
		}, "the token answer from 127.0.0.1", ErrTooLarge},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(tt.handler)
		a := &authenticator{host: "r.example", registry: "r.example", creds: Credentials{"bob", "pw"},
			challenge: challenge{"bearer", map[string]string{"realm": srv.URL}}, client: srv.Client(), tokens: map[string]string{}}
		_, err := a.token(context.Background(), "repository:x:pull", false)
		if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
			t.Errorf("%s: token() error = %v, want one saying %q", tt.name, err, tt.want)
		}
		srv.Close()
	}
}

func TestErrorIs(t *testing.T) {
	tests := []struct {
		status int
		code   string
		target error
		want   bool
	}{
		{404, "MANIFEST_UNKNOWN", ErrNotFound, true},
		{404, "", ErrNotFound, true},
		{400, "NAME_UNKNOWN", ErrNotFound, true},
		{401, "UNAUTHORIZED", ErrUnauthorized, true},
		{403, "DENIED", ErrUnauthorized, true},
		{500, "UNKNOWN", ErrNotFound, false},
		{500, "UNKNOWN", ErrUnauthorized, false},
	}
	for _, tt := range tests {
		e := &Error{StatusCode: tt.status, Errors: []ErrorDetail{{Code: tt.code}}}
		if got := errors.Is(e, tt.target); got != tt.want {
			t.Errorf("errors.Is(%v %s, %v) = %v, want %v", tt.status, tt.code, tt.target, got, tt.want)
		}
	}
}

func ExampleError() {
	e := &Error{StatusCode: 404, Errors: []ErrorDetail{{Code: "MANIFEST_UNKNOWN", Message: "manifest unknown"}}}
	fmt.Println(e)
	fmt.Println(errors.Is(e, ErrNotFound))
	// Output:
	// manifest unknown (HTTP 404 Not Found)
	// true
}

// TestTokenRefresh: a registry that rejects a token (expired, or short of
// a scope) gets one fresh token and the request once more.
func TestTokenRefresh(t *testing.T) {
	img := registrytest.Image(t, "refresh", image.Platform{})
	var issued int
	network := &hosts{handlers: map[string]http.Handler{
		"registry.example.com": serveImage(img, "app", "1", "token-2"),
		"auth.docker.io": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			issued++
			json.NewEncoder(w).Encode(map[string]string{"token": fmt.Sprintf("token-%d", issued)})
		}),
	}}
	ref, _ := reference.Parse("registry.example.com/app:1")
	if _, err := Image(context.Background(), ref, Options{Transport: network}); err != nil {
		t.Fatal(err)
	}
	if issued != 2 {
		t.Errorf("tokens issued = %d, want 2: the first refused, the second kept", issued)
	}
}

// TestSameOrigin: credentials follow scheme, host and port, with the
// scheme's default port filled in (Docker's challenge manager does the
// same to key its challenges).
func TestSameOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://r.example/v2/", "https://r.example:443/v2/x", true},
		{"https://R.example/v2/", "https://r.example/v2/", true},
		{"http://127.0.0.1:5000/v2/", "http://127.0.0.1:5000/v2/x", true},
		{"https://r.example/v2/", "http://r.example/v2/", false},
		{"https://r.example:443/", "http://r.example:443/", false},
		{"https://r.example/", "https://r.example:5000/", false},
		{"https://r.example/", "https://cdn.r.example/", false},
		{"http://[::1]:5000/", "http://[::1]:5000/v2/", true},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := sameOrigin(a, b); got != tt.want {
			t.Errorf("sameOrigin(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

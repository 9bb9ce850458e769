package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/reference"
)

func TestInsecureAllowed(t *testing.T) {
	tests := []struct {
		host     string
		insecure []string
		want     bool
	}{
		{"127.0.0.1:5000", nil, true},
		{"127.3.2.1", nil, true},
		{"localhost", nil, true},
		{"localhost:5000", nil, true},
		{"[::1]:5000", nil, true},
		{"registry.example.com", nil, false},
		{"10.0.0.7:5000", nil, false},
		{"localhost.example.com", nil, false},
		{"registry.example.com:5000", []string{"registry.example.com:5000"}, true},
		// Docker matches an entry against the registry's name exactly:
		// the exemption for one port is not one for every port.
		{"registry.example.com:5000", []string{"registry.example.com"}, false},
		{"registry.example.com", []string{"registry.example.com:5000"}, false},
		{"REGISTRY.example.com:5000", []string{"registry.example.com:5000"}, true},
		{"registry.example.com:5000", []string{"other.example.com"}, false},
		{"10.0.0.7:5000", []string{"10.0.0.0/8"}, true},
		{"192.168.1.2:5000", []string{"10.0.0.0/8"}, false},
		{"registry.example.com", []string{"http://registry.example.com/"}, true},
	}
	for _, tt := range tests {
		if got := insecureAllowed(tt.host, tt.insecure); got != tt.want {
			t.Errorf("insecureAllowed(%q, %q) = %v, want %v", tt.host, tt.insecure, got, tt.want)
		}
	}
}

// plainHTTPServer is a fake network on which registry.example.com speaks
// only plain HTTP: HTTPS attempts fail the way Go's transport fails them.
type plainHTTPServer struct{ seen []string }

func (s *plainHTTPServer) RoundTrip(req *http.Request) (*http.Response, error) {
	s.seen = append(s.seen, req.URL.Scheme+"://"+req.URL.Host+req.URL.Path)
	if req.URL.Scheme == "https" {
		return nil, http.ErrSchemeMismatch
	}
	return (&hosts{handlers: map[string]http.Handler{"registry.example.com": http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2/" {
				return // 200: a registry, open to all
			}
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
		})}}).RoundTrip(req)
}

func TestPlainHTTPPolicy(t *testing.T) {
	ref, _ := reference.Parse("registry.example.com/app:1")

	// Not loopback and not --insecure-registry: HTTPS only, and the error
	// says what to do.
	rt := &plainHTTPServer{}
	_, err := Get(context.Background(), ref, Options{Transport: rt})
	if !errors.Is(err, ErrPlainHTTP) || !strings.Contains(err.Error(), "--insecure-registry registry.example.com") {
		t.Errorf("Get(%s) error = %v, want ErrPlainHTTP naming --insecure-registry", ref, err)
	}
	for _, u := range rt.seen {
		if strings.HasPrefix(u, "http://") {
			t.Errorf("request %s: plain HTTP sent to a registry that is not allowed it", u)
		}
	}

	// With --insecure-registry: HTTPS first, then plain HTTP, which answers.
	rt = &plainHTTPServer{}
	_, err = Get(context.Background(), ref, Options{Transport: rt, Insecure: []string{"registry.example.com"}})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(%s) with Insecure error = %v, want ErrNotFound from the plain HTTP registry", ref, err)
	}
	if len(rt.seen) < 2 || !strings.HasPrefix(rt.seen[0], "https://") || !strings.HasPrefix(rt.seen[1], "http://") {
		t.Errorf("requests = %q, want HTTPS tried first, then plain HTTP", rt.seen)
	}
}

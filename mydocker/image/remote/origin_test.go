package remote_test

// Each request is judged by its own scheme and host: which certificate is
// checked, and whether credentials go along. The servers answer to names
// under example.com (registrytest.Names), since loopback addresses are
// exempt from certificate checks and the point is a host that is not.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// recorder is a test server that records the Authorization header of each
// request it gets.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newRecorder(t *testing.T, tlsOn bool, h http.HandlerFunc) *recorder {
	r := &recorder{}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
		h(w, req)
	}))
	// A refused certificate is what some tests expect: not worth a log line.
	r.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tlsOn {
		r.StartTLS()
	} else {
		r.Start()
	}
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...)
}

func (r *recorder) port() string {
	_, p, _ := net.SplitHostPort(r.Listener.Addr().String())
	return p
}

func unknownManifest(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
}

// TestTLSCheckedPerHost: a loopback registry may be reached without a
// certificate check; the token realm and the storage host it names are
// checked for their own names. Docker hands the registry's exemption to
// its realm too: issue 9's "a loopback registry's token realm on another
// host gets the password with no certificate check".
func TestTLSCheckedPerHost(t *testing.T) {
	keychain := remote.StaticKeychain{Username: "bob", Password: "secret"}
	t.Run("token realm", func(t *testing.T) {
		realm := newRecorder(t, true, func(w http.ResponseWriter, r *http.Request) {
			json.NewEncoder(w).Encode(map[string]string{"token": "tok"})
		})
		realmURL := "https://auth.example.com:" + realm.port() + "/token"
		reg := newRecorder(t, false, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+realmURL+`",service="reg"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			unknownManifest(w)
		})
		names := registrytest.Names{"auth.example.com:" + realm.port(): realm.Listener.Addr().String()}
		ref := registrytest.MustParse(t, reg.Listener.Addr().String()+"/app:1")

		_, err := remote.Get(context.Background(), ref, remote.Options{Keychain: keychain, Transport: names.Transport()})
		t.Logf("realm not trusted: %v", err)
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("Get through a realm whose certificate is not trusted = %v, want a certificate error", err)
		}
		if seen := realm.seen(); len(seen) != 0 {
			t.Errorf("the realm was sent %q over a TLS connection nobody checked", seen)
		}

		// Trusted, the same realm gives its token, and bob's password.
		_, err = remote.Get(context.Background(), ref, remote.Options{Keychain: keychain, Transport: names.Transport(realm.Certificate())})
		if !errors.Is(err, remote.ErrNotFound) || len(realm.seen()) != 1 || !strings.HasPrefix(realm.seen()[0], "Basic ") {
			t.Errorf("Get through a trusted realm = %v, realm saw %q; want ErrNotFound and one request with Basic credentials", err, realm.seen())
		}
	})

	t.Run("blob redirect", func(t *testing.T) {
		blob := []byte("layer bytes")
		d := digest.FromBytes(blob)
		cdn := newRecorder(t, true, func(w http.ResponseWriter, r *http.Request) { w.Write(blob) })
		reg := newRecorder(t, false, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v2/" {
				return
			}
			http.Redirect(w, r, "https://cdn.example.com:"+cdn.port()+"/signed?sig=1", http.StatusTemporaryRedirect)
		})
		names := registrytest.Names{"cdn.example.com:" + cdn.port(): cdn.Listener.Addr().String()}
		ref := registrytest.MustParse(t, reg.Listener.Addr().String()+"/app")
		desc := image.Descriptor{Digest: d, Size: int64(len(blob))}

		_, err := readBlob(ref, desc, remote.Options{Transport: names.Transport()})
		t.Logf("storage host not trusted: %v", err)
		if err == nil || !strings.Contains(err.Error(), "certificate") || len(cdn.seen()) != 0 {
			t.Errorf("blob redirected to an untrusted https host = %v (it served %d requests), want a certificate error", err, len(cdn.seen()))
		}
		got, err := readBlob(ref, desc, remote.Options{Transport: names.Transport(cdn.Certificate())})
		if err != nil || string(got) != string(blob) {
			t.Errorf("blob redirected to a trusted https host = %q, %v; want the blob", got, err)
		}
	})
}

func readBlob(ref reference.Reference, desc image.Descriptor, opts remote.Options) ([]byte, error) {
	rc, err := remote.Blob(context.Background(), ref, desc, opts)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// TestCredentialsPerOrigin: credentials go to the scheme, host and port
// the registry answered on, and nowhere else, as Docker's authorizer keys
// them by scheme and host. Issue 9: "a redirect to http:// on the same
// host gets Basic credentials".
func TestCredentialsPerOrigin(t *testing.T) {
	plain := newRecorder(t, false, func(w http.ResponseWriter, r *http.Request) { unknownManifest(w) })
	other := newRecorder(t, true, func(w http.ResponseWriter, r *http.Request) { unknownManifest(w) })
	var target string
	reg := newRecorder(t, true, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "pw" {
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/v2/" {
			return
		}
		http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
	})
	// The registry's https on 443, its plain twin on 80 of the same name.
	names := registrytest.Names{
		"registry.example.com:443": reg.Listener.Addr().String(),
		"registry.example.com:80":  plain.Listener.Addr().String(),
		"other.example.com:443":    other.Listener.Addr().String(),
	}
	opts := remote.Options{Keychain: remote.StaticKeychain{Username: "alice", Password: "pw"}, Transport: names.Transport(reg.Certificate())}
	ref := registrytest.MustParse(t, "registry.example.com/app:1")

	for _, tt := range []struct {
		name, target string
		server       *recorder
	}{
		{"plain HTTP, same host", "http://registry.example.com", plain},
		{"another host", "https://other.example.com", other},
	} {
		t.Run(tt.name, func(t *testing.T) {
			target = tt.target
			_, err := remote.Get(context.Background(), ref, opts)
			if !errors.Is(err, remote.ErrNotFound) {
				t.Errorf("Get redirected to %s = %v, want the redirect followed to a 404", tt.target, err)
			}
			seen := tt.server.seen()
			if len(seen) == 0 {
				t.Fatalf("the redirect to %s was not followed", tt.target)
			}
			for _, a := range seen {
				if a != "" {
					t.Errorf("the redirect to %s carried Authorization %q", tt.target, a)
				}
			}
		})
	}
	if seen := reg.seen(); !strings.HasPrefix(seen[len(seen)-1], "Basic ") {
		t.Errorf("the registry itself got no credentials (%q): the test proves nothing", seen)
	}
}

// TestRealmRedirectKeepsPassword: a token realm that redirects to plain
// HTTP on its own host name must not get the password there. Go's client
// copies Authorization to the same host name whatever the scheme, and
// mydocker's old checkRedirect compared only URL.Host: a real hole.
func TestRealmRedirectKeepsPassword(t *testing.T) {
	plain := newRecorder(t, false, func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"token": "tok"})
	})
	realm := newRecorder(t, true, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://auth.example.com"+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	reg := newRecorder(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://auth.example.com/token",service="reg"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		unknownManifest(w)
	})
	names := registrytest.Names{"auth.example.com:443": realm.Listener.Addr().String(), "auth.example.com:80": plain.Listener.Addr().String()}
	ref := registrytest.MustParse(t, reg.Listener.Addr().String()+"/app:1")
	opts := remote.Options{Keychain: remote.StaticKeychain{Username: "bob", Password: "secret"}, Transport: names.Transport(realm.Certificate())}
	_, err := remote.Get(context.Background(), ref, opts)
	t.Logf("Get: %v", err)
	if len(realm.seen()) != 1 || !strings.HasPrefix(realm.seen()[0], "Basic ") {
		t.Errorf("the https realm saw %q, want bob's Basic credentials", realm.seen())
	}
	for _, a := range plain.seen() {
		if a != "" {
			t.Errorf("the realm's redirect to plain HTTP carried Authorization %q", a)
		}
	}
}

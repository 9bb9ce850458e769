package remote

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/reference"
)

// A registry may name any token realm. A password must not go to a realm
// over plain HTTP on some other host: the check happens before any request.
func TestPasswordNotSentToPlainHTTPRealm(t *testing.T) {
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="http://tokens.example/token",service="reg"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer reg.Close()
	ref, err := reference.Parse(strings.TrimPrefix(reg.URL, "http://") + "/app:1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Get(context.Background(), ref, Options{Keychain: StaticKeychain{Username: "bob", Password: "secret"}})
	if err == nil || !strings.Contains(err.Error(), "refusing to send the password in clear") {
		t.Errorf("Get through a plain-HTTP realm on another host with credentials: %v, want a refusal", err)
	}
}

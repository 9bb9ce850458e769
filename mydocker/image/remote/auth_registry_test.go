package remote_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
)

// TestBearerToken: the registry sends callers to the token server, which
// records the scope each asked for and whose credentials came along.
func TestBearerToken(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Token})
	ref := reg.Ref(t, "tok/app:1")
	img := registrytest.Image(t, "token", amd64)

	require.NoError(t, remote.Write(context.Background(), ref, img, remote.Options{}))
	if scopes := reg.Tokens.Scopes(); !slices.Contains(scopes, "repository:tok/app:pull,push") {
		t.Errorf("push asked for scopes %q, want repository:tok/app:pull,push", scopes)
	}

	reg.Tokens.Reset()
	_, err := pullAll(ref, remote.Options{})
	require.NoError(t, err)
	reqs := reg.Tokens.Requests()
	// One token serves the whole pull: tokens are cached per scope.
	if len(reqs) != 1 || reqs[0].Scope != "repository:tok/app:pull" || reqs[0].Service != registrytest.Service || reqs[0].User != "" {
		t.Errorf("pull's token requests = %+v, want one anonymous request for repository:tok/app:pull, service %s", reqs, registrytest.Service)
	}

	reg.Tokens.Reset()
	keychain := remote.StaticKeychain{Username: "bob", Password: "secret"}
	_, err = remote.Image(context.Background(), ref, remote.Options{Keychain: keychain})
	require.NoError(t, err)
	reqs = reg.Tokens.Requests()
	if len(reqs) != 1 || reqs[0].User != "bob" || reqs[0].Account != "bob" {
		t.Errorf("token requests with a keychain = %+v, want bob's Basic credentials and account=bob", reqs)
	}
}

// TestBearerTokenLogin: a token server that wants credentials.
func TestBearerTokenLogin(t *testing.T) {
	t.Setenv("MYDOCKER_CONFIG", t.TempDir())
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Token, User: "carol", Password: "right"})
	ref := reg.Ref(t, "private:1")

	err := remote.Write(context.Background(), ref, registrytest.Image(t, "private", amd64), remote.Options{})
	if !errors.Is(err, remote.ErrUnauthorized) || !strings.Contains(err.Error(), "anonymous") {
		t.Errorf("anonymous Write error = %v, want ErrUnauthorized from the token server", err)
	}
	err = remote.Login(context.Background(), reg.Host, "carol", "wrong", remote.Options{})
	if !errors.Is(err, remote.ErrUnauthorized) || !strings.Contains(err.Error(), "carol") {
		t.Errorf("Login with a wrong password = %v, want ErrUnauthorized naming carol", err)
	}
	require.NoError(t, remote.Login(context.Background(), reg.Host, "carol", "right", remote.Options{}))
	store, err := remote.DefaultCredentialStore()
	require.NoError(t, err)
	require.NoError(t, remote.Write(context.Background(), ref, registrytest.Image(t, "private", amd64), remote.Options{Keychain: store}))
}

// TestHtpasswd: Basic authentication; Login proves the password before it
// stores anything.
func TestHtpasswd(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MYDOCKER_CONFIG", dir)
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Htpasswd})
	ref := reg.Ref(t, "basic/app:1")
	img := registrytest.Image(t, "basic", amd64)

	err := remote.Write(context.Background(), ref, img, remote.Options{})
	if !errors.Is(err, remote.ErrUnauthorized) || !strings.Contains(err.Error(), "mydocker login "+reg.Host) {
		t.Errorf("Write without credentials = %v, want ErrUnauthorized suggesting mydocker login", err)
	}

	err = remote.Login(context.Background(), reg.Host, registrytest.DefaultUser, "not-the-password", remote.Options{})
	if !errors.Is(err, remote.ErrUnauthorized) || !strings.Contains(err.Error(), "wrong username or password") {
		t.Errorf("Login with a wrong password = %v, want ErrUnauthorized: wrong username or password", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after a failed login, config.json: %v, want none", err)
	}

	require.NoError(t, remote.Login(context.Background(), reg.Host, registrytest.DefaultUser, registrytest.DefaultPassword, remote.Options{}))
	store, err := remote.DefaultCredentialStore()
	require.NoError(t, err)
	require.NoError(t, remote.Write(context.Background(), ref, img, remote.Options{Keychain: store}))
	_, err = pullAll(ref, remote.Options{Keychain: store})
	require.NoError(t, err)

	_, err = remote.Image(context.Background(), ref, remote.Options{})
	if !errors.Is(err, remote.ErrUnauthorized) {
		t.Errorf("Image without credentials = %v, want ErrUnauthorized", err)
	}

	require.NoError(t, remote.Logout(reg.Host))
	if err := remote.Logout(reg.Host); !errors.Is(err, remote.ErrNotLoggedIn) {
		t.Errorf("second Logout = %v, want ErrNotLoggedIn", err)
	}
}

// TestHtpasswdOtherUser: accounts other than the default are hashed by
// the htpasswd tool (apache2-utils).
func TestHtpasswdOtherUser(t *testing.T) {
	t.Setenv("MYDOCKER_CONFIG", t.TempDir())
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Htpasswd, User: "dave", Password: "pa ss:word"})
	require.NoError(t, remote.Login(context.Background(), reg.Host, "dave", "pa ss:word", remote.Options{}))
}

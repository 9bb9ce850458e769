// Credentials, kept the way Docker keeps them in ~/.docker/config.json:
//
//	{"auths": {"127.0.0.1:5000": {"auth": "<base64 of user:password>"}}}
//
// in $MYDOCKER_CONFIG/config.json, or $HOME/.mydocker/config.json, mode
// 0600. Base64 is no protection, only an encoding: the file mode is. (Docker
// can hand passwords to an OS keyring through credential helpers; mydocker
// keeps the plain file, to show what those helpers replace.)
//
// `mydocker login` calls Login, which first proves the credentials against
// the registry and only then stores them; `logout` calls Logout. Pulls and
// pushes read them through a Keychain, by registry name as in references.

package remote

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/mydocker/mydocker/mydocker/fsutil"
)

// Credentials are a user name and password (or token) for a registry.
// The zero value is anonymous.
type Credentials struct {
	Username, Password string
}

// Keychain finds credentials for a registry, named as in references
// ("docker.io", "127.0.0.1:5000"). No credentials is not an error: it is
// the zero Credentials.
type Keychain interface {
	Resolve(registry string) (Credentials, error)
}

// StaticKeychain is the same credentials for every registry: for tests, and
// for `mydocker pull --creds user:pass`.
type StaticKeychain Credentials

// Resolve implements Keychain.
func (k StaticKeychain) Resolve(string) (Credentials, error) { return Credentials(k), nil }

// CredentialStore is a config.json of credentials; it is a Keychain.
type CredentialStore struct {
	Path string
}

// DefaultCredentialStore is $MYDOCKER_CONFIG/config.json if MYDOCKER_CONFIG
// is set, else $HOME/.mydocker/config.json.
func DefaultCredentialStore() (*CredentialStore, error) {
	if dir := os.Getenv("MYDOCKER_CONFIG"); dir != "" {
		return &CredentialStore{Path: filepath.Join(dir, "config.json")}, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, fmt.Errorf("find the credentials file: %w (set MYDOCKER_CONFIG)", err)
	}
	return &CredentialStore{Path: filepath.Join(home, ".mydocker", "config.json")}, nil
}

// normalizeRegistry keys the file the way references name registries:
// what users type for Docker Hub, and URLs as Docker's old login wrote
// them, all become "docker.io".
func normalizeRegistry(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	s = strings.ToLower(s)
	switch s {
	case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return "docker.io"
	}
	return s
}

// configFile is the file's JSON. Other top-level keys are kept as they were.
type configFile struct {
	Auths map[string]authEntry `json:"auths"`
	other map[string]json.RawMessage
}

type authEntry struct {
	Auth string `json:"auth,omitempty"`
}

func (s *CredentialStore) load() (*configFile, error) {
	cf := &configFile{Auths: map[string]authEntry{}, other: map[string]json.RawMessage{}}
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return cf, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &cf.other); err != nil {
		return nil, fmt.Errorf("read %s: %w", s.Path, err)
	}
	if raw, ok := cf.other["auths"]; ok {
		if err := json.Unmarshal(raw, &cf.Auths); err != nil {
			return nil, fmt.Errorf("read %s: auths: %w", s.Path, err)
		}
	}
	return cf, nil
}

// save writes the file whole, through a temporary file and a rename, so a
// crash leaves the old file or the new one, never half of one.
func (s *CredentialStore) save(cf *configFile) error {
	auths, err := json.Marshal(cf.Auths)
	if err != nil {
		return err
	}
	cf.other["auths"] = auths
	b, err := json.MarshalIndent(cf.other, "", "\t")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return err
	}
	// The temp file is 0600 from its creation, before any secret is
	// written to it.
	return fsutil.WriteFile(s.Path, append(b, '\n'), 0o600)
}

// Resolve implements Keychain.
func (s *CredentialStore) Resolve(registry string) (Credentials, error) {
	cf, err := s.load()
	if err != nil {
		return Credentials{}, err
	}
	e, ok := cf.Auths[normalizeRegistry(registry)]
	if !ok || e.Auth == "" {
		return Credentials{}, nil
	}
	b, err := base64.StdEncoding.DecodeString(e.Auth)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: auth for %s is not base64: %w", s.Path, registry, err)
	}
	user, pass, ok := strings.Cut(string(b), ":")
	if !ok {
		return Credentials{}, fmt.Errorf("%s: auth for %s is not user:password", s.Path, registry)
	}
	return Credentials{Username: user, Password: pass}, nil
}

// Store keeps c for registry.
func (s *CredentialStore) Store(registry string, c Credentials) error {
	cf, err := s.load()
	if err != nil {
		return err
	}
	cf.Auths[normalizeRegistry(registry)] = authEntry{Auth: base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password))}
	return s.save(cf)
}

// Erase forgets registry's credentials; ErrNotLoggedIn if there were none.
func (s *CredentialStore) Erase(registry string) error {
	cf, err := s.load()
	if err != nil {
		return err
	}
	key := normalizeRegistry(registry)
	if _, ok := cf.Auths[key]; !ok {
		return fmt.Errorf("%w to %s", ErrNotLoggedIn, key)
	}
	delete(cf.Auths, key)
	return s.save(cf)
}

// Login checks user and password against registry (pinging it, and
// fetching a token where it wants one) and, if it accepts them, stores them
// in the default credential store. Wrong credentials store nothing.
func Login(ctx context.Context, registry, user, password string, opts Options) error {
	store, err := DefaultCredentialStore()
	if err != nil {
		return err
	}
	if err := Verify(ctx, registry, user, password, opts); err != nil {
		return err
	}
	return store.Store(normalizeRegistry(registry), Credentials{Username: user, Password: password})
}

// Verify is Login without the storing: whether registry accepts user and
// password. The daemon's POST /auth answers `docker login` with it; the
// client keeps the credentials, and sends them with each pull and push.
func Verify(ctx context.Context, registry, user, password string, opts Options) error {
	opts.Keychain = StaticKeychain(Credentials{Username: user, Password: password})
	return verifyLogin(ctx, normalizeRegistry(registry), opts)
}

// verifyLogin asks for GET /v2/ with the credentials: Basic sends them to
// the registry, Bearer to the token server (for a token with no scope, as
// docker login does), and either way the registry must then answer 200.
func verifyLogin(ctx context.Context, registry string, opts Options) error {
	c, err := dial(ctx, registry, opts)
	if err != nil {
		return err
	}
	user := c.auth.creds.Username
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("/v2/"), nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req)
	if err != nil {
		if errors.Is(err, ErrUnauthorized) {
			return wrapf(ErrUnauthorized, err, "login to %s as %s: wrong username or password: %v", registry, user, err)
		}
		return err
	}
	if resp.StatusCode != http.StatusOK {
		e := readError(resp)
		if errors.Is(e, ErrUnauthorized) {
			return wrapf(ErrUnauthorized, e, "login to %s as %s: wrong username or password (%v)", registry, user, e)
		}
		return fmt.Errorf("login to %s: GET /v2/: %w", registry, e)
	}
	if _, err := readBody(resp, maxPingSize, "the answer to GET /v2/"); err != nil {
		return fmt.Errorf("login to %s: %w", registry, err)
	}
	return nil
}

// Logout forgets the credentials for registry in the default store.
func Logout(registry string) error {
	store, err := DefaultCredentialStore()
	if err != nil {
		return err
	}
	return store.Erase(registry)
}

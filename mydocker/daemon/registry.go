// The registry's side of the images endpoints: pull (POST /images/create),
// push and `docker login` (POST /auth). Credentials come with each request
// (X-Registry-Auth), as the client keeps them: the daemon stores none.
// Pull and push answer with a stream of Docker's progress messages
// (progress.go), one per event the engine sends.

package daemon

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/reference"
)

// images is the engine's image service for a request: credentials come
// from its X-Registry-Auth header only, as dockerd's do (the daemon never
// uses a credential store of its own user's).
func (s *Server) images(r *http.Request) (*engine.Images, error) {
	creds, err := registryAuth(r.Header.Get("X-Registry-Auth"))
	if err != nil {
		return nil, err
	}
	return &engine.Images{DataRoot: s.DataRoot, Insecure: s.Insecure, UserAgent: "mydocker/" + Version, Keychain: remote.StaticKeychain(creds)}, nil
}

// registryAuth decodes X-Registry-Auth: base64url of {"username",
// "password"} (or "auth", base64 of user:password). Empty or "{}" is no
// credentials: an anonymous pull.
func registryAuth(header string) (remote.Credentials, error) {
	var c remote.Credentials
	if header == "" {
		return c, nil
	}
	data, err := base64.URLEncoding.DecodeString(header)
	if err != nil {
		if data, err = base64.StdEncoding.DecodeString(header); err != nil {
			if data, err = base64.RawURLEncoding.DecodeString(header); err != nil {
				return c, badRequest("invalid X-Registry-Auth header: want base64 of JSON")
			}
		}
	}
	var a struct{ Username, Password, Auth string }
	if len(data) > 0 {
		if err := json.Unmarshal(data, &a); err != nil {
			return c, badRequest("invalid X-Registry-Auth header: %v", err)
		}
	}
	if a.Username == "" && a.Auth != "" {
		if up, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
			a.Username, a.Password, _ = strings.Cut(string(up), ":")
		}
	}
	return remote.Credentials{Username: a.Username, Password: a.Password}, nil
}

// imageCreate is POST /images/create: a pull (?fromImage=NAME&tag=TAG) or
// an import of a root filesystem tar sent as the body (?fromSrc=-&repo=).
func (s *Server) imageCreate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("fromSrc") != "" {
		return s.imageImport(w, r)
	}
	name := q.Get("fromImage")
	if name == "" {
		return badRequest("fromImage or fromSrc is required")
	}
	if tag := q.Get("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			name += "@" + tag
		} else {
			name += ":" + tag
		}
	}
	ref, err := reference.Parse(name)
	if err != nil {
		return badRequest("%s", err.Error())
	}
	images, err := s.images(r)
	if err != nil {
		return err
	}
	p := newProgressStream(w, r)
	_, err = images.Pull(r.Context(), ref, p.pullEvent)
	if err != nil {
		return p.fail(pullStatus(err), err)
	}
	s.event("image", "pull", ref.Familiar(), map[string]string{"name": ref.Familiar()})
	return p.end()
}

// pullStatus is the status of a pull that failed before its stream began:
// 404 for an image the registry does not have, as dockerd answers.
func pullStatus(err error) int {
	switch {
	case errors.Is(err, remote.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, remote.ErrUnauthorized):
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// imagePush is POST /images/{name}/push?tag=: the push's progress, then
// Docker's aux message with the digest, which the client prints.
func (s *Server) imagePush(w http.ResponseWriter, r *http.Request, name string) error {
	if tag := r.URL.Query().Get("tag"); tag != "" {
		name += ":" + tag
	}
	ref, err := reference.Parse(name)
	if err != nil {
		return badRequest("%s", err.Error())
	}
	images, err := s.images(r)
	if err != nil {
		return err
	}
	if _, err := (&engine.Images{DataRoot: s.DataRoot}).Inspect(ref.String()); err != nil {
		return imageError(ref.Familiar(), err)
	}
	p := newProgressStream(w, r)
	d, err := images.Push(r.Context(), ref.String(), p.pushEvent)
	if err != nil {
		return p.fail(http.StatusInternalServerError, err)
	}
	p.aux(map[string]any{"Tag": ref.Tag, "Digest": d, "Size": p.manifestSize})
	s.event("image", "push", ref.Familiar(), map[string]string{"name": ref.Familiar()})
	return p.end()
}

// auth is POST /auth, `docker login`: the daemon checks the credentials
// against the registry and stores nothing; the client keeps them and sends
// them with each pull and push (X-Registry-Auth). Wrong ones are a 401.
func (s *Server) auth(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Username, Password, ServerAddress string
	}
	if err := readJSON(r, &req); err != nil {
		return err
	}
	server := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(req.ServerAddress, "https://"), "http://"), "/")
	if server == "" || server == "index.docker.io/v1" {
		server = reference.DefaultRegistry
	}
	if err := remote.Verify(r.Context(), server, req.Username, req.Password, remote.Options{Insecure: s.Insecure, UserAgent: "mydocker/" + Version}); err != nil {
		if errors.Is(err, remote.ErrUnauthorized) {
			return &apiError{http.StatusUnauthorized, err.Error()}
		}
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"Status": "Login Succeeded", "IdentityToken": ""})
}

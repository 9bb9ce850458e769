// The image commands as the daemon's client (chapter 09): tag, rmi, push,
// save, load, import, mkimage, login. Each parsed its flags daemonless's
// way in images.go or registry.go and branched here when g.client is set;
// each prints what it prints daemonless, off a terminal.
//
// Credentials stay with the client, as Docker keeps them in
// ~/.docker/config.json: login asks the daemon to check them (POST /auth)
// and, if it accepts, stores them in the same file daemonless login does
// (remote.DefaultCredentialStore); logout only forgets them there. A pull
// or push sends the registry's credentials with the request, as
// X-Registry-Auth; the daemon keeps none, and reaches registries over
// plain HTTP only where its own --insecure-registry says so.
//
// Docker has no endpoint for mkimage: the client builds the built-in image
// in memory (engine.BusyboxImage, the same config and so the same ID as
// daemonless's) and hands it over as a `docker save` tarball
// (POST /images/load), as `docker load` would.

package cli

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/mydocker/mydocker/mydocker/client"
	"github.com/mydocker/mydocker/mydocker/daemon"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/tarball"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/store"
)

// imagePath is /images/NAME plus what follows, each segment of the name
// escaped: a name keeps its slashes ("127.0.0.1:5000/app/web"), which the
// daemon's routes expect, but nothing a user typed can add a query.
func imagePath(name string, rest ...string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/images/" + strings.Join(segs, "/") + strings.Join(rest, "")
}

// imageErr words the daemon's answers as daemonless does: Docker's "No
// such image: x" is the store's "no such image: x"; a layer over a limit
// (413) is the engine refusing, exit 125, as daemonless.
func imageErr(err error) error {
	var e *client.Error
	if !errors.As(err, &e) {
		return err
	}
	if name, ok := strings.CutPrefix(e.Message, "No such image: "); ok && e.Status == http.StatusNotFound {
		return fmt.Errorf("%w: %s", store.ErrNotFound, name)
	}
	if e.Status == http.StatusRequestEntityTooLarge {
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	return err
}

// printMessages reads an answer of Docker's progress messages (a pull, a
// push, a load, an import) back into the engine's events for show, as
// daemonless shows its own (nil shows nothing). An error ends it.
func printMessages(body io.Reader, show func(engine.Event)) error {
	dec := json.NewDecoder(body)
	for {
		var m daemon.JSONMessage
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("the daemon's progress: %w", err)
		}
		if err := m.Err(); err != nil {
			return err
		}
		if e, ok := m.Event(); ok && show != nil {
			show(e)
		}
	}
}

// registryAuth is X-Registry-Auth for a pull from or push to registry:
// what `mydocker login` stored for it, as base64url of Docker's
// AuthConfig JSON; "" for an anonymous request.
func registryAuth(registry string) (http.Header, error) {
	creds, err := remote.DefaultCredentialStore()
	if err != nil {
		return nil, err
	}
	c, err := creds.Resolve(registry)
	if err != nil || c.Username == "" {
		return nil, err
	}
	data, _ := json.Marshal(map[string]string{"username": c.Username, "password": c.Password, "serveraddress": registry})
	h := http.Header{}
	h.Set("X-Registry-Auth", base64.URLEncoding.EncodeToString(data))
	return h, nil
}

// setRepoTag names ref in q as Docker's repo= and tag= do (tag, import,
// commit): the familiar repository, and the tag if it has one.
func setRepoTag(q url.Values, ref reference.Reference) {
	q.Set("repo", ref.FamiliarName())
	if ref.Tag != "" {
		q.Set("tag", ref.Tag)
	}
}

// remoteTag is POST /images/{src}/tag?repo=&tag=.
func remoteTag(g *Globals, src, dst string) error {
	ref, err := reference.Parse(dst)
	if err != nil {
		return err
	}
	q := url.Values{}
	setRepoTag(q, ref)
	return imageErr(g.client.JSON("POST", imagePath(src, "/tag"), q, nil, nil))
}

// remoteRmi is DELETE /images/{name}?force= for each name: Docker's
// [{"Untagged"}, {"Deleted"}] printed as daemonless prints its removals;
// the errors joined, as daemonless's.
func remoteRmi(g *Globals, names []string, force bool) error {
	var q url.Values
	if force {
		q = url.Values{"force": {"1"}}
	}
	var errs []error
	for _, name := range names {
		var out []struct{ Untagged, Deleted string }
		if err := g.client.JSON("DELETE", imagePath(name), q, nil, &out); err != nil {
			errs = append(errs, imageErr(err))
			continue
		}
		for _, r := range out {
			if r.Untagged != "" {
				fmt.Fprintf(g.Stdout, "Untagged: %s\n", r.Untagged)
			}
			if r.Deleted != "" {
				fmt.Fprintf(g.Stdout, "Deleted: %s\n", r.Deleted)
			}
		}
	}
	return errors.Join(errs...)
}

// remotePush is POST /images/{name}/push?tag=, with the registry's
// credentials. The daemon checks the image before its stream begins; an
// image it lacks is a 404, which daemonless words after the push's first
// line.
func remotePush(g *Globals, name string) error {
	ref, err := reference.Parse(name)
	if err != nil {
		return err
	}
	ref = ref.WithDefaultTag()
	auth, err := registryAuth(ref.Registry)
	if err != nil {
		return err
	}
	resp, err := g.client.DoWith("POST", imagePath(ref.FamiliarName(), "/push"), url.Values{"tag": {ref.Tag}}, nil, auth)
	if client.IsNotFound(err) {
		fmt.Fprintf(g.Stdout, "The push refers to repository [%s]\n", ref.Name())
		return fmt.Errorf("%w: %s", store.ErrNotFound, ref)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return printMessages(resp.Body, newProgress(g.Stdout).Update)
}

// remotePull is POST /images/create?fromImage=&tag=, with the registry's
// credentials: the daemon pulls and streams Docker's progress JSON. The
// first line ("latest: Pulling from ...") the daemon holds back until the
// registry has answered, as dockerd; each message goes to progress as
// daemonless's events do (nil shows nothing: pull -q).
func remotePull(g *Globals, ref reference.Reference, progress func(engine.Event)) error {
	q := url.Values{"fromImage": {ref.FamiliarName()}, "tag": {ref.Tag}}
	if ref.Digest != "" {
		q.Set("tag", string(ref.Digest))
	}
	auth, err := registryAuth(ref.Registry)
	if err != nil {
		return err
	}
	resp, err := g.client.DoWith("POST", "/images/create", q, nil, auth)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return printMessages(resp.Body, progress)
}

// remoteSave is GET /images/get?names=...: the tarball as the daemon
// writes it, onto w (saveCmd's temp file, renamed once whole, or stdout).
// A stream the daemon broke off is an error, so no file is made of it.
func remoteSave(g *Globals, names []string, w io.Writer) error {
	resp, err := g.client.Do("GET", "/images/get", url.Values{"names": names}, nil)
	if err != nil {
		return imageErr(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("save: the daemon's tarball: %w", err)
	}
	return nil
}

// remoteLoad is POST /images/load?quiet=1, the tarball as the body, read
// as it goes: "Loaded image: ..." events, shown as daemonless shows them.
func remoteLoad(g *Globals, r io.Reader, show func(engine.Event)) error {
	h := http.Header{}
	h.Set("Content-Type", "application/x-tar")
	resp, err := g.client.DoWith("POST", "/images/load", url.Values{"quiet": {"1"}}, r, h)
	if err != nil {
		return imageErr(err)
	}
	defer resp.Body.Close()
	return printMessages(resp.Body, show)
}

// remoteImport is POST /images/create?fromSrc=-&repo=&tag=, the root
// filesystem tar as the body; the answer's status is the image's ID,
// printed as daemonless prints it.
func remoteImport(g *Globals, r io.Reader, name string) error {
	ref, err := reference.Parse(name)
	if err != nil {
		return err
	}
	q := url.Values{"fromSrc": {"-"}}
	setRepoTag(q, ref)
	h := http.Header{}
	h.Set("Content-Type", "application/x-tar")
	resp, err := g.client.DoWith("POST", "/images/create", q, r, h)
	if err != nil {
		return imageErr(err)
	}
	defer resp.Body.Close()
	return printMessages(resp.Body, func(e engine.Event) { fmt.Fprintln(g.Stdout, e) })
}

// remoteMkimage builds the built-in image here and loads it into the
// daemon as a one-image `docker save` tarball, written into the request
// as it is sent. It prints daemonless's two lines, the ID the daemon's.
func remoteMkimage(g *Globals, name string) error {
	ref, err := reference.Parse(name)
	if err != nil {
		return err
	}
	ref = ref.WithDefaultTag()
	img, bin, err := engine.BusyboxImage()
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(tarball.Write(pw, []tarball.Entry{{Image: img, RepoTags: []string{ref.Familiar()}}}))
	}()
	err = remoteLoad(g, pr, nil)
	pr.CloseWithError(io.ErrClosedPipe) // the writer stops if the daemon did not read it all
	if err != nil {
		return err
	}
	var inspect struct {
		ID string `json:"Id"`
	}
	if err := g.client.JSON("GET", imagePath(ref.Familiar(), "/json"), nil, nil, &inspect); err != nil {
		return imageErr(err)
	}
	if want, _ := img.ConfigName(); inspect.ID != string(want) {
		return fmt.Errorf("mkimage %s: the daemon stored %s, built %s", ref.Familiar(), inspect.ID, want)
	}
	fmt.Fprintf(g.Stdout, "%s: built from %s\n", reference.FamiliarName(name), bin)
	fmt.Fprintln(g.Stdout, inspect.ID)
	return nil
}

// remoteLogin is POST /auth: the daemon checks the credentials against
// the registry (over plain HTTP only if its --insecure-registry allows);
// the client keeps them, in daemonless's credential store.
func remoteLogin(g *Globals, server, user, password string) error {
	req := map[string]string{"username": user, "password": password, "serveraddress": server}
	if err := g.client.JSON("POST", "/auth", nil, req, nil); err != nil {
		return err
	}
	creds, err := remote.DefaultCredentialStore()
	if err != nil {
		return err
	}
	return creds.Store(server, remote.Credentials{Username: user, Password: password})
}

// remoteLoadFrom is load's -i FILE, or stdin, sent to the daemon, its
// events shown by show.
func remoteLoadFrom(g *Globals, input string, show func(engine.Event)) error {
	var r io.Reader = os.Stdin
	if input != "" {
		f, err := os.Open(input)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	return remoteLoad(g, r, show)
}

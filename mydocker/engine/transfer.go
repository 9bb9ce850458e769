// Images in and out of the store, as dockerd's /images endpoints move them:
// pull and push (a registry), save and load (a docker save tarball), import
// (a root filesystem tar) and tag. Each operation tells its progress as
// Events, the lines dockerd streams to its client ("a3ed95caeb02:
// Downloading", "Digest: sha256:…"): the cli prints them
// (cli/progress.go), and the daemon of chapter 09 will send the same
// events as JSON messages. The command line only parses and prints.

package engine

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/tarball"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/store"
)

// Images is the image service of one data root, with the registry
// settings its pulls and pushes use.
type Images struct {
	DataRoot  string
	Insecure  []string        // registries reachable over plain HTTP (--insecure-registry)
	UserAgent string          // sent to registries
	Keychain  remote.Keychain // credentials; nil is `mydocker login`'s store
}

// Event is one line of an image operation's output: a layer's step
// (Status, with Done of Total bytes when Status.HasBar), or, when Status
// is 0, a line about the whole image (Message, about ID if ID is set).
type Event struct {
	ID      string       // a layer's short digest; or what Message is about ("latest")
	Status  store.Status // a layer's step; 0 for a message
	Done    int64
	Total   int64
	Message string
}

// String is the line as docker prints it without a terminal.
func (e Event) String() string {
	text := e.Message
	if e.Status != 0 {
		text = e.Status.String()
	}
	if e.ID == "" {
		return text
	}
	return e.ID + ": " + text
}

// say sends a message, if anyone listens.
func say(progress func(Event), id, format string, args ...any) {
	if progress != nil {
		progress(Event{ID: id, Message: fmt.Sprintf(format, args...)})
	}
}

// registry is the options of a pull or push: the insecure registries and
// the credentials.
func (s *Images) registry() (remote.Options, error) {
	opts := remote.Options{Insecure: s.Insecure, Keychain: s.Keychain, UserAgent: s.UserAgent}
	if opts.Keychain == nil {
		creds, err := remote.DefaultCredentialStore()
		if err != nil {
			return opts, err
		}
		opts.Keychain = creds
	}
	return opts, nil
}

// Pull fetches ref (its tag defaulted to latest if it has none) into the
// store, with Docker's lines: "latest: Pulling from library/busybox", each
// layer's steps, "Digest: …" and "Status: …". It returns the manifest's
// digest.
func (s *Images) Pull(ctx context.Context, ref reference.Reference, progress func(Event)) (digest.Digest, error) {
	ref = ref.WithDefaultTag()
	opts, err := s.registry()
	if err != nil {
		return "", err
	}
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return "", err
	}
	say(progress, ref.Identifier(), "Pulling from %s", ref.Repository)
	img, fresh, err := images.Pull(ctx, ref, opts, func(p store.Progress) {
		if progress != nil {
			progress(Event{ID: p.ID, Status: p.Status, Done: p.Done, Total: p.Total})
		}
	})
	if err != nil {
		return "", fmt.Errorf("pull %s: %w", ref.Familiar(), err)
	}
	d, _ := img.Digest()
	say(progress, "", "Digest: %s", d)
	if fresh {
		say(progress, "", "Status: Downloaded newer image for %s", ref.Familiar())
	} else {
		say(progress, "", "Status: Image is up to date for %s", ref.Familiar())
	}
	return d, nil
}

// Push sends the image called name to the registry its name points at,
// with Docker's lines: "The push refers to repository […]", each layer's
// steps (the config's upload is not shown, as docker does not show it),
// and "latest: digest: … size: …". It returns the manifest's digest.
func (s *Images) Push(ctx context.Context, name string, progress func(Event)) (digest.Digest, error) {
	ref, err := reference.Parse(name)
	if err != nil {
		return "", err
	}
	ref = ref.WithDefaultTag()
	opts, err := s.registry()
	if err != nil {
		return "", err
	}
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return "", err
	}
	say(progress, "", "The push refers to repository [%s]", ref.Name())
	img, _, err := images.Get(ref.String())
	if err != nil {
		return "", err
	}
	isLayer, err := layerDigests(img)
	if err != nil {
		return "", err
	}
	opts.Progress = func(e remote.Event) {
		if progress != nil && isLayer[e.Digest] {
			progress(Event{ID: e.Digest.Short(), Status: pushStatus[e.Action], Done: e.Done, Total: e.Total})
		}
	}
	d, err := images.Push(ctx, ref.String(), opts)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", ref.Familiar(), err)
	}
	m, _ := img.RawManifest()
	say(progress, "", "%s: digest: %s size: %d", ref.Identifier(), d, len(m))
	return d, nil
}

// pushStatus is the step docker shows for each of the registry client's.
var pushStatus = map[remote.Action]store.Status{
	remote.ActionExists:  store.LayerAlreadyExists,
	remote.ActionPushing: store.Pushing,
	remote.ActionPushed:  store.Pushed,
}

// layerDigests is the set of img's layer blobs.
func layerDigests(img image.Image) (map[digest.Digest]bool, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	out := map[digest.Digest]bool{}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		out[d] = true
	}
	return out, nil
}

// Login checks user and password against a registry and keeps them in
// `mydocker login`'s credential store.
func (s *Images) Login(ctx context.Context, server, user, password string) error {
	opts, err := s.registry()
	if err != nil {
		return err
	}
	return remote.Login(ctx, server, user, password, opts)
}

// Logout forgets a registry's credentials.
func (s *Images) Logout(server string) error { return remote.Logout(server) }

// Save writes the named images to w as one `docker save` tarball. An
// image named by a tag is saved under that tag; one named by its ID is
// saved without a name, as Docker does.
func (s *Images) Save(w io.Writer, names []string) error {
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return err
	}
	var entries []tarball.Entry
	for _, name := range names {
		img, rec, err := images.Get(name)
		if err != nil {
			return err
		}
		e := tarball.Entry{Image: img}
		if ref, err := reference.Parse(name); err == nil && rec.Ref != "" && !strings.HasPrefix(name, "sha256:") {
			e.RepoTags = []string{ref.WithDefaultTag().Familiar()}
		}
		entries = append(entries, e)
	}
	return tarball.Write(w, entries)
}

// Load stores the images of a `docker save` tarball read from r, each
// under its tags ("Loaded image: busybox:latest"), or by its ID when it has
// none ("Loaded image ID: sha256:…").
func (s *Images) Load(r io.Reader, progress func(Event)) error {
	if err := fsutil.MkdirPrivate(s.DataRoot); err != nil { // the spool's place, on a first load
		return err
	}
	tb, err := tarball.Read(r, s.DataRoot)
	if err != nil {
		return err
	}
	defer tb.Close()
	return s.load(tb, progress)
}

// LoadFile is Load of the tarball at path, read in place.
func (s *Images) LoadFile(path string, progress func(Event)) error {
	tb, err := tarball.Open(path)
	if err != nil {
		return err
	}
	defer tb.Close()
	return s.load(tb, progress)
}

func (s *Images) load(tb *tarball.Tarball, progress func(Event)) error {
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return err
	}
	for _, e := range tb.Entries {
		// Unpacked before it is named: a layer over a limit leaves no name.
		if _, err := images.Unpack(e.Image, nil); err != nil {
			return err
		}
		if len(e.RepoTags) == 0 {
			if err := images.Layout().Write(e.Image, nil); err != nil {
				return err
			}
			id, _ := e.Image.ConfigName()
			say(progress, "", "Loaded image ID: %s", id)
			continue
		}
		for _, tag := range e.RepoTags {
			if err := images.Put(tag, e.Image); err != nil {
				return err
			}
			say(progress, "", "Loaded image: %s", reference.FamiliarName(tag))
		}
	}
	return nil
}

// Import makes a one-layer image named name of the root filesystem tar
// (gzipped or not) read from r, and returns its ID.
func (s *Images) Import(r io.Reader, name string) (digest.Digest, error) {
	if _, err := reference.Parse(name); err != nil {
		return "", err
	}
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return "", err
	}
	tr, err := store.TarReader(r)
	if err != nil {
		return "", err
	}
	img, err := images.Import(name, tr, image.ConfigFile{})
	if err != nil {
		return "", err
	}
	return img.ConfigName()
}

// Tag gives the image called src the name dst too.
func (s *Images) Tag(src, dst string) error {
	if _, err := reference.Parse(dst); err != nil {
		return err
	}
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return err
	}
	return images.Tag(src, dst)
}

// The registry commands of chapter 05: pull, push, login, logout, and the
// tarball commands save and load.

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"

	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/image/builtin"
	"github.com/mydocker/mydocker/mydocker/image/remote"
	"github.com/mydocker/mydocker/mydocker/image/tarball"
	"github.com/mydocker/mydocker/mydocker/reference"
	local "github.com/mydocker/mydocker/mydocker/store"
)

// registryOptions are the options every registry operation shares: the
// insecure registries, and the credentials of `mydocker login`.
func registryOptions(g *Globals) (remote.Options, error) {
	creds, err := remote.DefaultCredentialStore()
	if err != nil {
		return remote.Options{}, err
	}
	return remote.Options{Insecure: g.Insecure, Keychain: creds, UserAgent: "mydocker/" + Version}, nil
}

// interruptible is a context cancelled by Ctrl-C, so that a pull stops
// cleanly (its temp files removed) instead of dying mid-write.
func interruptible() (context.Context, func()) {
	return signal.NotifyContext(context.Background(), os.Interrupt, unix.SIGTERM)
}

func pullCmd(g *Globals, args []string) error {
	var quiet bool
	fs := NewFlagSet("pull")
	fs.Bool(&quiet, "quiet", "q", "suppress verbose output")
	rest, err := parse(g, fs, args, 1, 1)
	if err != nil {
		return err
	}
	out := g.Stdout
	if quiet {
		out = io.Discard
	}
	ref, err := pull(g, rest[0], out)
	if err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, ref.String())
	return nil
}

// pull is `docker pull`'s output around Store.Pull.
func pull(g *Globals, name string, out io.Writer) (reference.Reference, error) {
	ref, err := reference.ParseName(name)
	if err != nil {
		return ref, err
	}
	if ref.WithDefaultTag() != ref {
		fmt.Fprintf(out, "Using default tag: %s\n", reference.DefaultTag)
		ref = ref.WithDefaultTag()
	}
	opts, err := registryOptions(g)
	if err != nil {
		return ref, err
	}
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return ref, err
	}
	ctx, stop := interruptible()
	defer stop()
	fmt.Fprintf(out, "%s: Pulling from %s\n", ref.Identifier(), strings.TrimPrefix(ref.Repository, ""))
	img, fresh, err := images.Pull(ctx, ref, opts, newProgress(out).Update)
	if err != nil {
		return ref, fmt.Errorf("pull %s: %w", ref.Familiar(), err)
	}
	d, _ := img.Digest()
	fmt.Fprintf(out, "Digest: %s\n", d)
	if fresh {
		fmt.Fprintf(out, "Status: Downloaded newer image for %s\n", ref.Familiar())
	} else {
		fmt.Fprintf(out, "Status: Image is up to date for %s\n", ref.Familiar())
	}
	return ref, nil
}

func pushCmd(g *Globals, args []string) error {
	rest, err := parse(g, NewFlagSet("push"), args, 1, 1)
	if err != nil {
		return err
	}
	ref, err := reference.Parse(rest[0])
	if err != nil {
		return err
	}
	ref = ref.WithDefaultTag()
	opts, err := registryOptions(g)
	if err != nil {
		return err
	}
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "The push refers to repository [%s]\n", ref.Name())
	img, _, err := images.Get(ref.String())
	if err != nil {
		return err
	}
	layers, _ := img.Layers()
	isLayer := map[string]bool{} // docker shows the layers, not the config
	for _, l := range layers {
		d, _ := l.Digest()
		isLayer[string(d)] = true
	}
	p := newProgress(g.Stdout)
	opts.Progress = func(e remote.Event) {
		if !isLayer[string(e.Digest)] {
			return
		}
		status := map[remote.Action]local.Status{remote.ActionExists: local.LayerAlreadyExists, remote.ActionPushing: local.Pushing, remote.ActionPushed: local.Pushed}[e.Action]
		p.Update(local.Progress{ID: e.Digest.Short(), Status: status, Done: e.Done, Total: e.Total})
	}
	ctx, stop := interruptible()
	defer stop()
	d, err := images.Push(ctx, ref.String(), opts)
	if err != nil {
		return fmt.Errorf("push %s: %w", ref.Familiar(), err)
	}
	m, _ := img.RawManifest()
	fmt.Fprintf(g.Stdout, "%s: digest: %s size: %d\n", ref.Identifier(), d, len(m))
	return nil
}

func loginCmd(g *Globals, args []string) error {
	var user, password string
	var passwordStdin bool
	fs := NewFlagSet("login")
	fs.String(&user, "username", "u", "string", "username")
	fs.String(&password, "password", "p", "string", "password (prefer --password-stdin)")
	fs.Bool(&passwordStdin, "password-stdin", "", "take the password from stdin")
	rest, err := parse(g, fs, args, 0, 1)
	if err != nil {
		return err
	}
	server := reference.DefaultRegistry
	if len(rest) == 1 {
		server = rest[0]
	}
	in := bufio.NewReader(os.Stdin)
	if passwordStdin {
		line, _ := in.ReadString('\n')
		password = strings.TrimRight(line, "\r\n")
	}
	if user == "" {
		fmt.Fprint(g.Stdout, "Username: ")
		line, _ := in.ReadString('\n')
		user = strings.TrimSpace(line)
	}
	if password == "" {
		if password, err = readPassword(g.Stdout); err != nil {
			return err
		}
	}
	if user == "" || password == "" {
		return errors.New("login needs a username and a password: -u USER --password-stdin")
	}
	opts, err := registryOptions(g)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	if err := remote.Login(ctx, server, user, password, opts); err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, "Login Succeeded")
	return nil
}

// readPassword reads a line from the terminal with echo off.
func readPassword(w io.Writer) (string, error) {
	fd := int(os.Stdin.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", errors.New("no password given and stdin is not a terminal: use --password-stdin")
	}
	fmt.Fprint(w, "Password: ")
	noEcho := *old
	noEcho.Lflag &^= unix.ECHO
	unix.IoctlSetTermios(fd, unix.TCSETS, &noEcho)
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	fmt.Fprintln(w)
	return strings.TrimRight(line, "\r\n"), err
}

func logoutCmd(g *Globals, args []string) error {
	rest, err := parse(g, NewFlagSet("logout"), args, 0, 1)
	if err != nil {
		return err
	}
	server := reference.DefaultRegistry
	if len(rest) == 1 {
		server = rest[0]
	}
	if err := remote.Logout(server); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "Removing login credentials for %s\n", server)
	return nil
}

func saveCmd(g *Globals, args []string) error {
	var output string
	fs := NewFlagSet("save")
	fs.String(&output, "output", "o", "file", "write to a file, instead of STDOUT")
	names, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	images, err := local.Open(g.DataRoot)
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
	var w io.Writer = g.Stdout
	var f *fsutil.File
	if output != "" {
		// Into a temp file beside the target, renamed at the end: an
		// interrupted save leaves no truncated tarball under the name.
		// 0600, as `docker save -o` makes it.
		if f, err = fsutil.Create(output, 0o600); err != nil {
			return err
		}
		defer f.Close()
		w = f
	} else if o, ok := g.Stdout.(*os.File); ok && runtime.IsTerminal(o) {
		return errors.New("cowardly refusing to save to a terminal: use -o FILE or redirect")
	}
	if err := tarball.Write(w, entries); err != nil {
		return err
	}
	if f != nil {
		return f.Commit()
	}
	return nil
}

func loadCmd(g *Globals, args []string) error {
	var input string
	var quiet bool
	fs := NewFlagSet("load")
	fs.String(&input, "input", "i", "file", "read from a tar archive file, instead of STDIN")
	fs.Bool(&quiet, "quiet", "q", "suppress the load output")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	var tb *tarball.Tarball
	var err error
	if input != "" {
		tb, err = tarball.Open(input)
	} else {
		tb, err = tarball.Read(os.Stdin)
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", orStdin(input), err)
	}
	defer tb.Close()
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	for _, e := range tb.Entries {
		if _, err := images.Unpack(e.Image, nil); err != nil {
			return fmt.Errorf("load %s: %w", orStdin(input), err)
		}
		if len(e.RepoTags) == 0 {
			if err := images.Layout().Write(e.Image, nil); err != nil {
				return err
			}
			id, _ := e.Image.ConfigName()
			fmt.Fprintf(g.Stdout, "Loaded image ID: %s\n", id)
			continue
		}
		for _, tag := range e.RepoTags {
			if err := images.Put(tag, e.Image); err != nil {
				return err
			}
			fmt.Fprintf(g.Stdout, "Loaded image: %s\n", familiar(tag))
		}
	}
	return nil
}

func orStdin(path string) string {
	if path == "" {
		return "stdin"
	}
	return path
}

// ensureImage carries out `run --pull policy` for name, telling the user on
// stderr what it does, as `docker run` does.
func ensureImage(g *Globals, name, policy string) error {
	action, ref, err := engine.DecidePull(g.DataRoot, name, policy)
	if err != nil {
		if !slices.Contains(engine.PullPolicies, policy) {
			return &usageError{"run", err}
		}
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	if action == engine.UseLocal {
		return nil
	}
	if policy == "missing" {
		fmt.Fprintf(g.Stderr, "Unable to find image '%s' locally\n", ref.Familiar())
	}
	if action == engine.BuildBusybox {
		// The one image mydocker can make itself: no registry needed.
		fmt.Fprintln(g.Stderr, "Building it from the host's static busybox (mydocker mkimage busybox)")
		err = buildBusybox(g, builtin.Name, g.Stderr)
	} else {
		_, err = pull(g, ref.String(), g.Stderr)
	}
	if err != nil {
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	return nil
}

// The registry commands of chapter 05: pull, push, login, logout, and the
// tarball commands save and load. Each parses its flags, calls the
// engine's image service (engine.Images, mydocker/engine/transfer.go) and
// prints the events it sends.

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

// imageService is the engine's image service for the data root and the
// registries the global flags name.
func imageService(g *Globals) *engine.Images {
	return &engine.Images{DataRoot: g.DataRoot, Insecure: g.Insecure, UserAgent: "mydocker/" + Version}
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
	ref, err := reference.ParseName(rest[0])
	if err != nil {
		return err
	}
	var progress func(engine.Event)
	if !quiet {
		progress = newProgress(g.Stdout).Update
	}
	if ref.WithDefaultTag() != ref {
		// Docker's client says so, before it asks for the pull.
		if !quiet {
			fmt.Fprintf(g.Stdout, "Using default tag: %s\n", reference.DefaultTag)
		}
		ref = ref.WithDefaultTag()
	}
	if g.client != nil {
		if err := remotePull(g, ref, progress); err != nil {
			return err
		}
		fmt.Fprintln(g.Stdout, ref.String())
		return nil
	}
	ctx, stop := interruptible()
	defer stop()
	if _, err := imageService(g).Pull(ctx, ref, progress); err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, ref.String())
	return nil
}

func pushCmd(g *Globals, args []string) error {
	rest, err := parse(g, NewFlagSet("push"), args, 1, 1)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remotePush(g, rest[0])
	}
	ctx, stop := interruptible()
	defer stop()
	_, err = imageService(g).Push(ctx, rest[0], newProgress(g.Stdout).Update)
	return err
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
	if g.client != nil {
		err = remoteLogin(g, server, user, password)
	} else {
		ctx, stop := interruptible()
		defer stop()
		err = imageService(g).Login(ctx, server, user, password)
	}
	if err != nil {
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
	if err := imageService(g).Logout(server); err != nil {
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
	if g.client != nil {
		err = remoteSave(g, names, w)
	} else {
		err = imageService(g).Save(w, names)
	}
	if err != nil {
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
	show := func(e engine.Event) { fmt.Fprintln(g.Stdout, e) }
	var err error
	switch {
	case g.client != nil:
		err = remoteLoadFrom(g, input, show)
	case input != "":
		err = imageService(g).LoadFile(input, show)
	default:
		err = imageService(g).Load(os.Stdin, show)
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", orStdin(input), err)
	}
	return nil
}

func orStdin(path string) string {
	if path == "" {
		return "stdin"
	}
	return path
}

// ensureImage carries out `run --pull policy` for name, telling the user
// on stderr what it does, as `docker run` does.
func ensureImage(g *Globals, name, policy string) error {
	ctx, stop := interruptible()
	defer stop()
	err := imageService(g).Ensure(ctx, name, policy, newProgress(g.Stderr).Update)
	switch {
	case errors.Is(err, engine.ErrPullPolicy):
		return &usageError{"run", err}
	case err != nil:
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	return nil
}

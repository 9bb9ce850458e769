// The image commands of chapter 04: mkimage, import, images, tag, rmi,
// commit and diff, with Docker's flags, columns and messages.

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"

	"github.com/mydocker/mydocker/mydocker/doctor"
	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/builtin"
	"github.com/mydocker/mydocker/mydocker/reference"
	local "github.com/mydocker/mydocker/mydocker/store"
)

func mkimageCmd(g *Globals, args []string) error {
	var output string
	fs := NewFlagSet("mkimage")
	fs.String(&output, "output", "o", "file", "write the root filesystem tar to a file instead of storing an image")
	rest, err := parse(g, fs, args, 1, 2)
	if err != nil {
		return err
	}
	if rest[0] != "busybox" {
		return &usageError{"mkimage", fmt.Errorf("unknown built-in image %q: the one built-in image is busybox", rest[0])}
	}
	name := builtin.Name
	if len(rest) == 2 {
		name = rest[1]
	}
	if output != "" {
		tarBytes, _, _, err := busyboxRootfs()
		if err != nil {
			return err
		}
		return fsutil.WriteFile(output, tarBytes, 0o644)
	}
	return buildBusybox(g, name, g.Stdout)
}

// busyboxRootfs builds the default image's root filesystem from the
// host's static busybox.
func busyboxRootfs() ([]byte, image.ConfigFile, string, error) {
	bin, err := doctor.FindStaticBusybox()
	if err != nil {
		return nil, image.ConfigFile{}, "", fmt.Errorf("%v: install busybox-static (sudo apt-get install busybox-static)", err)
	}
	tarBytes, cfg, err := builtin.Busybox(bin)
	return tarBytes, cfg, bin, err
}

// buildBusybox stores the built-in image under name.
func buildBusybox(g *Globals, name string, out io.Writer) error {
	tarBytes, cfg, bin, err := busyboxRootfs()
	if err != nil {
		return err
	}
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	img, err := images.Import(name, bytes.NewReader(tarBytes), cfg)
	if err != nil {
		return err
	}
	id, _ := img.ConfigName()
	fmt.Fprintf(out, "%s: built from %s\n%s\n", familiar(name), bin, id)
	return nil
}

func importCmd(g *Globals, args []string) error {
	fs := NewFlagSet("import")
	rest, err := parse(g, fs, args, 2, 2)
	if err != nil {
		return err
	}
	var r io.Reader = os.Stdin
	if rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	if _, err := reference.Parse(rest[1]); err != nil {
		return err
	}
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	tr, err := local.TarReader(r)
	if err != nil {
		return fmt.Errorf("import %s: %w", rest[0], err)
	}
	img, err := images.Import(rest[1], tr, image.ConfigFile{})
	if err != nil {
		return fmt.Errorf("import %s: %w", rest[0], err)
	}
	id, _ := img.ConfigName()
	fmt.Fprintln(g.Stdout, id)
	return nil
}

func imagesCmd(g *Globals, args []string) error {
	var quiet, noTrunc bool
	fs := NewFlagSet("images")
	fs.Bool(&quiet, "quiet", "q", "only show image IDs")
	fs.Bool(&noTrunc, "no-trunc", "", "don't truncate output")
	rest, err := parse(g, fs, args, 0, 1)
	if err != nil {
		return err
	}
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	list, err := images.List()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 8, 3, ' ', 0)
	if !quiet {
		fmt.Fprintln(tw, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE")
	}
	now := time.Now()
	for _, r := range list {
		repo, tag := "<none>", "<none>"
		if ref, err := reference.Parse(r.Ref); err == nil && r.Ref != "" {
			repo, tag = ref.FamiliarName(), ref.Tag
			if tag == "" {
				tag = "<none>"
			}
		}
		if len(rest) == 1 && repo != rest[0] && repo+":"+tag != rest[0] {
			continue
		}
		id := r.ID.Short()
		if noTrunc {
			id = string(r.ID)
		}
		if quiet {
			fmt.Fprintln(tw, id)
			continue
		}
		created := "N/A"
		if !r.Created.IsZero() {
			created = HumanDuration(now.Sub(r.Created)) + " ago"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", repo, tag, id, created, HumanSize(r.Size))
	}
	return tw.Flush()
}

func tagCmd(g *Globals, args []string) error {
	rest, err := parse(g, NewFlagSet("tag"), args, 2, 2)
	if err != nil {
		return err
	}
	if _, err := reference.Parse(rest[1]); err != nil {
		return err
	}
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	return images.Tag(rest[0], rest[1])
}

func rmiCmd(g *Globals, args []string) error {
	var force bool
	fs := NewFlagSet("rmi")
	fs.Bool(&force, "force", "f", "force removal of the image")
	refs, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	// Exclusive: no container may start from an image while it is checked
	// for users and removed, or lose a layer the collection removes.
	unlock, err := engine.LockDataRoot(g.DataRoot, true)
	if err != nil {
		return err
	}
	defer unlock()
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range refs {
		if err := removeImage(g, images, store, ref, force); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(append(errs, collectLayersLocked(g, store))...)
}

// removeImage is Docker's rmi of one name. A tag is untagged; if it was the
// image's last name and no container uses the image, the image goes too.
// An ID removes the image, and all its names, unless that is ambiguous or
// the image is in use (-f overrides both).
func removeImage(g *Globals, images *local.Store, store *engine.Store, name string, force bool) error {
	_, rec, err := images.Get(name)
	if err != nil {
		return err
	}
	all, _ := images.List()
	var names []string
	for _, r := range all {
		if r.Digest == rec.Digest && r.Ref != "" {
			names = append(names, r.Ref)
		}
	}
	ref, perr := reference.Parse(name)
	byName := perr == nil && slices.Contains(names, ref.String())
	if byName && len(names) > 1 {
		fmt.Fprintf(g.Stdout, "Untagged: %s\n", ref.Familiar())
		return images.Untag(name)
	}
	if !byName && len(names) > 1 && !force {
		return fmt.Errorf("conflict: unable to delete %s (must be forced): the image is referenced in %d repositories", rec.ID.Short(), len(names))
	}
	users := usersOf(store, rec.ID)
	if len(users) > 0 && !force {
		return fmt.Errorf("conflict: unable to remove image %s: container %s uses it (remove the container first, or use -f)", name, users[0])
	}
	for _, n := range names {
		fmt.Fprintf(g.Stdout, "Untagged: %s\n", familiar(n))
	}
	if err := images.RemoveID(rec.Digest); err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintf(g.Stdout, "Deleted: %s\n", rec.ID)
	}
	return nil
}

// usersOf lists the containers, running or not, made from image id.
func usersOf(store *engine.Store, id image.Digest) []string {
	all, _ := store.List()
	var out []string
	for _, c := range all {
		if c.ImageID == id {
			out = append(out, engine.ShortID(c.ID))
		}
	}
	return out
}

func commitCmd(g *Globals, args []string) error {
	var message string
	fs := NewFlagSet("commit")
	fs.String(&message, "message", "m", "string", "commit message")
	rest, err := parse(g, fs, args, 1, 2)
	if err != nil {
		return err
	}
	name := ""
	if len(rest) == 2 {
		if _, err := reference.Parse(rest[1]); err != nil {
			return err
		}
		name = rest[1]
	}
	img, err := engine.Commit(g.DataRoot, rest[0], name, message)
	if err != nil {
		return err
	}
	id, _ := img.ConfigName()
	fmt.Fprintln(g.Stdout, id)
	return nil
}

func diffCmd(g *Globals, args []string) error {
	rest, err := parse(g, NewFlagSet("diff"), args, 1, 1)
	if err != nil {
		return err
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	changes, err := engine.Diff(store, rest[0])
	if err != nil {
		return err
	}
	for _, c := range changes {
		fmt.Fprintf(g.Stdout, "%c %s\n", c.Kind, c.Path)
	}
	return nil
}

// familiar shortens a name as Docker prints it: busybox:latest.
func familiar(name string) string {
	if ref, err := reference.Parse(name); err == nil {
		return ref.Familiar()
	}
	return name
}

// HumanSize prints bytes in decimal units, as `docker images` does: "4.27MB".
func HumanSize(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	return fmt.Sprintf("%.3g%s", f, units[i])
}

// The image commands of chapter 04: mkimage, import, images, tag, rmi,
// commit and diff, with Docker's flags, columns and messages. The work is
// the engine's (engine.Images, engine.RemoveImages, engine.Commit); these
// parse and print.

package cli

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/engine"

	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/image/builtin"
	"github.com/mydocker/mydocker/mydocker/reference"
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
		tarBytes, _, _, err := engine.BusyboxRootfs()
		if err != nil {
			return err
		}
		return fsutil.WriteFile(output, tarBytes, 0o644)
	}
	if g.client != nil {
		return remoteMkimage(g, name)
	}
	return imageService(g).BuildBusybox(name, func(e engine.Event) { fmt.Fprintln(g.Stdout, e) })
}

func importCmd(g *Globals, args []string) error {
	fs := NewFlagSet("import")
	rest, err := parse(g, fs, args, 2, 2)
	if err != nil {
		return err
	}
	if _, err := reference.Parse(rest[1]); err != nil {
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
	if g.client != nil {
		if err := remoteImport(g, r, rest[1]); err != nil {
			return fmt.Errorf("import %s: %w", rest[0], err)
		}
		return nil
	}
	id, err := imageService(g).Import(r, rest[1])
	if err != nil {
		return fmt.Errorf("import %s: %w", rest[0], err)
	}
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
	match := ""
	if len(rest) == 1 {
		match = rest[0]
	}
	var list []engine.ImageSummary
	if g.client != nil {
		list, err = remoteImages(g, match)
	} else {
		list, err = imageService(g).List(match)
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 8, 3, ' ', 0)
	if !quiet {
		fmt.Fprintln(tw, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE")
	}
	now := time.Now()
	for _, r := range list {
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
			created = engine.HumanDuration(now.Sub(r.Created)) + " ago"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, id, created, HumanSize(r.Size))
	}
	return tw.Flush()
}

func tagCmd(g *Globals, args []string) error {
	rest, err := parse(g, NewFlagSet("tag"), args, 2, 2)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteTag(g, rest[0], rest[1])
	}
	return imageService(g).Tag(rest[0], rest[1])
}

func rmiCmd(g *Globals, args []string) error {
	var force bool
	fs := NewFlagSet("rmi")
	fs.Bool(&force, "force", "f", "force removal of the image")
	refs, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteRmi(g, refs, force)
	}
	return engine.RemoveImages(g.DataRoot, refs, force, func(r engine.ImageRemoval) {
		for _, n := range r.Untagged {
			fmt.Fprintf(g.Stdout, "Untagged: %s\n", reference.FamiliarName(n))
		}
		if r.Deleted != "" {
			fmt.Fprintf(g.Stdout, "Deleted: %s\n", r.Deleted)
		}
	})
}

func commitCmd(g *Globals, args []string) error {
	var message string
	pause := true
	fs := NewFlagSet("commit")
	fs.String(&message, "message", "m", "string", "commit message")
	fs.Bool(&pause, "pause", "p", "pause the container during commit (default true; --pause=false to not)")
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
	if g.client != nil {
		id, err := remoteCommit(g, rest[0], name, message, pause)
		if err != nil {
			return err
		}
		fmt.Fprintln(g.Stdout, id)
		return nil
	}
	img, err := engine.Commit(g.DataRoot, rest[0], name, message, pause)
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
	var changes []archive.Change
	if g.client != nil {
		changes, err = remoteDiff(g, rest[0])
	} else {
		var store *engine.Store
		if store, err = engine.OpenStore(g.DataRoot); err != nil {
			return err
		}
		changes, err = engine.Diff(store, rest[0])
	}
	if err != nil {
		return err
	}
	for _, c := range changes {
		fmt.Fprintf(g.Stdout, "%c %s\n", c.Kind, c.Path)
	}
	return nil
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

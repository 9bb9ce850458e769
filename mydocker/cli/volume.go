// mydocker volume: create, ls, inspect, rm, prune, as `docker volume`
// spells them (chapter 08). The store is mydocker/volume; whether a volume
// is in use comes from the containers' records (container/volumes.go).

package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/mydocker/mydocker/mydocker/client"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// volumeCommands are `mydocker volume`'s subcommands.
var volumeCommands = map[string]func(g *Globals, args []string) error{
	"create": volumeCreate, "ls": volumeLs, "list": volumeLs, "inspect": volumeInspect,
	"rm": volumeRm, "remove": volumeRm, "prune": volumePrune,
}

func volumeCmd(g *Globals, args []string) error {
	if len(args) == 0 || args[0] == "--help" {
		fmt.Fprintf(g.Stdout, "Usage:  mydocker volume COMMAND\n\nManage volumes\n\nCommands:\n"+
			"  create      Create a volume\n  inspect     Display detailed information on one or more volumes\n"+
			"  ls          List volumes\n  prune       Remove unused local volumes\n  rm          Remove one or more volumes\n")
		if len(args) == 0 {
			return &usageError{"volume", errors.New("a subcommand is required: create, ls, inspect, rm or prune")}
		}
		return errHelp
	}
	sub := volumeCommands[args[0]]
	if sub == nil {
		return &usageError{"volume", fmt.Errorf("unknown volume command %q: create, ls, inspect, rm or prune", args[0])}
	}
	return sub(g, args[1:])
}

// volumeFlags is a flag set whose errors and --help name "volume SUB".
func volumeFlags(sub string) *FlagSet { return NewFlagSet("volume " + sub) }

func volumeCreate(g *Globals, args []string) error {
	var name, driver string
	var opts, labels []string
	fs := volumeFlags("create")
	fs.String(&name, "name", "", "string", "specify volume name")
	fs.String(&driver, "driver", "d", "string", `specify volume driver name (default "local")`)
	fs.List(&opts, "opt", "o", "map", "set driver specific options (type=tmpfs, device=tmpfs, o=size=64m)")
	fs.List(&labels, "label", "", "list", "set metadata for a volume")
	rest, err := parse(g, fs, args, 0, 1)
	if err != nil {
		return err
	}
	if len(rest) == 1 {
		if name != "" && name != rest[0] {
			return &usageError{"volume create", fmt.Errorf("conflicting options: either specify --name or provide positional arg, not both")}
		}
		name = rest[0]
	}
	o, err := keyValues(opts, "--opt")
	if err != nil {
		return &usageError{"volume create", err}
	}
	l, err := keyValues(labels, "--label")
	if err != nil {
		return &usageError{"volume create", err}
	}
	var v *volume.Volume
	if g.client != nil {
		v, err = remoteVolumeCreate(g, name, driver, o, l)
	} else {
		var store *volume.Store
		if store, err = volume.Open(g.DataRoot); err != nil {
			return err
		}
		v, _, err = store.Create(name, driver, o, l)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, v.Name)
	return nil
}

// keyValues reads KEY=VALUE flags into a map (nil for none).
func keyValues(list []string, flag string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok && flag == "--opt" {
			return nil, fmt.Errorf("invalid argument %q for \"%s\" flag: want KEY=VALUE", kv, flag)
		}
		out[k] = v
	}
	return out, nil
}

func volumeLs(g *Globals, args []string) error {
	var quiet bool
	fs := volumeFlags("ls")
	var filters []string
	fs.Bool(&quiet, "quiet", "q", "only display volume names")
	fs.List(&filters, "filter", "f", "filter", "provide filter values (name=PART, driver=local, label=KEY[=VALUE], dangling=true|false)")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	f := map[string][]string{}
	for _, kv := range filters {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return &usageError{"volume ls", fmt.Errorf("bad format of filter (expected name=value): %q", kv)}
		}
		f[k] = append(f[k], v)
	}
	list, err := listVolumes(g, f)
	if err != nil {
		return err
	}
	if quiet {
		for _, v := range list {
			fmt.Fprintln(g.Stdout, v.Name)
		}
		return nil
	}
	// Docker's table: columns at least 10 wide, 3 spaces apart.
	w := tabwriter.NewWriter(g.Stdout, 10, 1, 3, ' ', 0)
	fmt.Fprintln(w, "DRIVER\tVOLUME NAME")
	for _, v := range list {
		fmt.Fprintf(w, "%s\t%s\n", v.Driver, v.Name)
	}
	return w.Flush()
}

// listVolumes is the store's list, filtered, or the daemon's.
func listVolumes(g *Globals, f map[string][]string) ([]*volume.Volume, error) {
	if g.client != nil {
		return remoteVolumes(g, f)
	}
	vols, err := volume.Open(g.DataRoot)
	if err != nil {
		return nil, err
	}
	list, err := vols.List()
	if err != nil {
		return nil, err
	}
	containers, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return nil, err
	}
	return engine.FilterVolumes(containers, list, f)
}

func volumeInspect(g *Globals, args []string) error {
	var format string
	fs := volumeFlags("inspect")
	fs.String(&format, "format", "f", "string", "format the output using the given Go template")
	names, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	var tmpl *template.Template
	if format != "" {
		if tmpl, err = template.New("format").Funcs(template.FuncMap{"json": toJSON}).Parse(format); err != nil {
			return &usageError{"volume inspect", fmt.Errorf("template parsing error: %v", err)}
		}
	}
	get := func(name string) (*volume.Volume, error) { return remoteVolume(g, name) }
	if g.client == nil {
		store, err := volume.Open(g.DataRoot)
		if err != nil {
			return err
		}
		get = store.Get
	}
	out := []*volume.Volume{}
	var errs []error
	for _, name := range names {
		v, err := get(name)
		if g.client != nil && !client.IsNotFound(err) && err != nil {
			return err
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("get %s: %w", name, volume.ErrNotFound))
			continue
		}
		if tmpl != nil {
			if err := tmpl.Execute(g.Stdout, v); err != nil {
				return fmt.Errorf("template: %v", err)
			}
			fmt.Fprintln(g.Stdout)
			continue
		}
		out = append(out, v)
	}
	if tmpl == nil {
		if err := printJSON(g.Stdout, out); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

func volumeRm(g *Globals, args []string) error {
	var force bool
	fs := volumeFlags("rm")
	fs.Bool(&force, "force", "f", "force the removal of one or more volumes (a missing one is no error)")
	names, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	remove := func(name string) error { return remoteVolumeRm(g, name, force) }
	if g.client == nil {
		store, err := engine.OpenStore(g.DataRoot)
		if err != nil {
			return err
		}
		remove = func(name string) error { return engine.RemoveVolume(g.DataRoot, store, name) }
	}
	var errs []error
	for _, name := range names {
		err := remove(name)
		if force && errors.Is(err, volume.ErrNotFound) {
			err = nil
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintln(g.Stdout, name)
	}
	return errors.Join(errs...)
}

func volumePrune(g *Globals, args []string) error {
	var force, all bool
	fs := volumeFlags("prune")
	fs.Bool(&force, "force", "f", "do not prompt for confirmation")
	fs.Bool(&all, "all", "a", "remove all unused volumes, not just anonymous ones")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	if !force {
		what := "anonymous local volumes"
		if all {
			what = "all local volumes"
		}
		fmt.Fprintf(g.Stdout, "WARNING! This will remove %s not used by at least one container.\nAre you sure you want to continue? [y/N] ", what)
		answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(g.Stdout)
			return nil
		}
	}
	var removed []string
	var space int64
	var err error
	if g.client != nil {
		removed, space, err = remoteVolumePrune(g, all)
	} else {
		var store *engine.Store
		if store, err = engine.OpenStore(g.DataRoot); err != nil {
			return err
		}
		removed, space, err = engine.PruneVolumes(g.DataRoot, store, all)
	}
	if len(removed) > 0 {
		fmt.Fprintln(g.Stdout, "Deleted Volumes:")
		for _, name := range removed {
			fmt.Fprintln(g.Stdout, name)
		}
		fmt.Fprintln(g.Stdout)
	}
	fmt.Fprintf(g.Stdout, "Total reclaimed space: %s\n", HumanSize(space))
	return err
}

// mydocker ps, rm and inspect for containers: Docker's columns, statuses and
// flags, read from the container store.

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
)

func psCmd(g *Globals, args []string) error {
	var all, quiet, noTrunc, latest bool
	var last, format string
	var filters []string
	fs := NewFlagSet("ps")
	fs.Bool(&all, "all", "a", "show all containers (default shows just running)")
	fs.Bool(&quiet, "quiet", "q", "only display container IDs")
	fs.Bool(&noTrunc, "no-trunc", "", "don't truncate output")
	fs.String(&last, "last", "n", "int", "show n last created containers (includes all states)")
	fs.Bool(&latest, "latest", "l", "show the latest created container (includes all states)")
	fs.List(&filters, "filter", "f", "filter", "filter output: status=, name=, id= (e.g. status=exited)")
	fs.String(&format, "format", "", "string", "format output using a Go template: '{{.ID}} {{.Names}} {{.Status}}', or 'table …'")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	f, err := psFilter(filters)
	if err != nil {
		return &usageError{"ps", err}
	}
	n := -1
	if latest {
		n = 1
	}
	if last != "" {
		if n, err = strconv.Atoi(last); err != nil {
			return &usageError{"ps", fmt.Errorf("invalid argument %q for \"-n, --last\" flag: want an integer", last)}
		}
	}
	if n >= 0 || len(filters) > 0 {
		all = true // as Docker: -n and --filter look at every state
	}
	var tmpl *template.Template
	header := true
	if format != "" {
		// As docker's formatter: a "\t" typed in the shell is a tab.
		body, isTable := strings.CutPrefix(strings.ReplaceAll(format, `\t`, "\t"), "table")
		header = isTable
		if tmpl, err = template.New("format").Parse(strings.TrimSpace(body) + "\n"); err != nil {
			return &usageError{"ps", fmt.Errorf("invalid --format: %v", err)}
		}
	}
	var rows []psRow
	if g.client != nil {
		rows, err = remotePS(g, all, n, f, noTrunc)
	} else {
		rows, err = localPS(g, all, n, f, noTrunc)
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 8, 3, ' ', 0)
	for _, row := range rows {
		switch {
		case quiet:
			fmt.Fprintln(tw, row.ID)
		case tmpl != nil:
			if header {
				tmpl.Execute(tw, psHeader)
			}
			if err := tmpl.Execute(tw, row); err != nil {
				return fmt.Errorf("--format: %v", err)
			}
		default:
			if header {
				fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.ID, row.Image, row.Command, row.RunningFor, row.Status, row.Ports, row.Names)
		}
		header = false
	}
	if header && !quiet && tmpl == nil {
		fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES")
	}
	return tw.Flush()
}

// localPS is ps daemonless: the rows of the container store, newest first;
// n >= 0 keeps the n newest.
func localPS(g *Globals, all bool, n int, f psFilters, noTrunc bool) ([]psRow, error) {
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return nil, err
	}
	list, err := store.List()
	if err != nil {
		return nil, err
	}
	if n >= 0 && len(list) > n {
		list = list[:n] // newest first
	}
	var rows []psRow
	now := time.Now()
	for _, c := range list {
		if (!all && !c.State.Running) || !f.match(c) {
			continue
		}
		row := newPSRow(c.ID, c.Image, strings.Join(c.Config.Args, " "), c.Created, now, noTrunc)
		row.Status, row.Names, row.State = status(c, now), c.Name, string(c.State.Status)
		rows = append(rows, row)
	}
	return rows, nil
}

// psRow is one container as `ps --format` sees it, with Docker's names.
type psRow struct {
	ID, Image, Command, CreatedAt, RunningFor, Ports, Status, Names, State string
}

// psHeader is what `--format 'table …'` prints first.
var psHeader = psRow{ID: "CONTAINER ID", Image: "IMAGE", Command: "COMMAND", CreatedAt: "CREATED AT",
	RunningFor: "CREATED", Ports: "PORTS", Status: "STATUS", Names: "NAMES", State: "STATE"}

// newPSRow is the part of a row that reads the same from the store and
// from the daemon's JSON: the ID and the quoted command cut short unless
// noTrunc, the creation time as Docker prints it. The caller adds the
// status, name and state.
func newPSRow(id, image, command string, created, now time.Time, noTrunc bool) psRow {
	cmd := strconv.Quote(command)
	if !noTrunc {
		id, cmd = engine.ShortID(id), ellipsis(cmd, 20)
	}
	return psRow{ID: id, Image: image, Command: cmd,
		CreatedAt:  created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
		RunningFor: engine.HumanDuration(now.Sub(created)) + " ago"}
}

// psFilters are ps's --filter flags by key, as Docker's filters JSON
// holds them: values of one key are alternatives, different keys must all
// hold.
type psFilters map[string][]string

// psFilter reads --filter KEY=VALUE flags as Docker does. status= is a
// state, name= a part of the name, id= a prefix of the ID.
func psFilter(filters []string) (psFilters, error) {
	want := psFilters{}
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("bad format of filter %q: want KEY=VALUE", f)
		}
		switch k {
		case "status":
			if !slices.Contains([]string{"created", "restarting", "running", "removing", "paused", "exited", "dead"}, v) {
				return nil, fmt.Errorf("invalid filter 'status=%s': want created, restarting, running, removing, paused, exited or dead", v)
			}
		case "name", "id":
		default:
			return nil, fmt.Errorf("invalid filter '%s': mydocker knows status, name and id", k)
		}
		want[k] = append(want[k], v)
	}
	return want, nil
}

// match tells whether c passes every filter.
func (f psFilters) match(c *engine.Container) bool {
	for k, vs := range f {
		if !slices.ContainsFunc(vs, func(v string) bool {
			switch k {
			case "status":
				return string(c.State.Status) == v
			case "name":
				return strings.Contains(c.Name, v)
			}
			return strings.HasPrefix(c.ID, v)
		}) {
			return false
		}
	}
	return true
}

// status is the STATUS column: "Up 5 seconds", "Up 5 seconds (Paused)",
// "Exited (0) 2 minutes ago", "Restarting (1) 3 seconds ago".
func status(c *engine.Container, now time.Time) string {
	return c.State.String(now, engine.HumanDuration)
}

func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func rmCmd(g *Globals, args []string) error {
	var force, volumes bool
	fs := NewFlagSet("rm")
	fs.Bool(&force, "force", "f", "force the removal of a running container (uses SIGKILL)")
	fs.Bool(&volumes, "volumes", "v", "remove anonymous volumes associated with the container")
	refs, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	if g.client != nil {
		q := url.Values{}
		if force {
			q.Set("force", "1")
		}
		if volumes {
			q.Set("v", "1")
		}
		return remoteEach(g, refs, "DELETE", "", q)
	}
	return engine.RemoveContainers(g.DataRoot, refs, force, volumes, func(ref string) { fmt.Fprintln(g.Stdout, ref) })
}

func inspectCmd(g *Globals, args []string) error {
	var format string
	fs := NewFlagSet("inspect")
	fs.String(&format, "format", "f", "string", "format the output using the given Go template, e.g. '{{.State.Pid}}'")
	refs, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	var tmpl *template.Template
	if format != "" {
		if tmpl, err = template.New("format").Funcs(template.FuncMap{"json": toJSON}).Parse(format); err != nil {
			return &usageError{"inspect", fmt.Errorf("template parsing error: %v", err)}
		}
	}
	if g.client != nil {
		return remoteInspect(g, refs, tmpl)
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	var out []any
	var errs []error
	images := imageService(g)
	for _, ref := range refs {
		var c any
		if ctr, err := store.Get(ref); err == nil {
			if err := engine.WithNetworks(g.DataRoot, ctr); err != nil {
				return err
			}
			c = ctr
		} else if img, err := images.Inspect(ref); err == nil {
			c = img
		} else {
			errs = append(errs, fmt.Errorf("no such object: %s", ref))
			continue
		}
		if tmpl != nil {
			text, err := execInspect(tmpl, c)
			if err != nil {
				return fmt.Errorf("template: %v", err)
			}
			fmt.Fprintln(g.Stdout, text)
			continue
		}
		out = append(out, c)
	}
	if tmpl != nil {
		return errors.Join(errs...)
	}
	if out == nil {
		out = []any{}
	}
	if err := printJSON(g.Stdout, out); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// printJSON prints v as the inspect commands do, docker's way: indented
// by four spaces, on lines of its own.
func printJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, string(data))
	return nil
}

// execInspect runs an inspect template on v, and, as docker inspect does,
// again on v's JSON document if a field is not found in v's Go type: a
// template names fields as the JSON spells them ({{.Id}}) or as Go does
// ({{.ID}}), and both work.
func execInspect(tmpl *template.Template, v any) (string, error) {
	var buf strings.Builder
	err := tmpl.Execute(&buf, v)
	if err == nil {
		return buf.String(), nil
	}
	data, jerr := json.Marshal(v)
	var raw map[string]any
	if jerr != nil || json.Unmarshal(data, &raw) != nil {
		return "", err
	}
	buf.Reset()
	if rerr := tmpl.Execute(&buf, raw); rerr != nil {
		return "", err
	}
	return buf.String(), nil
}

// toJSON is the template function {{json .}}, as in docker inspect.
func toJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

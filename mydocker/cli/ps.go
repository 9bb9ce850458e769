// mydocker ps, rm and inspect for containers: Docker's columns, statuses and
// flags, read from the container store.

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
)

func psCmd(g *Globals, args []string) error {
	var all, quiet, noTrunc bool
	fs := NewFlagSet("ps")
	fs.Bool(&all, "all", "a", "show all containers (default shows just running)")
	fs.Bool(&quiet, "quiet", "q", "only display container IDs")
	fs.Bool(&noTrunc, "no-trunc", "", "don't truncate output")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	list, err := store.List()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 8, 3, ' ', 0)
	if !quiet {
		fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES")
	}
	now := time.Now()
	for _, c := range list {
		if !all && c.State.Status != "running" {
			continue
		}
		id := c.ID
		if !noTrunc {
			id = engine.ShortID(id)
		}
		if quiet {
			fmt.Fprintln(tw, id)
			continue
		}
		cmd := strconv.Quote(strings.Join(c.Config.Args, " "))
		if !noTrunc {
			cmd = ellipsis(cmd, 20)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s ago\t%s\t\t%s\n", id, c.Image, cmd,
			HumanDuration(now.Sub(c.Created)), status(c, now), c.Name)
	}
	return tw.Flush()
}

// status is the STATUS column: "Up 5 seconds", "Exited (0) 2 minutes ago".
func status(c *engine.Container, now time.Time) string {
	switch c.State.Status {
	case "running":
		return "Up " + HumanDuration(now.Sub(c.State.StartedAt))
	case "exited":
		return fmt.Sprintf("Exited (%d) %s ago", c.State.ExitCode, HumanDuration(now.Sub(c.State.FinishedAt)))
	}
	return "Created"
}

// HumanDuration prints a duration as Docker does: "Less than a second",
// "About a minute", "3 hours".
func HumanDuration(d time.Duration) string {
	s := int(d.Seconds())
	switch {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	}
	m := int(d.Minutes())
	switch {
	case m == 1:
		return "About a minute"
	case m < 60:
		return fmt.Sprintf("%d minutes", m)
	}
	h := int(d.Hours() + 0.5)
	switch {
	case h == 1:
		return "About an hour"
	case h < 48:
		return fmt.Sprintf("%d hours", h)
	case h < 24*7*2:
		return fmt.Sprintf("%d days", h/24)
	case h < 24*30*2:
		return fmt.Sprintf("%d weeks", h/24/7)
	case h < 24*365*2:
		return fmt.Sprintf("%d months", h/24/30)
	}
	return fmt.Sprintf("%d years", h/24/365)
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
	data, _ := json.MarshalIndent(out, "", "    ")
	fmt.Fprintln(g.Stdout, string(data))
	return errors.Join(errs...)
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

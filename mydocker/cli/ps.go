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

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/container"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/local"
	"github.com/mydocker/mydocker/mydocker/reference"
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
	store, err := container.OpenStore(g.DataRoot)
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
			id = container.ShortID(id)
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
func status(c *container.Container, now time.Time) string {
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
	store, err := container.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	var errs []error
	removed := 0
	for _, ref := range refs {
		if err := removeContainer(g, store, ref, force, volumes); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
		fmt.Fprintln(g.Stdout, ref)
	}
	// A container run from a root filesystem tarball was the only user of
	// its layer: collect layers nothing stacks any more. (Only after a
	// removal: a refused rm must not wait for the data root's lock, which
	// a starting container holds.)
	if removed > 0 {
		if err := collectLayers(g, store); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// collectLayers removes the layers and blobs no image and no container
// uses, holding the data root's lock so no starting container loses one.
func collectLayers(g *Globals, store *container.Store) error {
	unlock, err := container.LockDataRoot(g.DataRoot, true)
	if err != nil {
		return err
	}
	defer unlock()
	return collectLayersLocked(g, store)
}

// collectLayersLocked is collectLayers for a caller that holds the lock.
func collectLayersLocked(g *Globals, store *container.Store) error {
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	inUse, err := container.InUse(store)
	if err != nil {
		return err
	}
	_, err = images.GC(inUse)
	return err
}

// removeContainer removes a container whose `mydocker run` is gone or has
// recorded the end. One still starting or running is refused, in Docker's
// words, unless forced: then it is killed first.
func removeContainer(g *Globals, store *container.Store, ref string, force, volumes bool) error {
	c, err := store.Get(ref)
	if err != nil {
		return err
	}
	if c.MonitorAlive() {
		if !force {
			state := "running"
			if c.State.Status == "created" {
				state = "starting" // its mydocker run is setting it up
			}
			return fmt.Errorf("cannot remove container %q: container is %s: stop the container before removing or force remove", "/"+c.Name, state)
		}
		if err := kill(store, c); err != nil {
			return err
		}
	}
	if err := container.Remove(store, c.ID); err != nil {
		return err
	}
	if volumes {
		return container.RemoveAnonymousVolumes(g.DataRoot, store, c)
	}
	return nil
}

// kill ends a container and waits for its `mydocker run` to record the end.
// Killing init ends the PID namespace; the `mydocker run` then undoes its
// setup. One still starting has no init yet: wait until it has.
func kill(store *container.Store, c *container.Container) error {
	wait := func(done func(*container.Container) bool, what string) (*container.Container, error) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			now, err := store.Get(c.ID)
			if err != nil || !now.MonitorAlive() || done(now) {
				return now, nil
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("container %s did not %s within 10s", container.ShortID(c.ID), what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	now, err := wait(func(c *container.Container) bool { return c.State.Pid > 0 }, "start")
	if err != nil || now == nil || !now.MonitorAlive() {
		return err
	}
	// Pid > 0 always here: kill(0) would signal our own process group.
	unix.Kill(now.State.Pid, unix.SIGKILL)
	_, err = wait(func(*container.Container) bool { return false }, "stop")
	return err
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
	store, err := container.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	var out []any
	var errs []error
	images, err := local.Open(g.DataRoot)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		var c any
		if ctr, err := store.Get(ref); err == nil {
			c = ctr
		} else if img, err := inspectImage(images, ref); err == nil {
			c = img
		} else {
			errs = append(errs, fmt.Errorf("no such object: %s", ref))
			continue
		}
		if tmpl != nil {
			if err := tmpl.Execute(g.Stdout, c); err != nil {
				return fmt.Errorf("template: %v", err)
			}
			fmt.Fprintln(g.Stdout)
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

// toJSON is the template function {{json .}}, as in docker inspect.
func toJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// ImageInspect is `docker image inspect`'s shape, the fields mydocker has.
type ImageInspect struct {
	ID           image.Digest    `json:"Id"`
	RepoTags     []string        `json:"RepoTags"`
	RepoDigests  []string        `json:"RepoDigests"`
	Created      string          `json:"Created"`
	Author       string          `json:"Author,omitempty"`
	Config       image.Config    `json:"Config"`
	Architecture string          `json:"Architecture"`
	Os           string          `json:"Os"`
	Size         int64           `json:"Size"`
	RootFS       inspectRootFS   `json:"RootFS"`
	History      []image.History `json:"History,omitempty"`
	Manifest     image.Digest    `json:"ManifestDigest"`
}

type inspectRootFS struct {
	Type   string         `json:"Type"`
	Layers []image.Digest `json:"Layers"`
}

func inspectImage(images *local.Store, name string) (*ImageInspect, error) {
	img, rec, err := images.Get(name)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	out := &ImageInspect{ID: rec.ID, RepoTags: []string{}, RepoDigests: []string{}, Author: cfg.Author,
		Config: cfg.Config, Architecture: cfg.Architecture, Os: cfg.OS, Size: rec.Size,
		RootFS: inspectRootFS{Type: cfg.RootFS.Type, Layers: cfg.RootFS.DiffIDs}, History: cfg.History, Manifest: rec.Digest}
	if cfg.Created != nil {
		out.Created = cfg.Created.Format(time.RFC3339Nano)
	}
	all, _ := images.List()
	for _, r := range all {
		if r.Digest != rec.Digest || r.Ref == "" {
			continue
		}
		if ref, err := reference.Parse(r.Ref); err == nil {
			out.RepoTags = append(out.RepoTags, ref.Familiar())
			out.RepoDigests = append(out.RepoDigests, ref.FamiliarName()+"@"+string(rec.Digest))
		}
	}
	return out, nil
}

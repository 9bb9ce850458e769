// The command line as the daemon's client (chapter 09): with -H
// unix://PATH or MYDOCKER_HOST set, every command but daemon and doctor
// asks the daemon over Docker's Engine API (mydocker/client) instead of
// opening the data root itself, and prints what it prints daemonless. Each
// command parses its flags once, in its own file, then branches here when
// g.client is set. This file: version, ps, images, inspect, stop, kill,
// restart, pause, unpause, wait and rm; remote_run.go: run, create, logs
// and exec; remote_stream.go: the terminals and streams of run, exec,
// start -a and attach; remote_objects.go: network, volume, port, rename,
// top, stats, diff and commit; remote_images.go: pull, push, tag, rmi,
// save, load, import, mkimage, login and logout.

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/mydocker/mydocker/mydocker/client"
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/engine"
)

// remoteVersion adds the daemon's line to `mydocker version`.
func remoteVersion(g *Globals) error {
	var v struct{ Version, ApiVersion string }
	if err := g.client.JSON("GET", "/version", nil, nil, &v); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "daemon at %s: version %s, API %s\n", g.Host, v.Version, v.ApiVersion)
	return nil
}

// docker's words where daemonless mydocker's differ, for the same
// output with a daemon or without: the daemon keeps Docker's, which
// docker's client reads.
var daemonWords = []struct {
	docker *regexp.Regexp
	ours   string
}{
	{regexp.MustCompile(`No such container: `), "no such container: "},
	{regexp.MustCompile(`Conflict\. The container name "/([^"]*)" is already in use by container "[0-9a-f]+"\. You have to remove \(or rename\) that container to be able to reuse that name\.`),
		"container name \"$1\" is already in use: remove it with `mydocker rm $1` or choose another --name"},
}

// daemonlessWords is a daemon's error line in daemonless mydocker's words.
func daemonlessWords(msg string) string {
	for _, w := range daemonWords {
		msg = w.docker.ReplaceAllString(msg, w.ours)
	}
	return msg
}

// containerPath is /containers/REF plus what follows, REF escaped.
func containerPath(ref string, rest ...string) string {
	return "/containers/" + url.PathEscape(ref) + strings.Join(rest, "")
}

// apiSummary is one container of GET /containers/json, the fields ps shows.
type apiSummary struct {
	ID      string `json:"Id"`
	Names   []string
	Image   string
	Command string
	Created int64
	State   string
	Status  string
}

// remotePS is ps through the daemon: its filters (checked already, as
// daemonless) go as Docker's filters JSON, -n as limit.
func remotePS(g *Globals, all bool, n int, f psFilters, noTrunc bool) ([]psRow, error) {
	q := url.Values{}
	if all {
		q.Set("all", "1")
	}
	if n > 0 {
		q.Set("limit", strconv.Itoa(n))
	}
	if len(f) > 0 {
		data, _ := json.Marshal(f)
		q.Set("filters", string(data))
	}
	var list []apiSummary
	if err := g.client.JSON("GET", "/containers/json", q, nil, &list); err != nil {
		return nil, err
	}
	if n == 0 {
		list = nil
	}
	now := time.Now()
	rows := make([]psRow, 0, len(list))
	for _, s := range list {
		row := newPSRow(s.ID, s.Image, s.Command, time.Unix(s.Created, 0), now, noTrunc)
		if len(s.Names) > 0 {
			row.Names = strings.TrimPrefix(s.Names[0], "/")
		}
		row.Status, row.State = s.Status, s.State
		rows = append(rows, row)
	}
	return rows, nil
}

// remoteImages is `images` through the daemon: a row per tag, "<none>"
// for an image without one; match as daemonless (repository, or
// repository:tag).
func remoteImages(g *Globals, match string) ([]engine.ImageSummary, error) {
	var list []struct {
		ID       string `json:"Id"`
		RepoTags []string
		Created  int64
		Size     int64
	}
	if err := g.client.JSON("GET", "/images/json", nil, nil, &list); err != nil {
		return nil, err
	}
	var out []engine.ImageSummary
	for _, img := range list {
		var created time.Time
		if img.Created > 0 {
			created = time.Unix(img.Created, 0)
		}
		tags := img.RepoTags
		if len(tags) == 0 {
			tags = []string{""} // untagged: one line of <none>
		}
		for _, t := range tags {
			if sum := engine.NewImageSummary(t, digest.Digest(img.ID), created, img.Size); sum.Matches(match) {
				out = append(out, sum)
			}
		}
	}
	return out, nil
}

// remoteInspect is inspect through the daemon: a container, else an
// image, each in Docker's shape (the daemon's JSON, in its order); a
// template runs on that JSON, as docker's does.
func remoteInspect(g *Globals, refs []string, tmpl *template.Template) error {
	var out []json.RawMessage
	var errs []error
	for _, ref := range refs {
		var raw json.RawMessage
		err := g.client.JSON("GET", containerPath(ref, "/json"), nil, nil, &raw)
		if client.IsNotFound(err) {
			err = g.client.JSON("GET", imagePath(ref, "/json"), nil, nil, &raw)
		}
		if client.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("no such object: %s", ref))
			continue
		}
		if err != nil {
			return err
		}
		if tmpl == nil {
			out = append(out, raw)
			continue
		}
		var doc any
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber() // {{.State.Pid}} prints 4242, not 4242 as a float
		if err := dec.Decode(&doc); err != nil {
			return err
		}
		// docker's templates run on Go structs, whose field for "Id" is
		// ID, as daemonless mydocker's record's is: {{.ID}} works too.
		if m, ok := doc.(map[string]any); ok && m["ID"] == nil {
			m["ID"] = m["Id"]
		}
		var buf strings.Builder
		if err := tmpl.Execute(&buf, doc); err != nil {
			return fmt.Errorf("template: %v", err)
		}
		// A field the JSON leaves out (omitempty: a bind's Name) is a
		// missing key here, "<no value>"; daemonless, a struct's empty
		// field.
		fmt.Fprintln(g.Stdout, strings.ReplaceAll(buf.String(), "<no value>", ""))
	}
	if tmpl != nil {
		return errors.Join(errs...)
	}
	if out == nil {
		out = []json.RawMessage{}
	}
	if err := printJSON(g.Stdout, out); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// remoteEach is stop, kill and rm through the daemon: one request per
// container, its name printed when it succeeded, the errors joined.
func remoteEach(g *Globals, refs []string, method, suffix string, q url.Values) error {
	var errs []error
	for _, ref := range refs {
		if err := g.client.JSON(method, containerPath(ref, suffix), q, nil, nil); err != nil {
			errs = append(errs, rmRefused(g, ref, err))
			continue
		}
		fmt.Fprintln(g.Stdout, ref)
	}
	return errors.Join(errs...)
}

var youCannotRemove = regexp.MustCompile(`^You cannot remove a (\w+) container [0-9a-f]+\. Stop the container before attempting removal or force remove$`)

// rmRefused words rm's refusal of a running container as daemonless does
// (Docker 23's words, with its name) where the daemon says Docker 20.10's
// (with its ID), which docker's client of that age expects.
func rmRefused(g *Globals, ref string, err error) error {
	m := youCannotRemove.FindStringSubmatch(err.Error())
	var c struct{ Name string }
	if m == nil || g.client.JSON("GET", containerPath(ref, "/json"), nil, nil, &c) != nil {
		return err
	}
	return fmt.Errorf("cannot remove container %q: container is %s: stop the container before removing or force remove", c.Name, m[1])
}

// remoteWait is wait through the daemon: each container's exit code once
// it has stopped.
func remoteWait(g *Globals, refs []string) error {
	var errs []error
	for _, ref := range refs {
		var answer struct{ StatusCode int }
		if err := g.client.JSON("POST", containerPath(ref, "/wait"), nil, nil, &answer); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintln(g.Stdout, answer.StatusCode)
	}
	return errors.Join(errs...)
}

// stopQuery is stop's ?t=: whole seconds, -1 to wait for ever.
func stopQuery(timeout time.Duration) url.Values {
	t := -1
	if timeout >= 0 {
		t = int(timeout / time.Second)
	}
	return url.Values{"t": {strconv.Itoa(t)}}
}

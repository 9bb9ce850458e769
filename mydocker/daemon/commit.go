// A container's writable layer (`docker diff`, `docker commit`): GET
// /containers/{id}/changes lists what the container changed over its
// image, POST /commit makes an image of it. Both are the engine's, as the
// command line runs them daemonless (engine.Diff, engine.Commit); this
// file only gives them Docker's shapes and statuses.

package daemon

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/reference"
)

func (s *Server) commitRoutes() {
	s.handle("GET /containers/{id}/changes", s.containerChanges)
	s.handle("POST /commit", s.commit)
}

// changeKinds are Docker's ContainerChangeResponseItem kinds: 0 modified,
// 1 added, 2 deleted (what `docker diff` prints as C, A and D).
var changeKinds = map[byte]int{'C': 0, 'A': 1, 'D': 2}

// containerChanges is GET /containers/{id}/changes: 200 [{"Path", "Kind"}],
// 404 for no such container.
func (s *Server) containerChanges(w http.ResponseWriter, r *http.Request) error {
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	changes, err := engine.Diff(containers, c.ID)
	if err != nil {
		return err
	}
	type item struct {
		Path string
		Kind int
	}
	out := make([]item, 0, len(changes))
	for _, ch := range changes {
		out = append(out, item{Path: ch.Path, Kind: changeKinds[ch.Kind]})
	}
	return writeJSON(w, http.StatusOK, out)
}

// commit is POST /commit?container=&repo=&tag=&comment=&pause=: 201
// {"Id": "sha256:..."}. Pause defaults to true, as Docker's (API 1.13 and
// later).
func (s *Server) commit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	name, err := commitName(r)
	if err != nil {
		return err
	}
	_, c, err := s.lookupRef(q.Get("container"))
	if err != nil {
		return err
	}
	pause := q.Get("pause") == "" || boolValue(r, "pause")
	img, err := engine.Commit(s.DataRoot, c.ID, name, q.Get("comment"), pause)
	if err != nil {
		return err
	}
	id, err := img.ConfigName()
	if err != nil {
		return err
	}
	attrs := map[string]string{"name": c.Name, "comment": q.Get("comment"), "imageID": string(id)}
	if name != "" {
		attrs["imageRef"] = name
	}
	s.event("container", "commit", c.ID, attrs)
	return writeJSON(w, http.StatusCreated, map[string]string{"Id": string(id)})
}

// commitName checks a commit request and returns the image's name
// (repo:tag, "" for none). What mydocker's commit does not do is refused
// (400), not ignored: an author, --change instructions, a config in the
// body.
func commitName(r *http.Request) (string, error) {
	q := r.URL.Query()
	if q.Get("container") == "" {
		return "", badRequest("commit: container is required")
	}
	if q.Get("author") != "" {
		return "", badRequest("commit --author is not supported by mydocker")
	}
	if strings.Join(q["changes"], "") != "" {
		return "", badRequest("commit --change is not supported by mydocker")
	}
	var cfg map[string]json.RawMessage
	if err := readJSON(r, &cfg); err != nil {
		return "", err
	}
	for k, v := range cfg {
		switch string(v) {
		case "null", `""`, "{}", "[]", "false", "0":
		default:
			return "", badRequest("commit: a config in the body (%s) is not supported by mydocker", k)
		}
	}
	name := q.Get("repo")
	if tag := q.Get("tag"); tag != "" {
		if name == "" {
			return "", badRequest("commit: a tag (%s) needs a repository", tag)
		}
		name += ":" + tag
	}
	if name == "" {
		return "", nil
	}
	parsed, err := reference.ParseName(name)
	if err != nil {
		return "", badRequest("%s", err.Error())
	}
	if parsed.Digest != "" {
		return "", badRequest("commit %s: an image is named by a tag, not a digest", name)
	}
	return name, nil
}

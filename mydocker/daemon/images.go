// The images endpoints (`docker images|tag|rmi|inspect|history|save|
// load|import|image prune`): the engine's image service (engine.Images,
// chapters 04 and 05) in Docker's JSON. Save answers with the tarball
// itself, written as it is made; load reads its body as it comes. The
// registry's side, pull, push and login, is registry.go; the progress
// messages they stream, progress.go. Image names may hold slashes and a
// registry's port ("127.0.0.1:5000/app/web"), so the routes that name an
// image take the rest of the path and cut the action off its end
// (imagePath).

package daemon

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/store"
)

func (s *Server) imageRoutes() {
	s.handle("GET /images/json", s.imageList)
	s.handle("POST /images/create", s.imageCreate)
	s.handle("POST /images/load", s.imageLoad)
	s.handle("GET /images/get", s.imageSave)
	s.handle("POST /images/prune", s.imagePrune)
	s.handle("POST /auth", s.auth)
	s.handle("GET /images/{rest...}", s.imageGet)
	s.handle("POST /images/{rest...}", s.imagePost)
	s.handle("DELETE /images/{rest...}", s.imageDelete)
}

// imagePath cuts /images/NAME/ACTION: the name may have slashes of its
// own; the action is the last segment, one of actions.
func imagePath(r *http.Request, actions ...string) (name, action string, err error) {
	rest := r.PathValue("rest")
	i := strings.LastIndexByte(rest, '/')
	if i > 0 && slices.Contains(actions, rest[i+1:]) {
		return rest[:i], rest[i+1:], nil
	}
	return "", "", notFound("page not found")
}

func (s *Server) imageGet(w http.ResponseWriter, r *http.Request) error {
	name, action, err := imagePath(r, "json", "get", "history")
	if err != nil {
		return err
	}
	switch action {
	case "json":
		return s.imageInspect(w, name)
	case "get":
		return s.save(w, []string{name})
	}
	return s.imageHistory(w, name)
}

func (s *Server) imagePost(w http.ResponseWriter, r *http.Request) error {
	name, action, err := imagePath(r, "push", "tag")
	if err != nil {
		return err
	}
	if action == "push" {
		return s.imagePush(w, r, name)
	}
	return s.imageTag(w, r, name)
}

// imageError turns the store's "no such image" into Docker's 404 words.
func imageError(name string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound("No such image: %s", name)
	}
	if errors.Is(err, reference.ErrInvalidFormat) {
		return badRequest("%s", err.Error())
	}
	if errors.Is(err, archive.ErrLimit) {
		// An import or load whose layer is over a limit: the body is too
		// large for this daemon (413), which mydocker's client turns into
		// daemonless's exit 125.
		return &apiError{http.StatusRequestEntityTooLarge, err.Error()}
	}
	return err
}

// imageSummary is Docker's ImageSummary: one per image, with all its names.
type imageSummary struct {
	Containers  int64
	Created     int64
	ID          string `json:"Id"`
	Labels      map[string]string
	ParentID    string `json:"ParentId"`
	RepoDigests []string
	RepoTags    []string
	SharedSize  int64
	Size        int64
	VirtualSize int64
}

// summaries lists the store's images, newest first, one per ID.
func (s *Server) summaries() ([]*imageSummary, error) {
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return nil, err
	}
	list, err := images.List()
	if err != nil {
		return nil, err
	}
	byID := map[string]*imageSummary{}
	var out []*imageSummary
	for _, r := range list {
		sum := byID[string(r.ID)]
		if sum == nil {
			sum = &imageSummary{ID: string(r.ID), Created: r.Created.Unix(), Size: r.Size, VirtualSize: r.Size,
				SharedSize: -1, Containers: -1, RepoTags: []string{}, RepoDigests: []string{}}
			if r.Created.IsZero() {
				sum.Created = 0
			}
			byID[sum.ID] = sum
			out = append(out, sum)
		}
		if ref, err := reference.Parse(r.Ref); err == nil && r.Ref != "" {
			sum.RepoTags = append(sum.RepoTags, ref.Familiar())
			if d := ref.FamiliarName() + "@" + string(r.Digest); !slices.Contains(sum.RepoDigests, d) {
				sum.RepoDigests = append(sum.RepoDigests, d)
			}
		}
	}
	return out, nil
}

// imageList is GET /images/json?filters= (reference, dangling, label).
func (s *Server) imageList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	if err := f.check("reference", "dangling", "label", "before", "since"); err != nil {
		return err
	}
	dangling, byDangling, err := f.boolFilter("dangling")
	if err != nil {
		return err
	}
	all, err := s.summaries()
	if err != nil {
		return err
	}
	out := []*imageSummary{}
	for _, sum := range all {
		if byDangling && (len(sum.RepoTags) == 0) != dangling {
			continue
		}
		if f.has("reference") {
			// Only the names that match are shown, as dockerd trims them.
			if sum.RepoTags = matchingReferences(f, sum.RepoTags); len(sum.RepoTags) == 0 {
				continue
			}
			sum.RepoDigests = slices.DeleteFunc(sum.RepoDigests, func(d string) bool {
				repo, _, _ := strings.Cut(d, "@")
				return !slices.ContainsFunc(sum.RepoTags, func(t string) bool { return strings.HasPrefix(t, repo+":") })
			})
		}
		if f.has("label") && !f.matchLabels(sum.Labels) {
			continue
		}
		out = append(out, sum)
	}
	return writeJSON(w, http.StatusOK, out)
}

// matchingReferences is images' reference filter: a pattern ("busybox",
// "busy*:1.*") against each name, with and without its tag; it keeps the
// names that match.
func matchingReferences(f filters, tags []string) []string {
	out := []string{}
	for _, t := range tags {
		repo := t
		if i := strings.LastIndexByte(t, ':'); i >= 0 && !strings.Contains(t[i:], "/") {
			repo = t[:i]
		}
		if f.matchGlob("reference", t, repo) {
			out = append(out, t)
		}
	}
	return out
}

// imageInspect is GET /images/{name}/json: Docker's ImageInspect.
func (s *Server) imageInspect(w http.ResponseWriter, name string) error {
	img, err := (&engine.Images{DataRoot: s.DataRoot}).Inspect(name)
	if err != nil {
		return imageError(name, err)
	}
	out := struct {
		*engine.ImageInspect
		Parent, Comment, Container, DockerVersion string
		VirtualSize                               int64
		GraphDriver                               struct {
			Name string
			Data map[string]string
		}
		Metadata struct{ LastTagTime string }
	}{ImageInspect: img}
	// The size of every layer's tar, as images/json gives it.
	if all, err := s.summaries(); err == nil {
		for _, sum := range all {
			if sum.ID == string(img.ID) {
				img.Size = sum.Size
			}
		}
	}
	out.VirtualSize = img.Size
	out.GraphDriver.Name = "overlay2"
	out.GraphDriver.Data = map[string]string{}
	out.Metadata.LastTagTime = "0001-01-01T00:00:00Z"
	return writeJSON(w, http.StatusOK, out)
}

// imageHistory is GET /images/{name}/history: the config's history, newest
// first, as `docker history` lists it.
func (s *Server) imageHistory(w http.ResponseWriter, name string) error {
	img, err := (&engine.Images{DataRoot: s.DataRoot}).Inspect(name)
	if err != nil {
		return imageError(name, err)
	}
	type item struct {
		ID        string `json:"Id"`
		Created   int64
		CreatedBy string
		Tags      []string
		Size      int64
		Comment   string
	}
	out := []item{}
	for i := len(img.History) - 1; i >= 0; i-- {
		h := img.History[i]
		it := item{ID: "<missing>", CreatedBy: h.CreatedBy, Comment: h.Comment}
		if h.Created != nil {
			it.Created = h.Created.Unix()
		}
		if len(out) == 0 {
			it.ID, it.Tags = string(img.ID), img.RepoTags
		}
		out = append(out, it)
	}
	return writeJSON(w, http.StatusOK, out)
}

// imageImport is POST /images/create?fromSrc=-&repo=NAME&tag=TAG: `docker
// import`, the body a root filesystem tar read as it comes.
func (s *Server) imageImport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("fromSrc") != "-" {
		return badRequest("fromSrc=%s: mydocker imports from the request body only (fromSrc=-)", q.Get("fromSrc"))
	}
	name := q.Get("repo")
	if name == "" {
		return badRequest("import: repo is required (mydocker names every image it imports)")
	}
	if tag := q.Get("tag"); tag != "" {
		name += ":" + tag
	}
	id, err := (&engine.Images{DataRoot: s.DataRoot}).Import(r.Body, name)
	if err != nil {
		return imageError(name, err)
	}
	s.event("image", "import", string(id), map[string]string{"name": reference.FamiliarName(name)})
	return writeJSON(w, http.StatusOK, map[string]string{"status": string(id)})
}

// imageTag is POST /images/{name}/tag?repo=&tag=: 201.
func (s *Server) imageTag(w http.ResponseWriter, r *http.Request, name string) error {
	q := r.URL.Query()
	dst := q.Get("repo")
	if dst == "" {
		return badRequest("repository name must have at least one component")
	}
	if tag := q.Get("tag"); tag != "" {
		dst += ":" + tag
	}
	ref, err := reference.Parse(dst)
	if err != nil {
		return badRequest("%s", err.Error())
	}
	images := &engine.Images{DataRoot: s.DataRoot}
	if err := images.Tag(name, ref.String()); err != nil {
		return imageError(name, err)
	}
	// As dockerd: the image's ID, and the new name as an attribute.
	if img, err := images.Inspect(ref.String()); err == nil {
		s.event("image", "tag", string(img.ID), map[string]string{"name": ref.Familiar()})
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

// imageDelete is DELETE /images/{name}?force=&noprune=: Docker's list of
// what went, [{"Untagged": ...}, {"Deleted": ...}]; 409 when a container
// uses the image or its ID has several names (without force).
func (s *Server) imageDelete(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("rest")
	type item struct {
		Untagged string `json:",omitempty"`
		Deleted  string `json:",omitempty"`
	}
	out := []item{}
	var id string // for the events, which name the image by its ID, as dockerd's
	if img, err := (&engine.Images{DataRoot: s.DataRoot}).Inspect(name); err == nil {
		id = string(img.ID)
	}
	err := engine.RemoveImages(s.DataRoot, []string{name}, boolValue(r, "force"), func(rm engine.ImageRemoval) {
		for _, n := range rm.Untagged {
			out = append(out, item{Untagged: reference.FamiliarName(n)})
			s.event("image", "untag", id, map[string]string{"name": reference.FamiliarName(n)})
		}
		if rm.Deleted != "" {
			out = append(out, item{Deleted: string(rm.Deleted)})
			s.event("image", "delete", string(rm.Deleted), map[string]string{"name": string(rm.Deleted)})
		}
	})
	if err != nil {
		if strings.HasPrefix(err.Error(), "conflict:") {
			return conflict("%s", err.Error())
		}
		return imageError(name, err)
	}
	return writeJSON(w, http.StatusOK, out)
}

// imageSave is GET /images/get?names=A&names=B: one tarball of them all.
func (s *Server) imageSave(w http.ResponseWriter, r *http.Request) error {
	names := r.URL.Query()["names"]
	if len(names) == 0 {
		return badRequest("images/get: give at least one image: ?names=NAME")
	}
	return s.save(w, names)
}

// save writes the tarball as it is made. Each name is checked first, so a
// missing one is a 404, not a broken stream; a failure once bytes have
// gone aborts the connection, so the client sees a truncated download and
// never takes it for a whole one.
func (s *Server) save(w http.ResponseWriter, names []string) error {
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, _, err := images.Get(n); err != nil {
			return imageError(n, err)
		}
	}
	w.Header().Set("Content-Type", "application/x-tar")
	cw := &countingWriter{w: w}
	if err := (&engine.Images{DataRoot: s.DataRoot}).Save(cw, names); err != nil {
		if cw.n == 0 {
			return err
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}

type countingWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// imageLoad is POST /images/load: the body, a `docker save` tarball, is
// spooled to a temp file as it comes (tarball.Read), never held in memory;
// the answer is a stream of {"stream": "Loaded image: ...\n"} messages.
// ?quiet=1 (which the client sends when its output is no terminal) hides
// progress bars in dockerd, never these lines: mydocker draws no bars.
func (s *Server) imageLoad(w http.ResponseWriter, r *http.Request) error {
	p := newProgressStream(w, r)
	err := (&engine.Images{DataRoot: s.DataRoot}).Load(r.Body, func(e engine.Event) {
		if name, ok := strings.CutPrefix(e.Message, "Loaded image: "); ok {
			s.event("image", "load", name, map[string]string{"name": name})
		}
		p.send(JSONMessage{Stream: e.String() + "\n"})
	})
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, archive.ErrLimit) {
			status = http.StatusRequestEntityTooLarge
		}
		return p.fail(status, err)
	}
	return p.end()
}

// imagePrune is POST /images/prune?filters=: the images no container
// uses, only the untagged ones unless dangling=false, as `docker image
// prune [-a]`; {"ImagesDeleted": [...], "SpaceReclaimed": bytes}.
func (s *Server) imagePrune(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	if err := f.check("dangling", "until", "label"); err != nil {
		return err
	}
	if f.has("until") || f.has("label") {
		return badRequest("image prune: the until and label filters are not supported by mydocker")
	}
	dangling, given, err := f.boolFilter("dangling")
	if err != nil {
		return err
	}
	onlyDangling := dangling || !given
	all, err := s.summaries()
	if err != nil {
		return err
	}
	type item struct {
		Untagged string `json:",omitempty"`
		Deleted  string `json:",omitempty"`
	}
	out := struct {
		ImagesDeleted  []item
		SpaceReclaimed int64
	}{ImagesDeleted: []item{}}
	used, err := s.imagesInUse()
	if err != nil {
		return err
	}
	for _, img := range all {
		if (onlyDangling && len(img.RepoTags) > 0) || used[img.ID] {
			continue
		}
		// By ID, forced so that every name goes (an image of two names
		// is otherwise refused). A container made from it since the
		// check above keeps it: rmi never deletes an image in use.
		engine.RemoveImages(s.DataRoot, []string{img.ID}, true, func(rm engine.ImageRemoval) {
			for _, n := range rm.Untagged {
				out.ImagesDeleted = append(out.ImagesDeleted, item{Untagged: reference.FamiliarName(n)})
			}
			if rm.Deleted != "" {
				out.ImagesDeleted = append(out.ImagesDeleted, item{Deleted: string(rm.Deleted)})
				out.SpaceReclaimed += img.Size
				s.event("image", "delete", string(rm.Deleted), nil)
			}
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

// imagesInUse is the set of image IDs some container, running or not, was
// made from.
func (s *Server) imagesInUse() (map[string]bool, error) {
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return nil, err
	}
	all, err := containers.List()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, c := range all {
		used[string(c.ImageID)] = true
	}
	return used, nil
}

// The images endpoints (`docker images|pull|push|tag|rmi|inspect|save|
// load|import`): the engine's image service (engine.Images, chapters 04
// and 05) in Docker's JSON. Pull, push and load answer with a stream of
// Docker's progress messages (progress.go), one JSON object per event the
// engine sends; save answers with the tarball itself, written as it is
// made. Image names may hold slashes and a registry's port
// ("127.0.0.1:5000/app/web"), so the routes that name an image take the
// rest of the path and cut the action off its end (imagePath).

package daemon

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/image/remote"
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

// images is the engine's image service for a request: credentials come
// from its X-Registry-Auth header only, as dockerd's do (the daemon never
// uses a credential store of its own user's).
func (s *Server) images(r *http.Request) (*engine.Images, error) {
	creds, err := registryAuth(r.Header.Get("X-Registry-Auth"))
	if err != nil {
		return nil, err
	}
	return &engine.Images{DataRoot: s.DataRoot, Insecure: s.Insecure, UserAgent: "mydocker/" + Version, Keychain: remote.StaticKeychain(creds)}, nil
}

// registryAuth decodes X-Registry-Auth: base64url of {"username",
// "password"} (or "auth", base64 of user:password). Empty or "{}" is no
// credentials: an anonymous pull.
func registryAuth(header string) (remote.Credentials, error) {
	var c remote.Credentials
	if header == "" {
		return c, nil
	}
	data, err := base64.URLEncoding.DecodeString(header)
	if err != nil {
		if data, err = base64.StdEncoding.DecodeString(header); err != nil {
			if data, err = base64.RawURLEncoding.DecodeString(header); err != nil {
				return c, badRequest("invalid X-Registry-Auth header: want base64 of JSON")
			}
		}
	}
	var a struct{ Username, Password, Auth string }
	if len(data) > 0 {
		if err := json.Unmarshal(data, &a); err != nil {
			return c, badRequest("invalid X-Registry-Auth header: %v", err)
		}
	}
	if a.Username == "" && a.Auth != "" {
		if up, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
			a.Username, a.Password, _ = strings.Cut(string(up), ":")
		}
	}
	return remote.Credentials{Username: a.Username, Password: a.Password}, nil
}

// imageError turns the store's "no such image" into Docker's 404 words.
func imageError(name string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound("No such image: %s", name)
	}
	if errors.Is(err, reference.ErrInvalidFormat) {
		return badRequest("%s", err.Error())
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

// imageCreate is POST /images/create: a pull (?fromImage=NAME&tag=TAG) or
// an import of a root filesystem tar sent as the body (?fromSrc=-&repo=).
func (s *Server) imageCreate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("fromSrc") != "" {
		return s.imageImport(w, r)
	}
	name := q.Get("fromImage")
	if name == "" {
		return badRequest("fromImage or fromSrc is required")
	}
	if tag := q.Get("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			name += "@" + tag
		} else {
			name += ":" + tag
		}
	}
	ref, err := reference.Parse(name)
	if err != nil {
		return badRequest("%s", err.Error())
	}
	images, err := s.images(r)
	if err != nil {
		return err
	}
	p := newProgressStream(w, r)
	_, err = images.Pull(r.Context(), ref, p.pullEvent)
	if err != nil {
		return p.fail(pullStatus(err), err)
	}
	s.event("image", "pull", ref.Familiar(), map[string]string{"name": ref.Familiar()})
	return p.end()
}

// pullStatus is the status of a pull that failed before its stream began:
// 404 for an image the registry does not have, as dockerd answers.
func pullStatus(err error) int {
	switch {
	case errors.Is(err, remote.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, remote.ErrUnauthorized):
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
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

// imagePush is POST /images/{name}/push?tag=: the push's progress, then
// Docker's aux message with the digest, which the client prints.
func (s *Server) imagePush(w http.ResponseWriter, r *http.Request, name string) error {
	if tag := r.URL.Query().Get("tag"); tag != "" {
		name += ":" + tag
	}
	ref, err := reference.Parse(name)
	if err != nil {
		return badRequest("%s", err.Error())
	}
	images, err := s.images(r)
	if err != nil {
		return err
	}
	if _, err := (&engine.Images{DataRoot: s.DataRoot}).Inspect(ref.String()); err != nil {
		return imageError(ref.Familiar(), err)
	}
	p := newProgressStream(w, r)
	d, err := images.Push(r.Context(), ref.String(), p.pushEvent)
	if err != nil {
		return p.fail(http.StatusInternalServerError, err)
	}
	p.aux(map[string]any{"Tag": ref.Tag, "Digest": d, "Size": p.manifestSize})
	s.event("image", "push", ref.Familiar(), map[string]string{"name": ref.Familiar()})
	return p.end()
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
		p.send(jsonMessage{Stream: e.String() + "\n"})
	})
	if err != nil {
		return p.fail(http.StatusBadRequest, err)
	}
	return p.end()
}

// progressStream is an answer made of Docker's JSON messages (package
// jsonmessage): {"status", "id", "progressDetail", "progress"} for each
// step, {"stream"} for text, {"aux"} for a result, and {"errorDetail",
// "error"} when the operation fails after the stream began. Until a
// message is sent, nothing is written: a failure then is an HTTP status
// and Docker's {"message"} body, as dockerd answers a pull of an image
// that does not exist.
type progressStream struct {
	w       http.ResponseWriter
	r       *http.Request
	started bool
	held    *jsonMessage         // the first message, kept back (see pullEvent)
	last    map[string]time.Time // when each layer's bar was last sent
	// manifestSize is what push's last line says ("... size: 528").
	manifestSize int
}

type jsonMessage struct {
	Status         string          `json:"status,omitempty"`
	ID             string          `json:"id,omitempty"`
	ProgressDetail *progressDetail `json:"progressDetail,omitempty"`
	Progress       string          `json:"progress,omitempty"`
	Stream         string          `json:"stream,omitempty"`
	Aux            any             `json:"aux,omitempty"`
	ErrorDetail    *errorDetail    `json:"errorDetail,omitempty"`
	Error          string          `json:"error,omitempty"`
}

type progressDetail struct {
	Current int64 `json:"current,omitempty"`
	Total   int64 `json:"total,omitempty"`
}

type errorDetail struct {
	Message string `json:"message"`
}

func newProgressStream(w http.ResponseWriter, r *http.Request) *progressStream {
	return &progressStream{w: w, r: r, last: map[string]time.Time{}}
}

// send writes one message, starting the answer if it has not started.
func (p *progressStream) send(m jsonMessage) {
	if !p.started {
		p.started = true
		p.w.Header().Set("Content-Type", "application/json")
		p.w.WriteHeader(http.StatusOK)
		if p.held != nil {
			json.NewEncoder(p.w).Encode(p.held)
		}
	}
	json.NewEncoder(p.w).Encode(m)
	flushOut(p.w)
}

// progressMessage is an engine event as Docker's message.
func progressMessage(e engine.Event) jsonMessage {
	m := jsonMessage{ID: e.ID, Status: e.Message}
	if e.Status != 0 {
		m.Status = e.Status.String()
		m.ProgressDetail = &progressDetail{}
		if e.Status.HasBar() {
			m.ProgressDetail = &progressDetail{Current: e.Done, Total: e.Total}
		}
	}
	return m
}

// pullEvent sends a pull's event. The first line ("latest: Pulling from
// library/busybox") is held back until the registry has answered, so that
// an image it does not have is a plain 404. A layer's bar is sent at most
// every 100 ms, as dockerd throttles it.
func (p *progressStream) pullEvent(e engine.Event) {
	m := progressMessage(e)
	if !p.started && p.held == nil && e.Status == 0 && strings.HasPrefix(e.Message, "Pulling from ") {
		p.held = &m
		return
	}
	if e.Status.HasBar() && e.Done < e.Total {
		if time.Since(p.last[e.ID]) < 100*time.Millisecond {
			return
		}
		p.last[e.ID] = time.Now()
	}
	p.send(m)
}

// pushEvent sends a push's event; it also notes the manifest's size from
// the last line, for the aux message.
func (p *progressStream) pushEvent(e engine.Event) {
	if e.Status == 0 {
		if i := strings.LastIndex(e.Message, " size: "); i >= 0 {
			var n int
			for _, c := range e.Message[i+len(" size: "):] {
				n = n*10 + int(c-'0')
			}
			p.manifestSize = n
		}
	}
	p.pullEvent(e)
}

// aux sends a result message ({"aux": {...}}).
func (p *progressStream) aux(v any) {
	p.send(jsonMessage{ProgressDetail: &progressDetail{}, Aux: v})
}

// fail ends the operation with err: an HTTP error if nothing was sent yet,
// else an error message in the stream (the client prints it and exits 1).
func (p *progressStream) fail(code int, err error) error {
	if !p.started {
		var hs interface{ HTTPStatus() int }
		if errors.As(err, &hs) {
			return err
		}
		return &apiError{code, err.Error()}
	}
	p.send(jsonMessage{ErrorDetail: &errorDetail{Message: err.Error()}, Error: err.Error()})
	return nil
}

// end finishes a stream that succeeded (an empty one is a 200 too).
func (p *progressStream) end() error {
	if !p.started {
		p.started = true
		p.w.Header().Set("Content-Type", "application/json")
		p.w.WriteHeader(http.StatusOK)
		if p.held != nil {
			json.NewEncoder(p.w).Encode(p.held)
		}
	}
	return nil
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

// auth is POST /auth, `docker login`: the daemon checks the credentials
// against the registry and stores nothing; the client keeps them and sends
// them with each pull and push (X-Registry-Auth). Wrong ones are a 401.
func (s *Server) auth(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Username, Password, ServerAddress string
	}
	if err := readJSON(r, &req); err != nil {
		return err
	}
	server := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(req.ServerAddress, "https://"), "http://"), "/")
	if server == "" || server == "index.docker.io/v1" {
		server = reference.DefaultRegistry
	}
	if err := remote.Verify(r.Context(), server, req.Username, req.Password, remote.Options{Insecure: s.Insecure, UserAgent: "mydocker/" + Version}); err != nil {
		if errors.Is(err, remote.ErrUnauthorized) {
			return &apiError{http.StatusUnauthorized, err.Error()}
		}
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"Status": "Login Succeeded", "IdentityToken": ""})
}

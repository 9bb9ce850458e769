// The volumes endpoints (`docker volume create|ls|inspect|rm|prune`):
// the volume store of chapter 08 (package volume), and the engine's
// rule that a volume a container uses stays (engine.RemoveVolume,
// engine.PruneVolumes). A volume is shown as `docker volume inspect`
// shows it, which is volume.Volume's own shape.

package daemon

import (
	"errors"
	"net/http"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/volume"
)

func (s *Server) volumeRoutes() {
	s.handle("POST /volumes/create", s.volumeCreate)
	s.handle("GET /volumes", s.volumeList)
	s.handle("POST /volumes/prune", s.volumePrune)
	s.handle("GET /volumes/{name}", s.volumeInspect)
	s.handle("DELETE /volumes/{name}", s.volumeRemove)
}

// volumeError gives a volume error Docker's status: a bad name or option
// is the request's (400), a volume in use a conflict (409).
func volumeError(err error) error {
	switch {
	case errors.Is(err, volume.ErrInvalid):
		return &apiError{http.StatusBadRequest, err.Error()}
	case errors.Is(err, volume.ErrInUse):
		return &apiError{http.StatusConflict, err.Error()}
	}
	return err
}

// volumeCreate is POST /volumes/create. A name given twice returns the
// volume there is, as Docker does (compose relies on it); no name makes an
// anonymous one.
func (s *Server) volumeCreate(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name       string
		Driver     string
		DriverOpts map[string]string
		Labels     map[string]string
	}
	if err := readJSON(r, &req); err != nil {
		return err
	}
	vols, err := volume.Open(s.DataRoot)
	if err != nil {
		return err
	}
	v, created, err := vols.Create(req.Name, req.Driver, req.DriverOpts, req.Labels)
	if err != nil {
		return volumeError(err)
	}
	if created {
		s.event("volume", "create", v.Name, map[string]string{"driver": v.Driver})
	}
	return writeJSON(w, http.StatusCreated, v)
}

// volumeList is GET /volumes?filters=: {"Volumes": [...], "Warnings": null},
// filtered as `mydocker volume ls --filter` filters (engine.FilterVolumes).
func (s *Server) volumeList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	vols, err := volume.Open(s.DataRoot)
	if err != nil {
		return err
	}
	list, err := vols.List()
	if err != nil {
		return err
	}
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	out, err := engine.FilterVolumes(containers, list, f)
	if err != nil {
		return volumeError(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"Volumes": out, "Warnings": nil})
}

// volumeInspect is GET /volumes/{name}.
func (s *Server) volumeInspect(w http.ResponseWriter, r *http.Request) error {
	vols, err := volume.Open(s.DataRoot)
	if err != nil {
		return err
	}
	v, err := vols.Get(r.PathValue("name"))
	if err != nil {
		return notFound("get %s: no such volume", r.PathValue("name"))
	}
	return writeJSON(w, http.StatusOK, v)
}

// volumeRemove is DELETE /volumes/{name}?force=: 204, 404 (unless forced)
// or 409 while a container uses it, forced or not (as Docker's local
// driver refuses).
func (s *Server) volumeRemove(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	err = engine.RemoveVolume(s.DataRoot, containers, name)
	if errors.Is(err, volume.ErrNotFound) && boolValue(r, "force") {
		err = nil
	} else if err == nil {
		s.event("volume", "destroy", name, nil)
	}
	if err != nil {
		return volumeError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// volumePrune is POST /volumes/prune: under API 1.41, as in Docker 20.10,
// every volume no container uses goes, named or anonymous (Docker 23's
// API 1.42 keeps named ones unless all=true), unless the all filter says
// false.
func (s *Server) volumePrune(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	if err := f.check("label", "all"); err != nil {
		return err
	}
	if f.has("label") {
		return badRequest("volume prune: the label filter is not supported by mydocker")
	}
	// An explicit all filter is obeyed, as API 1.42 does: all=false
	// keeps named volumes (mydocker's client without -a asks that).
	all, given, err := f.boolFilter("all")
	if err != nil {
		return err
	}
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	removed, space, err := engine.PruneVolumes(s.DataRoot, containers, all || !given)
	for _, name := range removed {
		s.event("volume", "destroy", name, nil)
	}
	if err != nil {
		return err
	}
	if removed == nil {
		removed = []string{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"VolumesDeleted": removed, "SpaceReclaimed": space})
}

// The networks endpoints (`docker network create|ls|inspect|rm|prune`;
// connect and disconnect are connect.go): chapter 07's networks (package
// network) in Docker's JSON. A network is shown as dockerd shows one (NetworkResource: Name,
// Id, Driver, IPAM.Config, Containers, ...); the predefined ones (bridge,
// host, none) have IDs too, as in Docker, derived from their names since
// mydocker's state does not store them.

package daemon

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/network"
)

func (s *Server) networkRoutes() {
	s.handle("GET /networks", s.networkList)
	s.handle("POST /networks/create", s.networkCreate)
	s.handle("POST /networks/prune", s.networkPrune)
	s.handle("GET /networks/{id}", s.networkInspect)
	s.handle("DELETE /networks/{id}", s.networkRemove)
	s.handle("POST /networks/{id}/connect", s.networkConnect)
	s.handle("POST /networks/{id}/disconnect", s.networkDisconnect)
}

// networkResource is Docker's NetworkResource, the fields a client reads.
type networkResource struct {
	Name       string
	ID         string `json:"Id"`
	Created    time.Time
	Scope      string
	Driver     string
	EnableIPv6 bool
	IPAM       ipam
	Internal   bool
	Attachable bool
	Ingress    bool
	ConfigFrom struct{ Network string }
	ConfigOnly bool
	Containers map[string]endpointResource
	Options    map[string]string
	Labels     map[string]string
}

type ipam struct {
	Driver  string
	Options map[string]string
	Config  []ipamConfig
}

type ipamConfig struct {
	Subnet  string `json:",omitempty"`
	IPRange string `json:",omitempty"`
	Gateway string `json:",omitempty"`
}

// endpointResource is one container on a network, as inspect shows it.
type endpointResource struct {
	Name        string
	EndpointID  string
	MacAddress  string
	IPv4Address string
	IPv6Address string
}

// predefinedID is the ID of a network mydocker has without storing it
// (network.PredefinedID), and of an endpoint.
func predefinedID(name string) string { return network.PredefinedID(name) }

// resource turns a listed network into Docker's shape; names gives the
// containers' names by ID.
func resource(l network.Listed, names map[string]string) networkResource {
	n := networkResource{Name: l.Name, ID: l.ID, Created: l.Created, Scope: "local", Driver: l.Driver,
		IPAM:       ipam{Driver: "default", Options: map[string]string{}, Config: []ipamConfig{}},
		Containers: map[string]endpointResource{}, Options: map[string]string{}, Labels: map[string]string{}}
	if n.ID == "" {
		n.ID = predefinedID(l.Name)
	}
	if l.Subnet != "" {
		n.IPAM.Config = append(n.IPAM.Config, ipamConfig{Subnet: l.Subnet, Gateway: l.Gateway})
	}
	if l.Parent != "" {
		n.Options["parent"] = l.Parent
	}
	if l.Bridge != "" {
		n.Options["com.docker.network.bridge.name"] = l.Bridge
	}
	prefix := ""
	if _, sub, err := net.ParseCIDR(l.Subnet); err == nil {
		ones, _ := sub.Mask.Size()
		prefix = "/" + strconv.Itoa(ones)
	}
	for key, ip := range l.Containers {
		// A container connected after its start is kept under
		// "container/network"; Docker keys it by the container's ID.
		id, _, _ := strings.Cut(key, "/")
		n.Containers[id] = endpointResource{Name: names[id], EndpointID: predefinedID(id + " " + n.ID), IPv4Address: ip + prefix}
	}
	return n
}

// networks lists every network in Docker's shape.
func (s *Server) networks() ([]networkResource, error) {
	list, err := network.List(s.DataRoot)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if containers, err := engine.OpenStore(s.DataRoot); err == nil {
		all, _ := containers.List()
		for _, c := range all {
			names[c.ID] = strings.TrimPrefix(c.Name, "/")
		}
	}
	out := make([]networkResource, 0, len(list))
	for _, l := range list {
		out = append(out, resource(l, names))
	}
	return out, nil
}

// findNetwork finds a network as Docker does: by full ID, by name, then by
// a unique ID prefix.
func (s *Server) findNetwork(ref string) (networkResource, error) {
	all, err := s.networks()
	if err != nil {
		return networkResource{}, err
	}
	for _, n := range all {
		if n.ID == ref {
			return n, nil
		}
	}
	for _, n := range all {
		if n.Name == ref {
			return n, nil
		}
	}
	var match []networkResource
	for _, n := range all {
		if ref != "" && strings.HasPrefix(n.ID, ref) {
			match = append(match, n)
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return networkResource{}, notFound("network %s not found", ref)
	}
	return networkResource{}, badRequest("network %s is ambiguous (%d matches)", ref, len(match))
}

// networkList is GET /networks?filters= (name, id, driver, type, label).
func (s *Server) networkList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	if err := f.check("name", "id", "driver", "type", "label", "scope", "dangling"); err != nil {
		return err
	}
	all, err := s.networks()
	if err != nil {
		return err
	}
	out := []networkResource{}
	for _, n := range all {
		typ := "custom"
		if isPredefined(n.Name) {
			typ = "builtin"
		}
		if !f.matchSubstring("name", n.Name) || !f.matchPrefix("id", n.ID) || !f.match("driver", n.Driver) ||
			!f.match("type", typ) || !f.match("scope", n.Scope) || !f.matchLabels(n.Labels) {
			continue
		}
		if d, ok, err := f.boolFilter("dangling"); err != nil {
			return err
		} else if ok && (typ == "custom" && len(n.Containers) == 0) != d {
			continue
		}
		out = append(out, n)
	}
	return writeJSON(w, http.StatusOK, out)
}

func isPredefined(name string) bool {
	return name == network.DefaultName || name == "host" || name == "none"
}

// networkInspect is GET /networks/{id}.
func (s *Server) networkInspect(w http.ResponseWriter, r *http.Request) error {
	n, err := s.findNetwork(r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, n)
}

// networkCreateRequest is Docker's NetworkCreateRequest.
type networkCreateRequest struct {
	Name           string
	CheckDuplicate bool
	Driver         string
	Internal       bool
	Attachable     bool
	Ingress        bool
	EnableIPv6     bool
	IPAM           *struct {
		Driver  string
		Config  []ipamConfig
		Options map[string]string
	}
	Options map[string]string
	Labels  map[string]string
}

// networkCreate is POST /networks/create: 201 {"Id", "Warning"}; 409 when
// the name is taken (mydocker never makes two networks of one name, with
// or without CheckDuplicate); 400 for what mydocker cannot make.
func (s *Server) networkCreate(w http.ResponseWriter, r *http.Request) error {
	var req networkCreateRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	o, err := req.options()
	if err != nil {
		return err
	}
	if _, err := s.findNetwork(req.Name); err == nil {
		return conflict("network with name %s already exists", req.Name)
	}
	n, err := network.Create(s.DataRoot, o)
	if err != nil {
		// The kernel's failures are the daemon's (500); anything else
		// Create refuses (a bad subnet, an overlap, a name taken in a
		// race) is the request's.
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return err
		}
		if strings.Contains(err.Error(), "already exists") {
			return conflict("%s", err.Error())
		}
		return badRequest("%s", err.Error())
	}
	s.event("network", "create", n.ID, map[string]string{"name": n.Name, "type": n.Driver})
	return writeJSON(w, http.StatusCreated, map[string]string{"Id": n.ID, "Warning": ""})
}

// options is the request as `network create`'s options, refusing what
// mydocker does not make: 404 for a driver it has not (Docker looks for a
// plugin of that name), 400 for the rest.
func (req *networkCreateRequest) options() (network.CreateOptions, error) {
	o := network.CreateOptions{Name: req.Name, Driver: req.Driver}
	switch {
	case req.Name == "":
		return o, badRequest("network create: a name is required")
	case req.Internal, req.Ingress, req.EnableIPv6:
		return o, badRequest("network create %s: internal, ingress and IPv6 networks are not supported by mydocker", req.Name)
	case o.Driver != "" && o.Driver != "bridge" && o.Driver != "macvlan":
		return o, notFound("plugin %q not found: mydocker's network drivers are bridge and macvlan", o.Driver)
	}
	if req.IPAM != nil {
		if req.IPAM.Driver != "" && req.IPAM.Driver != "default" {
			return o, badRequest("IPAM driver %q: mydocker has the default one only", req.IPAM.Driver)
		}
		if len(req.IPAM.Config) > 1 {
			return o, badRequest("network create %s: one IPAM config (one IPv4 subnet) at most", req.Name)
		}
		if len(req.IPAM.Config) == 1 {
			c := req.IPAM.Config[0]
			if c.IPRange != "" && c.IPRange != c.Subnet {
				return o, badRequest("network create %s: IPRange is not supported by mydocker", req.Name)
			}
			o.Subnet, o.Gateway = c.Subnet, c.Gateway
		}
	}
	for k, v := range req.Options {
		switch {
		case k == "parent":
			o.Parent = v
		case k == "macvlan_mode" && v != "bridge":
			return o, badRequest("macvlan_mode %q: mydocker's macvlan networks are in bridge mode", v)
		case k != "macvlan_mode":
			return o, badRequest("network option %q is not supported: the one option is parent=IF (macvlan)", k)
		}
	}
	return o, nil
}

// networkRemove is DELETE /networks/{id}: 204; 403 for a predefined
// network or one with containers on it, as Docker answers.
func (s *Server) networkRemove(w http.ResponseWriter, r *http.Request) error {
	n, err := s.findNetwork(r.PathValue("id"))
	if err != nil {
		return err
	}
	if isPredefined(n.Name) {
		return &apiError{http.StatusForbidden, n.Name + " is a pre-defined network and cannot be removed"}
	}
	if err := network.Remove(s.DataRoot, n.ID); err != nil {
		if errors.Is(err, network.ErrInUse) {
			return &apiError{http.StatusForbidden, err.Error()}
		}
		return err
	}
	s.event("network", "destroy", n.ID, map[string]string{"name": n.Name, "type": n.Driver})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// networkPrune is POST /networks/prune: {"NetworksDeleted": [names]}.
func (s *Server) networkPrune(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	if err := f.check("until", "label"); err != nil {
		return err
	}
	if f.has("until") || f.has("label") {
		return badRequest("network prune: the until and label filters are not supported by mydocker")
	}
	before, _ := s.networks()
	removed, err := network.Prune(s.DataRoot)
	if err != nil {
		return err
	}
	for _, name := range removed {
		for _, n := range before {
			if n.Name == name {
				s.event("network", "destroy", n.ID, map[string]string{"name": n.Name, "type": n.Driver})
			}
		}
	}
	if removed == nil {
		removed = []string{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"NetworksDeleted": removed})
}

// network connect and disconnect (`docker network connect|disconnect`):
// decoded here, carried out by the engine (engine.ConnectNetwork,
// chapter 07): a running container gets an interface on the network, or
// loses it, at once; one that is not running only has its record changed,
// and its next start carries it out, as in Docker. docker-compose relies
// on the second: it disconnects and reconnects every container it
// creates, to give it its aliases. The engine's refusals get dockerd's
// statuses in status (server.go).

package daemon

import (
	"net/http"

	"github.com/mydocker/mydocker/mydocker/engine"
)

// networkConnect is POST /networks/{id}/connect {"Container",
// "EndpointConfig": {"Aliases", "IPAMConfig": {"IPv4Address"}}}: the
// container joins the network, with that address if one is given
// (engine.ConnectNetwork).
func (s *Server) networkConnect(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Container      string
		EndpointConfig *struct {
			Aliases    []string
			IPAMConfig *struct{ IPv4Address string }
		}
	}
	if err := readJSON(r, &req); err != nil {
		return err
	}
	n, err := s.findNetwork(r.PathValue("id"))
	if err != nil {
		return err
	}
	c, err := s.networkMember(req.Container)
	if err != nil {
		return err
	}
	var aliases []string
	var ip string
	if e := req.EndpointConfig; e != nil {
		if e.IPAMConfig != nil {
			ip = e.IPAMConfig.IPv4Address
		}
		aliases = e.Aliases
	}
	if _, err := engine.ConnectNetwork(s.DataRoot, n.ID, c.ID, aliases, ip); err != nil {
		return err
	}
	s.event("network", "connect", n.ID, map[string]string{"name": n.Name, "type": n.Driver, "container": c.ID})
	w.WriteHeader(http.StatusOK)
	return nil
}

// networkMember finds the container a connect or disconnect names, with
// Docker's statuses (lookupRef): 404 for none, 400 for an ID prefix that
// names several.
func (s *Server) networkMember(ref string) (*engine.Container, error) {
	if ref == "" {
		return nil, badRequest("no container given: want {\"Container\": NAME}")
	}
	_, c, err := s.lookupRef(ref)
	return c, err
}

// networkDisconnect is POST /networks/{id}/disconnect {"Container", "Force"}
// (engine.DisconnectNetwork).
func (s *Server) networkDisconnect(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Container string
		Force     bool
	}
	if err := readJSON(r, &req); err != nil {
		return err
	}
	n, err := s.findNetwork(r.PathValue("id"))
	if err != nil {
		return err
	}
	c, err := s.networkMember(req.Container)
	if err != nil {
		return err
	}
	// The container as the client named it: a refusal says it so, as
	// daemonless does.
	if err := engine.DisconnectNetwork(s.DataRoot, n.ID, req.Container); err != nil {
		return err
	}
	s.event("network", "disconnect", n.ID, map[string]string{"name": n.Name, "type": n.Driver, "container": c.ID})
	w.WriteHeader(http.StatusOK)
	return nil
}

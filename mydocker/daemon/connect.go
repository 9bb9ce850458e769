// network connect and disconnect (`docker network connect|disconnect`):
// a running container gets an interface on the network, or loses it, at
// once (engine.ConnectNetwork, chapter 07); one that is not running only
// has its record changed, and its next start carries it out, as in
// Docker. docker-compose relies on the second: it disconnects and
// reconnects every container it creates, to give it its aliases.

package daemon

import (
	"net/http"
	"strings"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/network"
)

// networkConnect is POST /networks/{id}/connect {"Container",
// "EndpointConfig": {"Aliases", "IPAMConfig": {"IPv4Address"}}}: the
// running container gets an interface on the network, with that address
// if one is given (engine.ConnectNetwork).
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
	if isPredefined(n.Name) {
		return badRequest("container cannot be connected to network %s: mydocker connects user-defined networks only", n.Name)
	}
	var aliases []string
	var ip string
	if e := req.EndpointConfig; e != nil {
		if e.IPAMConfig != nil {
			ip = e.IPAMConfig.IPv4Address
		}
		aliases = e.Aliases
	}
	if _, on := n.Containers[c.ID]; on {
		return &apiError{http.StatusForbidden, "endpoint with name " + strings.TrimPrefix(c.Name, "/") + " already exists in network " + n.Name}
	}
	if c.State.Status != engine.Running {
		// Checked now as far as it can be; its start takes the address.
		if ip != "" {
			if err := network.CheckAddress(s.DataRoot, n.ID, ip); err != nil {
				return err
			}
		}
		if err := s.setNetwork(c, n, aliases, ip, true); err != nil {
			return err
		}
	} else if _, err := engine.ConnectNetwork(s.DataRoot, n.ID, c.ID, aliases, ip); err != nil {
		return err
	}
	s.event("network", "connect", n.ID, map[string]string{"name": n.Name, "type": n.Driver, "container": c.ID})
	w.WriteHeader(http.StatusOK)
	return nil
}

// onNetwork reports whether a container that is not running will join n
// at its start.
func onNetwork(c *engine.Container, n networkResource) bool {
	mode := c.HostConfig.NetworkMode
	return mode == n.Name || mode == n.ID || (mode == "" || mode == "default") && n.Name == network.DefaultName
}

// setNetwork connects (or disconnects) a container that is not running:
// as in Docker, its record changes and the next start carries it out.
// mydocker's containers join one network at their start, so a stopped
// container is connected only when it has none ("none", or the network it
// was just disconnected from: docker-compose disconnects and reconnects
// each container it creates, to set its aliases).
func (s *Server) setNetwork(c *engine.Container, n networkResource, aliases []string, ip string, connect bool) error {
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	_, err = containers.Update(c.ID, func(c *engine.Container) error {
		switch {
		case c.State.Status == engine.Running:
			return conflict("container %s started meanwhile: try again", engine.ShortID(c.ID))
		case !connect:
			// Its --ip goes with the network: the address is no
			// longer asked for, and a later network may not have it.
			c.HostConfig.NetworkMode, c.HostConfig.NetworkAliases, c.HostConfig.IPAddress = "none", nil, ""
		case onNetwork(c, n):
			return &apiError{http.StatusForbidden, "endpoint with name " + strings.TrimPrefix(c.Name, "/") + " already exists in network " + n.Name}
		case c.HostConfig.NetworkMode != "none":
			return badRequest("container %s is not running and has its network (%s): mydocker connects a second network to running containers only",
				engine.ShortID(c.ID), c.HostConfig.NetworkMode)
		default:
			c.HostConfig.NetworkMode, c.HostConfig.NetworkAliases, c.HostConfig.IPAddress = n.Name, aliases, ip
		}
		return nil
	})
	return err
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

// networkDisconnect is POST /networks/{id}/disconnect {"Container", "Force"}.
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
	if _, on := n.Containers[c.ID]; on {
		if err := engine.DisconnectNetwork(s.DataRoot, n.ID, c.ID); err != nil {
			return err
		}
	} else if c.State.Status == engine.Running || !onNetwork(c, n) {
		// The container as the client named it, as daemonless says it.
		return &apiError{http.StatusForbidden, "container " + req.Container + " is not connected to network " + n.Name}
	} else if err := s.setNetwork(c, n, nil, "", false); err != nil {
		return err
	}
	s.event("network", "disconnect", n.ID, map[string]string{"name": n.Name, "type": n.Driver, "container": c.ID})
	w.WriteHeader(http.StatusOK)
	return nil
}

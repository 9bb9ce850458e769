// A container's networks after its creation (chapter 07): `network
// connect` and `network disconnect` (at once for a running container; in
// its record, for its next start, for one that is not running), and `run
// --network container:NAME`, which shares that container's network
// namespace instead of making one.

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mydocker/mydocker/mydocker/network"
)

// running finds a container and checks that its init is the process the
// record names.
func running(containers *Store, ref string) (*Container, error) {
	c, err := containers.Get(ref)
	if err != nil {
		return nil, err
	}
	if c.State.Status != "running" || c.State.Pid <= 0 {
		return nil, fmt.Errorf("container %s is not running", ShortID(c.ID))
	}
	if start, err := ProcessStartTime(c.State.Pid); err != nil || (c.State.PidStart != 0 && start != c.State.PidStart) {
		return nil, fmt.Errorf("container %s is not running", ShortID(c.ID))
	}
	return c, nil
}

// Refusals of network connect and disconnect, for callers that branch
// (the daemon answers the first two 403, the last 400, as dockerd does).
var (
	ErrEndpointExists = errors.New("endpoint already exists in network")
	ErrNotConnected   = errors.New("container is not connected to the network")
	ErrNotConnectable = errors.New("container cannot be connected to the network")
)

// A networkError is one of those refusals, in Docker's words.
type networkError struct {
	msg  string
	kind error
}

func (e *networkError) Error() string { return e.msg }
func (e *networkError) Unwrap() error { return e.kind }

func refuse(kind error, format string, args ...any) error {
	return &networkError{msg: fmt.Sprintf(format, args...), kind: kind}
}

// ConnectNetwork is `mydocker network connect [--alias A] [--ip IP] NET
// CONTAINER`: ip "" takes the network's lowest free address. A running
// container gets an interface at once, and ConnectNetwork returns its name
// (eth1, ...); one that is not running has its record changed, and its
// next start carries it out (setNetwork), as in Docker.
func ConnectNetwork(dataRoot, net, ref string, aliases []string, ip string) (string, error) {
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return "", err
	}
	c, err := containers.Get(ref)
	if err != nil {
		return "", err
	}
	n, err := network.Lookup(dataRoot, net)
	if err != nil {
		return "", err
	}
	if n.Name == "host" || n.Name == "none" {
		// Docker's words: neither is a network a container can add.
		return "", refuse(ErrNotConnectable, "container cannot be connected to network %s: it takes no second network (connect a bridge network)", n.Name)
	}
	if on, err := onEndpoint(dataRoot, c.ID, n.Name); err != nil {
		return "", err
	} else if on {
		return "", refuse(ErrEndpointExists, "endpoint with name %s already exists in network %s", strings.TrimPrefix(c.Name, "/"), n.Name)
	}
	if c.State.Status != Running {
		// Checked now as far as it can be; its start takes the address.
		if ip != "" {
			if err := network.CheckAddress(dataRoot, n.Name, ip); err != nil {
				return "", err
			}
		}
		return "", setNetwork(containers, c.ID, n.Network, aliases, ip, true)
	}
	if c, err = running(containers, c.ID); err != nil {
		return "", err
	}
	return network.Connect(dataRoot, n.Name, network.Member{ID: c.ID, Name: c.Name, Pid: c.State.Pid,
		Monitor: c.State.Monitor, MonitorStart: c.State.MonitorStart}, aliases, ip)
}

// DisconnectNetwork is `mydocker network disconnect NET CONTAINER`: a
// running container loses its interface on NET; one that is not running
// and would join NET at its start joins none instead (setNetwork).
func DisconnectNetwork(dataRoot, net, ref string) error {
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	c, err := containers.Get(ref)
	if err != nil {
		return err
	}
	n, err := network.Lookup(dataRoot, net)
	if err != nil {
		return err
	}
	on, err := onEndpoint(dataRoot, c.ID, n.Name)
	switch {
	case err != nil:
		return err
	case on:
		return network.Disconnect(dataRoot, n.Name, c.ID, c.Name)
	case c.State.Status == Running || !onNetwork(c, n.Network):
		// The container as the user named it, as Docker says it.
		return refuse(ErrNotConnected, "container %s is not connected to network %s", ref, n.Name)
	}
	return setNetwork(containers, c.ID, n.Network, nil, "", false)
}

// onEndpoint reports whether container has an endpoint on the network
// named name now: one whose holder is alive (network.Networks).
func onEndpoint(dataRoot, container, name string) (bool, error) {
	nets, err := network.Networks(dataRoot, container)
	if err != nil {
		return false, err
	}
	_, on := nets[name]
	return on, nil
}

// onNetwork reports whether a container that is not running will join n
// at its start.
func onNetwork(c *Container, n network.Network) bool {
	mode := c.HostConfig.NetworkMode
	return mode == n.Name || mode == n.ID || (mode == "" || mode == "default") && n.Name == network.DefaultName
}

// setNetwork connects (or disconnects) a container that is not running:
// as in Docker, its record changes and the next start carries it out.
// mydocker's containers join one network at their start, so a stopped
// container is connected only when it has none ("none", or the network it
// was just disconnected from: docker-compose disconnects and reconnects
// each container it creates, to set its aliases).
func setNetwork(containers *Store, id string, n network.Network, aliases []string, ip string, connect bool) error {
	_, err := containers.Update(id, func(c *Container) error {
		switch {
		case c.State.Status == Running:
			return conflict("container %s started meanwhile: try again", ShortID(c.ID))
		case c.MonitorAlive():
			// A monitor claimed it and is starting it (or will restart
			// it) with its network as the record said: a change now
			// would be answered as done and not be.
			return conflict("container %s is starting: try again once it runs", ShortID(c.ID))
		case !connect:
			// Its --ip goes with the network: the address is no
			// longer asked for, and a later network may not have it.
			c.HostConfig.NetworkMode, c.HostConfig.NetworkAliases, c.HostConfig.IPAddress = "none", nil, ""
		case onNetwork(c, n):
			return refuse(ErrEndpointExists, "endpoint with name %s already exists in network %s", strings.TrimPrefix(c.Name, "/"), n.Name)
		case c.HostConfig.NetworkMode != "none":
			return refuse(ErrNotConnectable, "container %s is not running and has its network (%s): mydocker connects a second network to running containers only",
				ShortID(c.ID), c.HostConfig.NetworkMode)
		default:
			c.HostConfig.NetworkMode, c.HostConfig.NetworkAliases, c.HostConfig.IPAddress = n.Name, aliases, ip
		}
		return nil
	})
	return err
}

// joinRequest fills in what --network container:NAME shares: the other
// container's ID, init's PID, and the /etc/hosts and /etc/resolv.conf
// mydocker wrote for it (from its own directory, never through its root).
func joinRequest(dataRoot string, req *network.Request) error {
	ref, ok := strings.CutPrefix(req.Mode, "container:")
	if !ok {
		return nil
	}
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	other, err := running(containers, ref)
	if err != nil {
		if strings.Contains(err.Error(), "not running") {
			return fmt.Errorf("cannot join network of a non running container: %s", ref)
		}
		return err
	}
	dir := containers.Dir(other.ID)
	hosts, _ := os.ReadFile(filepath.Join(dir, "hosts"))
	resolv, _ := os.ReadFile(filepath.Join(dir, "resolv.conf"))
	req.Mode, req.JoinPid = "container:"+other.ID, other.State.Pid
	req.JoinHosts, req.JoinResolv = string(hosts), string(resolv)
	return nil
}

// WithNetworks fills in c's NetworkSettings.Networks for inspect, from the
// network state file (network.Networks): the networks the container is on
// now. A container that is not running shows its first network with no
// address, host and none show as themselves, as docker inspect does.
func WithNetworks(dataRoot string, c *Container) error {
	s := c.NetworkSettings
	if s == nil {
		return nil
	}
	nets, err := network.Networks(dataRoot, c.ID)
	if err != nil {
		return err
	}
	if len(nets) == 0 && !strings.HasPrefix(s.Mode, "container:") {
		name := s.Network
		if name == "" {
			name = s.Mode
		}
		nets[name] = &network.EndpointSettings{}
	}
	s.Networks = nets
	return nil
}

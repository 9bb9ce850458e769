// A running container's networks after its start (chapter 07): `network
// connect` and `network disconnect`, and `run --network container:NAME`,
// which shares that container's network namespace instead of making one.

package engine

import (
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

// ConnectNetwork is `mydocker network connect [--alias A] [--ip IP] NET
// CONTAINER`: ip "" takes the network's lowest free address. It returns
// the interface the container got (eth1, ...).
func ConnectNetwork(dataRoot, net, ref string, aliases []string, ip string) (string, error) {
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return "", err
	}
	c, err := running(containers, ref)
	if err != nil {
		return "", err
	}
	return network.Connect(dataRoot, net, network.Member{ID: c.ID, Name: c.Name, Pid: c.State.Pid,
		Monitor: c.State.Monitor, MonitorStart: c.State.MonitorStart}, aliases, ip)
}

// DisconnectNetwork is `mydocker network disconnect NET CONTAINER`.
func DisconnectNetwork(dataRoot, net, ref string) error {
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	c, err := containers.Get(ref)
	if err != nil {
		return err
	}
	return network.Disconnect(dataRoot, net, c.ID, c.Name)
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

// `network connect` and `network disconnect`: a running container gains or
// loses an interface on a further network, eth1, eth2, ... — another veth
// pair, made from the host into the namespace of the container's init, as
// Join makes eth0. The container's default route stays on its first
// network, as in Docker. The extra endpoint is keyed CONTAINER/NETWORK in
// the state file and held by the same `mydocker run` as the first, so the
// container's end (or its run's kill -9) releases it too.

package network

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/mydocker/mydocker/mydocker/netlink"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// A Member is a running container, as connect needs it.
type Member struct {
	ID, Name     string
	Pid          int    // init's PID
	Monitor      int    // its mydocker run
	MonitorStart uint64 // that run's start time
}

// ErrNotConnected says a container has no endpoint on a network.
var ErrNotConnected = errors.New("container is not connected to the network")

// endpointKey is the state file's key of a container's endpoint on a
// network: the container's ID for the first, ID/NETWORK for the others.
func endpointKey(st *State, container, network string) (string, bool) {
	for k, ep := range st.Endpoints {
		if ep.Container == container && ep.Network == network {
			return k, true
		}
	}
	return "", false
}

// Connect gives the running container m an interface on network ref,
// with address ip (--ip) or the lowest free one if ip is "". On error
// nothing is left.
func Connect(dataRoot, ref string, m Member, aliases []string, ip string) (string, error) {
	store, err := OpenStore(dataRoot)
	if err != nil {
		return "", err
	}
	conn, err := netlink.Dial()
	if err != nil {
		return "", err
	}
	defer conn.Close()
	var n *Network
	var ep *Endpoint
	var bridge *netlink.Link
	key := m.ID + "/"
	err = store.Update(func(st *State) error {
		reclaim(st, conn)
		// The default network is made on first use, by connect too.
		if n, err = lookup(st, conn, ref); err != nil {
			if ref != DefaultName {
				err = fmt.Errorf("network %s not found", ref)
			}
			return err
		}
		if n.Driver != "" && n.Driver != "bridge" {
			return fmt.Errorf("network %s: connect supports bridge networks only", n.Name)
		}
		if _, ok := endpointKey(st, m.ID, n.ID); ok {
			return fmt.Errorf("endpoint with name %s already exists in network %s", m.Name, n.Name)
		}
		// The address first: a refused one leaves no bridge made.
		addr, err := address(st, n, ip)
		if err != nil {
			return err
		}
		if bridge, err = ensureBridge(conn, n); err != nil {
			return err
		}
		key += n.ID
		ep = &Endpoint{Container: m.ID, Name: m.Name, Aliases: aliases, Network: n.ID, IP: addr.String(),
			HostVeth: "myd" + m.ID[:min(7, len(m.ID))] + n.ID[:min(5, len(n.ID))],
			Monitor:  m.Monitor, MonitorStart: m.MonitorStart}
		st.Endpoints[key] = ep
		trace.Step("IPAM: %s on %s (%s) for %.12s", addr, n.Name, n.Subnet, m.ID)
		return nil
	})
	if err != nil {
		return "", err
	}
	ifname, err := plug(conn, bridge, n, ep, m.Pid)
	if err != nil {
		deleteVeth(conn, ep.HostVeth)
		store.Update(func(st *State) error { delete(st.Endpoints, key); return nil })
		return "", err
	}
	return ifname, nil
}

// CheckAddress checks the --ip of a stopped container's network connect:
// a network with a subnet of the user's, and an address of that subnet.
// Whether another container holds it is for the start to say, when the
// address is taken (as in Docker).
func CheckAddress(dataRoot, ref, ip string) error {
	store, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	return store.Read(func(st *State) error {
		n, err := st.Find(ref)
		if err != nil {
			return fmt.Errorf("network %s not found", ref)
		}
		if n.Pool {
			return ErrNoUserSubnet
		}
		_, subnet, _ := net.ParseCIDR(n.Subnet)
		_, err = CheckFixed(subnet, net.ParseIP(n.Gateway), nil, ip)
		return err
	})
}

// plug makes the veth pair for ep: the host end on the bridge, the other
// the next free ethN inside pid's network namespace, addressed and up.
func plug(conn *netlink.Conn, bridge *netlink.Link, n *Network, ep *Endpoint, pid int) (string, error) {
	ns, err := os.Open("/proc/" + strconv.Itoa(pid) + "/ns/net")
	if err != nil {
		return "", fmt.Errorf("container's network namespace: %w", err)
	}
	defer ns.Close()
	in, err := netlink.DialNetns(int(ns.Fd()), "container")
	if err != nil {
		return "", err
	}
	defer in.Close()
	links, err := in.Links()
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, l := range links {
		taken[l.Name] = true
	}
	ifname := "eth0"
	for i := 1; taken[ifname]; i++ {
		ifname = "eth" + strconv.Itoa(i)
	}
	if err := conn.AddVeth(ep.HostVeth, ifname, int(ns.Fd())); err != nil {
		return "", err
	}
	host, err := conn.LinkByName(ep.HostVeth)
	if err != nil {
		return "", err
	}
	if err := conn.SetMasterUp(host, bridge); err != nil {
		return "", err
	}
	l, err := in.LinkByName(ifname)
	if err != nil {
		return "", err
	}
	_, subnet, _ := net.ParseCIDR(n.Subnet)
	if err := in.AddAddr(l, &net.IPNet{IP: net.ParseIP(ep.IP), Mask: subnet.Mask}); err != nil {
		return "", err
	}
	return ifname, in.SetUp(l)
}

// Disconnect takes the container's interface on network ref away and
// releases its address.
func Disconnect(dataRoot, ref, container, name string) error {
	store, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	conn, err := netlink.Dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	return store.Update(func(st *State) error {
		n, err := st.Find(ref)
		if err != nil {
			return fmt.Errorf("network %s not found", ref)
		}
		key, ok := endpointKey(st, container, n.ID)
		if !ok {
			return fmt.Errorf("container %s is not connected to network %s", name, n.Name)
		}
		ep := st.Endpoints[key]
		// The host end goes, and its peer inside with it.
		if err := errors.Join(removePortRules(ep), deleteVeth(conn, ep.HostVeth)); err != nil {
			return err
		}
		delete(st.Endpoints, key)
		return nil
	})
}

// extraEndpoints are the keys of a container's endpoints beyond its first.
func extraEndpoints(st *State, container string) []string {
	var out []string
	for k := range st.Endpoints {
		if strings.HasPrefix(k, container+"/") {
			out = append(out, k)
		}
	}
	return out
}

// Networks lists the networks container is on, by name: an endpoint
// whose holder is alive, on a network that exists (docker inspect's
// NetworkSettings.Networks). A container that is not running is on none.
func Networks(dataRoot, container string) (map[string]*EndpointSettings, error) {
	store, err := OpenStore(dataRoot)
	if err != nil {
		return nil, err
	}
	out := map[string]*EndpointSettings{}
	err = store.Read(func(st *State) error {
		byID := map[string]*Network{}
		for _, n := range st.Networks {
			byID[n.ID] = n
		}
		for key, ep := range st.Endpoints {
			n := byID[ep.Network]
			if ep.Container != container || n == nil || !alive(ep.Monitor, ep.MonitorStart) {
				continue
			}
			_, subnet, _ := net.ParseCIDR(n.Subnet)
			prefix := 0
			if subnet != nil {
				prefix, _ = subnet.Mask.Size()
			}
			out[n.Name] = &EndpointSettings{Aliases: ep.Aliases, NetworkID: n.ID, EndpointID: key,
				Gateway: n.Gateway, IPAddress: ep.IP, IPPrefixLen: prefix}
		}
		return nil
	})
	return out, err
}

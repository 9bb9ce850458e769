// `mydocker network create|ls|inspect|rm|prune`: user-defined networks. A
// network is a bridge named myd-<ID>, made at create, removed at rm; its
// subnet is given (--subnet) or the first free one of a pool, and never
// overlaps another network or a route of the host.

package network

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/netlink"
)

// CreateOptions is `network create`, parsed.
type CreateOptions struct {
	Name    string
	Driver  string // bridge or macvlan
	Parent  string // macvlan: -o parent=IF
	Subnet  string
	Gateway string
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// predefined are the networks that exist without being created.
var predefined = map[string]bool{DefaultName: true, "host": true, "none": true, "default": true}

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// PredefinedID is the ID of a network mydocker has without storing one
// (bridge before its first use, host, none): derived from its name, so
// that `network ls` shows the same ID with a daemon or without, as Docker
// shows one for each.
func PredefinedID(name string) string {
	sum := sha256.Sum256([]byte("mydocker network " + name))
	return hex.EncodeToString(sum[:])
}

func now() time.Time { return time.Now().UTC() }

// pool is where subnets are picked from when --subnet is not given.
func pool() []string {
	out := []string{"172.30.0.0/16", "172.31.0.0/16"}
	for i := 200; i < 255; i++ {
		out = append(out, fmt.Sprintf("10.%d.0.0/16", i))
	}
	return out
}

// checkOverlap refuses a subnet that shares addresses with a network or
// with a route of the host (a LAN, a VPN): traffic to it would be
// ambiguous.
//
// own names a bridge whose routes do not count: the default bridge found
// already there (made by an earlier data root, as docker0 is reused).
func checkOverlap(st *State, conn *netlink.Conn, subnet *net.IPNet, own ...string) error {
	for _, n := range st.Networks {
		if _, other, err := net.ParseCIDR(n.Subnet); err == nil && overlaps(subnet, other) {
			return fmt.Errorf("subnet %s overlaps network %s (%s): choose another --subnet", subnet, n.Name, n.Subnet)
		}
	}
	_, def, _ := net.ParseCIDR(DefaultSubnet)
	if overlaps(subnet, def) && st.byName(DefaultName) == nil && subnet.String() != DefaultSubnet {
		return fmt.Errorf("subnet %s overlaps the default network %s: choose another --subnet", subnet, DefaultSubnet)
	}
	routes, err := conn.Routes()
	if err != nil {
		return err
	}
	skip := map[int]bool{}
	for _, name := range own {
		if l, err := conn.LinkByName(name); err == nil {
			skip[l.Index] = true
		}
	}
	for _, r := range routes {
		if r.Dst != nil && overlaps(subnet, r.Dst) && !skip[r.Link] {
			return fmt.Errorf("subnet %s overlaps the host's route to %s: choose another --subnet", subnet, r.Dst)
		}
	}
	return nil
}

func (st *State) byName(name string) *Network {
	for _, n := range st.Networks {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Create makes a user-defined network and its bridge.
func Create(dataRoot string, o CreateOptions) (*Network, error) {
	if !validName.MatchString(o.Name) || len(o.Name) > 64 {
		return nil, fmt.Errorf("invalid network name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", o.Name)
	}
	if predefined[o.Name] {
		return nil, fmt.Errorf("network name %s is a pre-defined network: choose another name", o.Name)
	}
	switch {
	case o.Driver == "macvlan" && o.Parent == "":
		return nil, fmt.Errorf("a macvlan network needs its parent interface: -o parent=IF (e.g. eth0)")
	case o.Driver != "macvlan" && o.Parent != "":
		return nil, fmt.Errorf("-o parent=%s is for -d macvlan", o.Parent)
	case o.Driver != "" && o.Driver != "bridge" && o.Driver != "macvlan":
		return nil, fmt.Errorf("network driver %q is not supported: use -d bridge or -d macvlan", o.Driver)
	}
	var subnet *net.IPNet
	if o.Subnet != "" {
		var err error
		if subnet, err = parseSubnet(o.Subnet); err != nil {
			return nil, err
		}
	} else if o.Gateway != "" {
		return nil, fmt.Errorf("--gateway needs --subnet")
	}
	store, err := OpenStore(dataRoot)
	if err != nil {
		return nil, err
	}
	conn, err := netlink.Dial()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var n *Network
	var own []string
	err = store.Update(func(st *State) error {
		if st.byName(o.Name) != nil {
			return fmt.Errorf("network with name %s already exists", o.Name)
		}
		if o.Driver == "macvlan" {
			// The parent's own LAN is what a macvlan network is
			// usually on: its route is no overlap.
			parent, err := conn.LinkByName(o.Parent)
			if err != nil {
				return fmt.Errorf("parent interface %s: %w (see ip link)", o.Parent, err)
			}
			own = append(own, parent.Name)
		}
		if subnet == nil {
			for _, s := range pool() {
				_, c, _ := net.ParseCIDR(s)
				if checkOverlap(st, conn, c, own...) == nil {
					subnet = c
					break
				}
			}
			if subnet == nil {
				return fmt.Errorf("no free subnet left in mydocker's pool: give --subnet")
			}
		} else if err := checkOverlap(st, conn, subnet, own...); err != nil {
			return err
		}
		gw := Gateway(subnet)
		if o.Gateway != "" {
			ip := net.ParseIP(o.Gateway).To4()
			first, last := bounds(subnet)
			if ip == nil || !subnet.Contains(ip) || ipToU32(ip) == first || ipToU32(ip) == last {
				return fmt.Errorf("invalid --gateway %q: want an address inside %s", o.Gateway, subnet)
			}
			gw = ip
		}
		id := newID()
		n = &Network{ID: id, Name: o.Name, Driver: "bridge", Bridge: "myd-" + id[:11],
			Subnet: subnet.String(), Gateway: gw.String(), Pool: o.Subnet == "", Created: now()}
		if o.Driver == "macvlan" {
			// No bridge, no NAT: containers are machines on the
			// parent's network, and its router is their gateway.
			n.Driver, n.Bridge, n.Parent = "macvlan", "", o.Parent
			st.Networks = append(st.Networks, n)
			return nil
		}
		if _, err := ensureBridge(conn, n); err != nil {
			return err
		}
		st.Networks = append(st.Networks, n)
		return nil
	})
	return n, err
}

// A Listed network is one row of `network ls` / one `network inspect`.
type Listed struct {
	Network
	Containers map[string]string `json:"Containers"` // container ID → address
}

// List lists the networks: the default one (made if needed), host and
// none, then user networks, oldest first.
func List(dataRoot string) ([]Listed, error) {
	store, err := OpenStore(dataRoot)
	if err != nil {
		return nil, err
	}
	var out []Listed
	err = store.Read(func(st *State) error {
		if st.byName(DefaultName) == nil {
			out = append(out, Listed{Network: Network{ID: "", Name: DefaultName, Driver: "bridge", Bridge: DefaultBridge, Subnet: DefaultSubnet}})
		}
		for _, n := range st.Networks {
			l := Listed{Network: *n, Containers: map[string]string{}}
			for id, ep := range st.Endpoints {
				if ep.Network == n.ID && alive(ep.Monitor, ep.MonitorStart) {
					l.Containers[id] = ep.IP
				}
			}
			out = append(out, l)
		}
		return nil
	})
	out = append(out, Listed{Network: Network{Name: "host", Driver: "host"}}, Listed{Network: Network{Name: "none", Driver: "null"}})
	return out, err
}

// Lookup finds a network as List shows it, by name, ID (a predefined
// network's too, PredefinedID) or unique ID prefix: what network connect
// and disconnect name.
func Lookup(dataRoot, ref string) (Listed, error) {
	all, err := List(dataRoot)
	if err != nil {
		return Listed{}, err
	}
	var match []Listed
	for _, l := range all {
		id := l.ID
		if id == "" {
			id = PredefinedID(l.Name)
		}
		if l.Name == ref || id == ref {
			return l, nil
		}
		if len(ref) >= 3 && strings.HasPrefix(id, ref) {
			match = append(match, l)
		}
	}
	if len(match) == 1 {
		return match[0], nil
	}
	return Listed{}, fmt.Errorf("network %s not found", ref)
}

// Remove removes a user-defined network with no container on it.
func Remove(dataRoot, ref string) error {
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
		reclaim(st, conn)
		if predefined[ref] {
			return fmt.Errorf("%s is a pre-defined network and cannot be removed", ref)
		}
		n, err := st.Find(ref)
		if err != nil {
			return err
		}
		if n.Name == DefaultName {
			return fmt.Errorf("%s is a pre-defined network and cannot be removed", ref)
		}
		if users := st.users(n.ID); len(users) > 0 {
			return fmt.Errorf("error while removing network: network %s id %.12s has active endpoints (%d container(s)): %w; stop them first", n.Name, n.ID, len(users), ErrInUse)
		}
		if err := removeBridge(conn, n); err != nil {
			return err
		}
		for i, x := range st.Networks {
			if x == n {
				st.Networks = append(st.Networks[:i], st.Networks[i+1:]...)
				break
			}
		}
		return nil
	})
}

// Prune removes every user-defined network no container uses, and returns
// their names.
func Prune(dataRoot string) ([]string, error) {
	all, err := List(dataRoot)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, l := range all {
		if predefined[l.Name] || l.ID == "" || len(l.Containers) > 0 {
			continue
		}
		if err := Remove(dataRoot, l.ID); err == nil {
			removed = append(removed, l.Name)
		}
	}
	return removed, nil
}

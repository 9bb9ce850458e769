// Package network connects containers the way Docker's bridge driver does.
// A network is a Linux bridge with a subnet; its gateway is the bridge's own
// address. A container joins by a veth pair: one end on the bridge, the
// other born inside the container's network namespace as eth0, with an
// address from the network's IPAM and a default route via the gateway.
// iptables (run as a program, as Docker runs it) masquerades the subnet's
// traffic leaving the host, keeps networks apart, and DNATs published ports.
//
// What is allocated lives in one state file under the data root, changed
// only under an flock, so concurrent `mydocker run`s never hand out one
// address twice. Each endpoint names the `mydocker run` that holds it; one
// whose holder died (kill -9) is reclaimed by the next caller.
//
// Callers: container.Run calls Attach before init exists, Join once init's
// namespaces exist, and Detach on every way out; the CLI's `network`
// commands call Create, List, Get, Remove and Prune.
package network

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// The default bridge network. Its subnet is one a home or office network
// is unlikely to use (Docker's 172.17.0.0/16 often collides with a VPN).
const (
	DefaultName   = "bridge"
	DefaultBridge = "mydocker0"
	DefaultSubnet = "172.29.0.0/16"
)

// Sentinel errors for callers that branch.
var (
	ErrNotFound = errors.New("network not found")
	ErrInUse    = errors.New("network has active endpoints")

	// An --ip refused (run, create, network connect), in Docker's words
	// where Docker's are known: the daemon answers ErrNoUserSubnet and
	// ErrBadAddress with 400, ErrAddressInUse with 403, as dockerd does.
	ErrNoUserSubnet = errors.New("user specified IP address is supported only when connecting to networks with user configured subnets")
	ErrAddressInUse = errors.New("Address already in use")
	ErrBadAddress   = errors.New("invalid address")
)

// A Network is one bridge network.
type Network struct {
	ID      string `json:"Id"`
	Name    string `json:"Name"`
	Driver  string `json:"Driver"`
	Bridge  string `json:"Bridge"`
	Parent  string `json:"Parent,omitempty"` // macvlan: the host's interface under it
	Subnet  string `json:"Subnet"`
	Gateway string `json:"Gateway"`
	// Pool says the subnet was picked from mydocker's pool, not given
	// with --subnet: no --ip on it, Docker's rule (its pick may change
	// at a restart; mydocker's is stored, but what works here must work
	// on Docker too).
	Pool    bool      `json:"Pool,omitempty"`
	Created time.Time `json:"Created"`
}

// An Endpoint is one container's place on a network.
type Endpoint struct {
	Container string    `json:"Container"`
	Name      string    `json:"Name,omitempty"`    // the container's, for the embedded DNS
	Aliases   []string  `json:"Aliases,omitempty"` // --network-alias
	Network   string    `json:"Network"`           // the network's ID
	IP        string    `json:"IPAddress"`
	HostVeth  string    `json:"HostVeth"`
	Ports     []Binding `json:"Ports,omitempty"`
	// The `mydocker run` holding the endpoint: when it is gone, so is the
	// container (init dies with it), and the endpoint may be reclaimed.
	Monitor      int    `json:"Monitor"`
	MonitorStart uint64 `json:"MonitorStart"`
}

// Settings is what a container's record shows (docker inspect's
// NetworkSettings, the part of it mydocker has).
type Settings struct {
	Mode      string    `json:"NetworkMode"` // bridge, host, none, or a network's name
	Network   string    `json:"Network,omitempty"`
	IPAddress string    `json:"IPAddress,omitempty"`
	Prefix    int       `json:"IPPrefixLen,omitempty"`
	Gateway   string    `json:"Gateway,omitempty"`
	Ports     []Binding `json:"Ports,omitempty"`
	// Networks is every network the container is on now, by name, as
	// docker inspect shows them: the first, and those of `network
	// connect`. It is not stored in the container's record but read from
	// the network state file when the record is shown (Store.Networks),
	// so a connect, a disconnect or a reclaimed kill -9 shows at once.
	Networks map[string]*EndpointSettings `json:"Networks,omitempty"`
}

// EndpointSettings is one network of a container, under
// NetworkSettings.Networks, in Docker's field names.
type EndpointSettings struct {
	Aliases     []string `json:"Aliases"`
	NetworkID   string   `json:"NetworkID"`
	EndpointID  string   `json:"EndpointID"` // the state file's key
	Gateway     string   `json:"Gateway"`
	IPAddress   string   `json:"IPAddress"`
	IPPrefixLen int      `json:"IPPrefixLen"`
}

// parseSubnet parses an IPv4 CIDR and returns it normalized.
func parseSubnet(s string) (*net.IPNet, error) {
	ip, n, err := net.ParseCIDR(s)
	if err != nil || ip.To4() == nil {
		return nil, fmt.Errorf("invalid subnet %q: want an IPv4 CIDR such as 172.30.0.0/16", s)
	}
	if !ip.Equal(n.IP) {
		return nil, fmt.Errorf("invalid subnet %q: host bits are set, did you mean %s?", s, n)
	}
	if ones, _ := n.Mask.Size(); ones > 30 {
		return nil, fmt.Errorf("invalid subnet %q: too small for a gateway and a container, use /30 or larger", s)
	}
	return n, nil
}

// overlaps reports whether two subnets share an address.
func overlaps(a, b *net.IPNet) bool { return a.Contains(b.IP) || b.Contains(a.IP) }

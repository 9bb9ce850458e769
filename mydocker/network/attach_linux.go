// A container's attach, in three steps with one undo:
//
//	Attach  before init exists: under the state lock, reclaim what dead
//	        holders left, make the bridge if missing, allocate an address,
//	        reserve the host ports; then add the DNAT rules.
//	Join    once init's namespaces exist, before the command runs: the veth
//	        pair, its peer born as eth0 inside, addressed and routed.
//	Detach  on every way out: rules, veth, ports and the endpoint released.
//
// If the `mydocker run` holding an endpoint is killed, its container dies
// with it (init has Pdeathsig), the kernel destroys the veth pair with the
// namespace, and the next Attach, Release or network command reclaims the
// address, the rules and the ports.

package network

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/netlink"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// A Request is what `run` asks for.
type Request struct {
	Container string   // the container's ID
	Name      string   // the container's name, which the embedded DNS answers
	Aliases   []string // --network-alias, answered too (user networks only)
	Hostname  string
	Mode      string    // --network: "" or bridge, none, host, or a network's name
	IP        string    // --ip
	Ports     []Binding // -p, -P
	Monitor   int       // the holder's PID: this mydocker run
	// --network container:NAME: that container's /etc/hosts and
	// /etc/resolv.conf, which the new one shares with its namespace.
	JoinHosts, JoinResolv string
	JoinPid               int // that container's init
}

// An Attachment is a container's network, from Attach to Detach.
type Attachment struct {
	Settings Settings
	hostname string
	store    *Store
	conn     *netlink.Conn
	net      *Network
	bridge   *netlink.Link
	ep       *Endpoint
	reserved []int     // sockets holding the published host ports
	dns      *resolver // a user network's embedded DNS server, from Join
	joined   *Request  // --network container:NAME
}

// BridgeEnv set to "none" is dockerd's --bridge=none: no default bridge,
// so a container without --network gets only lo. The chapters' tests that
// are not about networking run this way, so they never touch the host's
// network; chapter 07's run inside a throwaway namespace instead.
const BridgeEnv = "MYDOCKER_BRIDGE"

// noPorts refuses what needs a network when there is none.
func (a *Attachment) noPorts(req Request) error {
	if req.IP != "" || len(req.Ports) > 0 {
		return fmt.Errorf("--ip and -p need a network, and the default bridge is off (--bridge none): give --network NAME")
	}
	return nil
}

// HostMode reports whether the container shares the host's network
// namespace (no CLONE_NEWNET).
func (a *Attachment) HostMode() bool { return a.Settings.Mode == "host" }

// SharesNetns reports whether the container joins another's network
// namespace (--network container:NAME): no CLONE_NEWNET either, init is
// cloned inside that namespace instead.
func (a *Attachment) SharesNetns() bool { return a.joined != nil }

// JoinedPid is the init whose network namespace the container shares, or 0.
func (a *Attachment) JoinedPid() int {
	if a.joined == nil {
		return 0
	}
	return a.joined.JoinPid
}

// Attach prepares a container's network. On error nothing is left.
func Attach(dataRoot string, req Request) (*Attachment, error) {
	a := &Attachment{hostname: req.Hostname, Settings: Settings{Mode: req.Mode}}
	if err := checkAliases(req.Mode, req.Aliases); err != nil {
		return nil, err
	}
	if strings.HasPrefix(req.Mode, "container:") {
		// Docker's words for what a shared namespace cannot have.
		switch {
		case req.IP != "" || len(req.Aliases) > 0:
			return nil, fmt.Errorf("conflicting options: --ip and --network-alias need a network of their own, not --network %s", req.Mode)
		case len(req.Ports) > 0:
			return nil, fmt.Errorf("conflicting options: port publishing and the container type network mode")
		}
		a.joined = &req
		return a, nil
	}
	switch req.Mode {
	case "host", "none":
		if req.IP != "" {
			return nil, fmt.Errorf("--ip needs a bridge network, not --network %s", req.Mode)
		}
		if req.Mode == "host" && len(req.Ports) > 0 {
			fmt.Fprintln(os.Stderr, "WARNING: Published ports are discarded when using host network mode")
		}
		a.Settings.Ports = nil
		return a, nil
	case "", "default":
		a.Settings.Mode = DefaultName
		if os.Getenv(BridgeEnv) == "none" {
			a.Settings.Mode = "none"
			if err := a.noPorts(req); err != nil {
				return nil, err
			}
			return a, nil
		}
	}
	store, err := OpenStore(dataRoot)
	if err != nil {
		return nil, err
	}
	conn, err := netlink.Dial()
	if err != nil {
		return nil, err
	}
	a.store, a.conn = store, conn
	err = store.Update(func(st *State) error {
		reclaim(st, conn)
		n, err := lookup(st, conn, a.Settings.Mode)
		if err != nil {
			return err
		}
		if a.bridge, err = ensureBridge(conn, n); err != nil {
			return err
		}
		if n.Driver == "macvlan" && len(req.Ports) > 0 {
			return fmt.Errorf("-p is not for a macvlan network: the container has its own address on %s's network, use it", n.Parent)
		}
		ep, err := a.allocate(st, n, req)
		if err != nil {
			return err
		}
		a.net, a.ep = n, ep
		st.Endpoints[req.Container] = ep
		return nil
	})
	if err != nil {
		a.closeReserved()
		conn.Close()
		return nil, err
	}
	if err := addPortRules(a.ep); err != nil {
		a.Detach()
		return nil, err
	}
	_, subnet, _ := net.ParseCIDR(a.net.Subnet)
	ones, _ := subnet.Mask.Size()
	a.Settings.Network, a.Settings.IPAddress, a.Settings.Prefix = a.net.Name, a.ep.IP, ones
	a.Settings.Gateway, a.Settings.Ports = a.net.Gateway, a.ep.Ports
	return a, nil
}

// lookup finds the network a mode names, making the default one on first use.
func lookup(st *State, conn *netlink.Conn, mode string) (*Network, error) {
	if n, err := st.Find(mode); err == nil {
		return n, nil
	} else if mode != DefaultName {
		return nil, err
	}
	_, subnet, _ := net.ParseCIDR(DefaultSubnet)
	if err := checkOverlap(st, conn, subnet, DefaultBridge); err != nil {
		return nil, fmt.Errorf("default network %s: %w", DefaultSubnet, err)
	}
	n := &Network{ID: newID(), Name: DefaultName, Driver: "bridge", Bridge: DefaultBridge,
		Subnet: DefaultSubnet, Gateway: Gateway(subnet).String(), Created: now()}
	st.Networks = append(st.Networks, n)
	return n, nil
}

// allocate picks the address and reserves the ports of a new endpoint.
func (a *Attachment) allocate(st *State, n *Network, req Request) (*Endpoint, error) {
	if old, ok := st.Endpoints[req.Container]; ok {
		return nil, fmt.Errorf("container %.12s already has an endpoint on network %s", req.Container, old.Network)
	}
	ip, err := address(st, n, req.IP)
	if err != nil {
		return nil, err
	}
	ep := &Endpoint{Container: req.Container, Name: req.Name, Aliases: req.Aliases,
		Network: n.ID, IP: ip.String(), HostVeth: VethName(req.Container),
		Monitor: req.Monitor, MonitorStart: StartTime(req.Monitor)}
	if n.Driver == "macvlan" {
		ep.HostVeth = "" // no host end: the parent carries it
	}
	for _, b := range req.Ports {
		if err := a.reserve(st, &b); err != nil {
			a.closeReserved()
			return nil, err
		}
		ep.Ports = append(ep.Ports, b)
	}
	trace.Step("IPAM: %s on %s (%s) for %.12s", ip, n.Name, n.Subnet, req.Container)
	return ep, nil
}

// address picks a new endpoint's address on n, for run and network
// connect alike: the one asked for (--ip), checked, or the lowest free
// one. The caller holds the state lock, so no one else takes it meanwhile.
func address(st *State, n *Network, want string) (net.IP, error) {
	used := map[string]bool{}
	for _, ep := range st.Endpoints {
		if ep.Network == n.ID {
			used[ep.IP] = true
		}
	}
	_, subnet, _ := net.ParseCIDR(n.Subnet)
	gw := net.ParseIP(n.Gateway)
	if want == "" {
		return Allocate(subnet, gw, used)
	}
	if n.Pool {
		return nil, ErrNoUserSubnet
	}
	return CheckFixed(subnet, gw, used, want)
}

// reserve claims a binding's host port: refused if another endpoint holds
// it, then bound (and for TCP listened on) so no host program takes it.
// HostPort 0 is -p 80 or -P: the kernel picks a free port.
func (a *Attachment) reserve(st *State, b *Binding) error {
	taken := func() error {
		return fmt.Errorf("Bind for %s:%d failed: port is already allocated: publish another host port", firstNonEmpty(b.HostIP, "0.0.0.0"), b.HostPort)
	}
	if b.HostPort != 0 {
		for _, ep := range st.Endpoints {
			for _, other := range ep.Ports {
				if clash(*b, other) {
					return taken()
				}
			}
		}
	}
	typ := unix.SOCK_STREAM
	if b.Proto == "udp" {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	sa := &unix.SockaddrInet4{Port: b.HostPort}
	if b.HostIP != "" {
		copy(sa.Addr[:], net.ParseIP(b.HostIP).To4())
	}
	err = unix.Bind(fd, sa)
	if err == nil && typ == unix.SOCK_STREAM {
		err = unix.Listen(fd, 1)
	}
	if err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.EADDRINUSE) {
			return taken()
		}
		if errors.Is(err, unix.EADDRNOTAVAIL) {
			return fmt.Errorf("-p %s: %s is not an address of this host", b.HostIP, b.HostIP)
		}
		return os.NewSyscallError("bind", err)
	}
	if b.HostPort == 0 {
		got, err := unix.Getsockname(fd)
		if err != nil {
			unix.Close(fd)
			return os.NewSyscallError("getsockname", err)
		}
		b.HostPort = got.(*unix.SockaddrInet4).Port
	}
	a.reserved = append(a.reserved, fd)
	return nil
}

func (a *Attachment) closeReserved() {
	for _, fd := range a.reserved {
		unix.Close(fd)
	}
	a.reserved = nil
}

// Join connects the container whose init's network namespace is ns (an
// open /proc/PID/ns/net): a veth pair with the peer born as eth0 there, the
// host end on the bridge, and eth0 addressed, up and routed via the
// gateway. Run it after clone and before the command starts.
func (a *Attachment) Join(ns *os.File) error {
	if a == nil || a.ep == nil {
		return nil
	}
	if a.net.Driver == "macvlan" {
		return a.joinMacvlan(ns)
	}
	// The host end's name is the container's: after a stop, the last
	// run's veth may still be there while the kernel tears its old
	// namespace down (DetachExited leaves it to that). It is ours: go.
	if stale, err := a.conn.LinkByName(a.ep.HostVeth); err == nil {
		if err := a.conn.Delete(stale); err != nil {
			return err
		}
	}
	if err := a.conn.AddVeth(a.ep.HostVeth, "eth0", int(ns.Fd())); err != nil {
		return err
	}
	host, err := a.conn.LinkByName(a.ep.HostVeth)
	if err != nil {
		return err
	}
	if err := a.conn.SetMasterUp(host, a.bridge); err != nil {
		return err
	}
	if len(a.ep.Ports) > 0 {
		// A container reaching its own published port leaves and
		// re-enters by the same bridge port.
		if err := a.conn.SetHairpin(host); err != nil {
			return err
		}
	}
	in, err := netlink.DialNetns(int(ns.Fd()), "container")
	if err != nil {
		return err
	}
	defer in.Close()
	if err := a.configureEth0(in); err != nil {
		return err
	}
	if !a.embeddedDNS() {
		return nil
	}
	// 127.0.0.11 is on lo, which init brings up only later.
	lo, err := in.LinkByName("lo")
	if err != nil {
		return err
	}
	if err := in.SetUp(lo); err != nil {
		return err
	}
	a.dns, err = startResolver(ns, lookupOn(a.store, a.ep.Container, searchDomains(hostResolvConf())), upstreams())
	return err
}

// embeddedDNS reports whether the container gets 127.0.0.11: on a user
// network, not on the default bridge (Docker's legacy links aside).
func (a *Attachment) embeddedDNS() bool {
	return a.net != nil && a.net.Name != DefaultName
}

// lookupOn answers a name for container id from the endpoints on its
// networks (the first and any `network connect` added) whose holder is
// alive: their names, aliases and short IDs, case-insensitively. As in
// Docker, NAME.NETWORK is NAME on that network, and NAME.DOMAIN is NAME
// for a search domain of the container's resolv.conf (a resolver that
// tries the search list before the name as it is, as busybox's nslookup).
// The names are kept between queries until the state changes (names).
func lookupOn(store *Store, id string, search []string) func(string) ([]net.IP, bool) {
	return newNames(store, id, search).lookup
}

// Detach undoes Attach and Join; it may run after either failed midway.
func (a *Attachment) Detach() error { return a.detach(true) }

// DetachExited is Detach once the container's init has exited. Its network
// namespace is then being destroyed, and the kernel deletes the veth pair
// with it: deleting it here would only wait, 20 to 40 ms, for the RCU
// grace period unregister_netdevice waits for. The host end is only taken
// down (0.2 ms), so the bridge stops forwarding to the dead namespace
// before its address goes to another container.
func (a *Attachment) DetachExited() error { return a.detach(false) }

func (a *Attachment) detach(deleteLink bool) error {
	if a == nil || a.ep == nil {
		return nil
	}
	a.dns.close()
	a.dns = nil
	var errs []error
	errs = append(errs, removePortRules(a.ep))
	if deleteLink {
		errs = append(errs, deleteVeth(a.conn, a.ep.HostVeth))
	} else if l, err := a.conn.LinkByName(a.ep.HostVeth); a.ep.HostVeth != "" && err == nil {
		if err := a.conn.SetDown(l); err != nil && !errors.Is(err, unix.ENODEV) {
			errs = append(errs, err)
		}
	}
	a.closeReserved()
	errs = append(errs, a.store.Update(func(st *State) error {
		if ep, ok := st.Endpoints[a.ep.Container]; ok && ep.Monitor == a.ep.Monitor {
			delete(st.Endpoints, a.ep.Container)
		}
		// And what `network connect` added: its veths go with the
		// namespace after an exit, or here.
		for _, k := range extraEndpoints(st, a.ep.Container) {
			if ep := st.Endpoints[k]; ep.Monitor == a.ep.Monitor {
				if deleteLink {
					errs = append(errs, deleteVeth(a.conn, ep.HostVeth))
				}
				delete(st.Endpoints, k)
			}
		}
		return nil
	}))
	a.conn.Close()
	a.ep = nil
	return errors.Join(errs...)
}

// deleteVeth deletes a host end if it is still there; it is gone already
// when the container's namespace ended first.
func deleteVeth(c *netlink.Conn, name string) error {
	if name == "" {
		return nil // a macvlan's: it has no host end
	}
	l, err := c.LinkByName(name)
	if errors.Is(err, unix.ENODEV) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := c.Delete(l); err != nil && !errors.Is(err, unix.ENODEV) {
		return err
	}
	return nil
}

// ResolvConf is the container's /etc/resolv.conf.
func (a *Attachment) ResolvConf() string {
	if a.HostMode() {
		return hostResolvConf()
	}
	if a.joined != nil {
		return a.joined.JoinResolv
	}
	if a.embeddedDNS() {
		return EmbeddedResolvConf(hostResolvConf())
	}
	return FilterResolvConf(hostResolvConf())
}

// Hosts is the container's /etc/hosts.
func (a *Attachment) Hosts() string {
	if a.HostMode() {
		data, _ := os.ReadFile("/etc/hosts")
		return string(data)
	}
	if a.joined != nil {
		return a.joined.JoinHosts
	}
	return Hosts(a.Settings.IPAddress, a.hostname)
}

// VethName is the host end of a container's veth pair: "myd" and the
// start of its ID, 15 characters (IFNAMSIZ less the NUL).
func VethName(container string) string {
	return "myd" + container[:min(12, len(container))]
}

// reclaim releases the endpoints whose holder is gone. Holds the lock.
func reclaim(st *State, conn *netlink.Conn) {
	for id, ep := range st.Endpoints {
		if alive(ep.Monitor, ep.MonitorStart) {
			continue
		}
		trace.Step("reclaim %s of %.12s: its mydocker run (pid %d) is gone", ep.IP, id, ep.Monitor)
		if removePortRules(ep) != nil || deleteVeth(conn, ep.HostVeth) != nil {
			continue // try again next time
		}
		delete(st.Endpoints, id)
	}
}

// Release reclaims a container's endpoint if its holder is gone (rm of a
// container whose mydocker run was killed), and any other dead holder's.
func Release(dataRoot string) error {
	store, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	if _, err := os.Stat(store.dir + "/state.json"); err != nil {
		return nil // no network was ever used
	}
	conn, err := netlink.Dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	return store.Update(func(st *State) error {
		reclaim(st, conn)
		return nil
	})
}

// isHexID is a container or network ID's shape.
func isHexID(s string) bool {
	return len(s) > 0 && strings.Trim(s, "0123456789abcdef") == ""
}

// configureEth0 gives the container's eth0, seen through a netlink socket
// in its namespace, its address, brings it up, and routes by the gateway.
func (a *Attachment) configureEth0(in *netlink.Conn) error {
	eth0, err := in.LinkByName("eth0")
	if err != nil {
		return err
	}
	if err := in.AddAddr(eth0, &net.IPNet{IP: net.ParseIP(a.ep.IP), Mask: net.CIDRMask(a.Settings.Prefix, 32)}); err != nil {
		return err
	}
	if err := in.SetUp(eth0); err != nil {
		return err
	}
	return in.AddDefaultRoute(eth0, net.ParseIP(a.net.Gateway))
}

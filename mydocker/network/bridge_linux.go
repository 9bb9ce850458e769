// A network's bridge: made on first use (or by `network create`), with the
// gateway address, up, and with its iptables rules; kept when its last
// container leaves (as docker0 is), removed with the network.

package network

import (
	"errors"
	"net"
	"os"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/netlink"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// ensureBridge returns the network's bridge, making it if it is missing.
// The caller holds the state lock, so two mydockers never both make it.
func ensureBridge(c *netlink.Conn, n *Network) (l *netlink.Link, err error) {
	if n.Driver == "macvlan" {
		return nil, nil // its containers hang on the parent instead
	}
	if l, err := c.LinkByName(n.Bridge); err == nil {
		return l, nil
	} else if !errors.Is(err, unix.ENODEV) {
		return nil, err
	}
	if err := c.AddBridge(n.Bridge); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			removeBridge(c, n)
		}
	}()
	if l, err = c.LinkByName(n.Bridge); err != nil {
		return nil, err
	}
	_, subnet, _ := net.ParseCIDR(n.Subnet)
	if err := c.AddAddr(l, &net.IPNet{IP: net.ParseIP(n.Gateway), Mask: subnet.Mask}); err != nil {
		return nil, err
	}
	if err := c.SetUp(l); err != nil {
		return nil, err
	}
	// route_localnet: a packet from 127.0.0.1, DNATed to a container,
	// may leave by this bridge (it is masqueraded on the way out). It is
	// what lets `curl 127.0.0.1:8080` reach a published port without a
	// proxy process.
	if err := sysctl("net/ipv4/conf/"+n.Bridge+"/route_localnet", "1"); err != nil {
		return nil, err
	}
	// Forwarding between interfaces: the path of a published port from
	// outside, and of a container's traffic leaving the host.
	if err := sysctl("net/ipv4/ip_forward", "1"); err != nil {
		return nil, err
	}
	if err := addNetworkRules(n); err != nil {
		return nil, err
	}
	return l, nil
}

// removeBridge deletes the bridge and its rules, all it can.
func removeBridge(c *netlink.Conn, n *Network) error {
	if n.Driver == "macvlan" {
		return nil // it has neither
	}
	var errs []error
	if l, err := c.LinkByName(n.Bridge); err == nil {
		errs = append(errs, c.Delete(l))
	}
	errs = append(errs, removeNetworkRules(n))
	return errors.Join(errs...)
}

// sysctl writes a value under /proc/sys. net/ sysctls belong to the network
// namespace of the writer: inside a test's throwaway namespace, to it.
func sysctl(name, value string) error {
	path := "/proc/sys/" + name
	if cur, err := os.ReadFile(path); err == nil && string(cur) == value+"\n" {
		return nil
	}
	trace.Step("write %s = %s", path, value)
	return os.WriteFile(path, []byte(value), 0o644)
}

// A macvlan network: no bridge and no NAT. Each container's eth0 is a
// macvlan interface on the parent (a host interface given at `network
// create -d macvlan -o parent=IF`), with a MAC address of its own, so on the
// parent's network the container is one more machine; the subnet and the
// gateway are that network's. In bridge mode, macvlans of one parent reach
// each other inside the driver. The host itself cannot reach them through
// the parent (the driver hands the parent's own frames to no macvlan), a
// known limit Docker's documentation repeats.

package network

import (
	"fmt"
	"os"

	"github.com/mydocker/mydocker/mydocker/netlink"
)

// joinMacvlan gives the container whose network namespace is ns its eth0,
// born there on the parent, addressed, up and routed via the gateway.
func (a *Attachment) joinMacvlan(ns *os.File) error {
	parent, err := a.conn.LinkByName(a.net.Parent)
	if err != nil {
		return fmt.Errorf("parent interface %s of network %s: %w", a.net.Parent, a.net.Name, err)
	}
	if err := a.conn.AddMacvlan("eth0", parent, int(ns.Fd())); err != nil {
		return err
	}
	in, err := netlink.DialNetns(int(ns.Fd()), "container")
	if err != nil {
		return err
	}
	defer in.Close()
	return a.configureEth0(in)
}

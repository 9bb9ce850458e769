// Links: the RTM_NEWLINK, RTM_SETLINK, RTM_DELLINK and RTM_GETLINK requests
// `ip link` sends. A bridge and a veth pair differ only in IFLA_LINKINFO's
// kind; a veth's peer rides inside it (VETH_INFO_PEER), with its own name
// and, if IFLA_NET_NS_FD is given, its own namespace from the start.

package netlink

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// A Link is an interface as RTM_GETLINK reports it.
type Link struct {
	Index  int
	Name   string
	Kind   string // "bridge", "veth", "dummy", ... ("" for lo and physical ones)
	Master int    // index of the bridge it is attached to, 0 if none
	Up     bool
	MAC    net.HardwareAddr
}

// AddBridge creates a bridge (ip link add NAME type bridge).
func (c *Conn) AddBridge(name string) error {
	return c.Do("RTM_NEWLINK bridge "+name, Message{
		Type:  unix.RTM_NEWLINK,
		Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL,
		Body:  Ifinfomsg{Family: unix.AF_UNSPEC}.encode(nil),
		Attrs: []Attr{
			String(unix.IFLA_IFNAME, name),
			Nest(unix.IFLA_LINKINFO, String(unix.IFLA_INFO_KIND, "bridge")),
		},
	})
}

// VethMessage is the RTM_NEWLINK request for a veth pair: name here, peer
// in the namespace peerNS refers to (an open /proc/PID/ns/net), or beside
// name if peerNS < 0. It is the message chapter 07's lab builds.
func VethMessage(name, peer string, peerNS int) Message {
	peerAttrs := []Attr{String(unix.IFLA_IFNAME, peer)}
	if peerNS >= 0 {
		peerAttrs = append(peerAttrs, Uint32(unix.IFLA_NET_NS_FD, uint32(peerNS)))
	}
	// The peer is an ifinfomsg followed by its attributes, as a value of
	// VETH_INFO_PEER (not a nest of attributes: the struct comes first).
	peerValue := Ifinfomsg{Family: unix.AF_UNSPEC}.encode(nil)
	for _, a := range peerAttrs {
		peerValue = a.encode(peerValue)
	}
	return Message{
		Type:  unix.RTM_NEWLINK,
		Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL,
		Body:  Ifinfomsg{Family: unix.AF_UNSPEC}.encode(nil),
		Attrs: []Attr{
			String(unix.IFLA_IFNAME, name),
			Nest(unix.IFLA_LINKINFO,
				String(unix.IFLA_INFO_KIND, "veth"),
				Nest(unix.IFLA_INFO_DATA, Attr{Type: VETH_INFO_PEER, Value: peerValue}),
			),
		},
	}
}

// AddVeth creates a veth pair (ip link add NAME type veth peer name PEER
// [netns NS]). With peerNS >= 0 the peer is born inside that namespace:
// one message, and no moment when it exists under a temporary name here.
func (c *Conn) AddVeth(name, peer string, peerNS int) error {
	what := fmt.Sprintf("RTM_NEWLINK veth %s peer %s", name, peer)
	if peerNS >= 0 {
		what += " (peer into netns fd)"
	}
	return c.Do(what, VethMessage(name, peer, peerNS))
}

// MACVLAN_MODE_BRIDGE lets macvlans of one parent reach each other inside
// the driver, without the frame going out of the parent (if_link.h).
const MACVLAN_MODE_BRIDGE = 4

// AddMacvlan creates a macvlan interface on parent, in bridge mode, born
// inside the namespace ns refers to (ip link add NAME link PARENT type
// macvlan mode bridge netns NS). It gets a MAC address of its own, so
// the network the parent is on sees one more machine.
func (c *Conn) AddMacvlan(name string, parent *Link, ns int) error {
	return c.Do(fmt.Sprintf("RTM_NEWLINK macvlan %s on %s (into netns fd)", name, parent.Name), Message{
		Type:  unix.RTM_NEWLINK,
		Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL,
		Body:  Ifinfomsg{Family: unix.AF_UNSPEC}.encode(nil),
		Attrs: []Attr{
			String(unix.IFLA_IFNAME, name),
			Uint32(unix.IFLA_LINK, uint32(parent.Index)),
			Uint32(unix.IFLA_NET_NS_FD, uint32(ns)),
			Nest(unix.IFLA_LINKINFO,
				String(unix.IFLA_INFO_KIND, "macvlan"),
				Nest(unix.IFLA_INFO_DATA, Uint32(unix.IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE)),
			),
		},
	})
}

// setLink sends RTM_NEWLINK for an existing link (by index) with attrs and
// flag changes: how ip link set works.
func (c *Conn) setLink(what string, index int, flags, change uint32, attrs ...Attr) error {
	return c.Do(what, Message{
		Type:  unix.RTM_NEWLINK,
		Body:  Ifinfomsg{Family: unix.AF_UNSPEC, Index: int32(index), Flags: flags, Change: change}.encode(nil),
		Attrs: attrs,
	})
}

// SetUp brings a link up (ip link set NAME up).
func (c *Conn) SetUp(l *Link) error {
	return c.setLink("RTM_NEWLINK "+l.Name+" up", l.Index, unix.IFF_UP, unix.IFF_UP)
}

// SetDown takes a link down.
func (c *Conn) SetDown(l *Link) error {
	return c.setLink("RTM_NEWLINK "+l.Name+" down", l.Index, 0, unix.IFF_UP)
}

// SetMaster attaches a link to a bridge (ip link set NAME master BRIDGE).
func (c *Conn) SetMaster(l, bridge *Link) error {
	return c.setLink("RTM_NEWLINK "+l.Name+" master "+bridge.Name, l.Index, 0, 0, Uint32(unix.IFLA_MASTER, uint32(bridge.Index)))
}

// SetMasterUp attaches a link to a bridge and brings it up, in one message.
func (c *Conn) SetMasterUp(l, bridge *Link) error {
	return c.setLink("RTM_NEWLINK "+l.Name+" master "+bridge.Name+" up", l.Index, unix.IFF_UP, unix.IFF_UP, Uint32(unix.IFLA_MASTER, uint32(bridge.Index)))
}

// Rename renames a link. Kernels before 6.1 refuse it (EBUSY) while the
// link is up: rename first, then bring it up.
func (c *Conn) Rename(l *Link, name string) error {
	if err := c.setLink("RTM_NEWLINK "+l.Name+" name "+name, l.Index, 0, 0, String(unix.IFLA_IFNAME, name)); err != nil {
		return err
	}
	l.Name = name
	return nil
}

// SetNetns moves a link into the network namespace nsfd refers to (ip link
// set NAME netns NS). It keeps its name there unless that is taken.
func (c *Conn) SetNetns(l *Link, nsfd int) error {
	return c.setLink("RTM_NEWLINK "+l.Name+" netns fd", l.Index, 0, 0, Uint32(unix.IFLA_NET_NS_FD, uint32(nsfd)))
}

// SetHairpin turns on hairpin mode on a bridge port (bridge link set dev
// NAME hairpin on): a frame may leave by the port it came in, so a
// container can reach itself through a published port.
func (c *Conn) SetHairpin(l *Link) error {
	return c.Do("RTM_SETLINK "+l.Name+" brport hairpin on", Message{
		Type:  unix.RTM_SETLINK,
		Body:  Ifinfomsg{Family: unix.AF_BRIDGE, Index: int32(l.Index)}.encode(nil),
		Attrs: []Attr{Nest(unix.IFLA_PROTINFO, Uint8(unix.IFLA_BRPORT_MODE, 1))},
	})
}

// Delete deletes a link (ip link del NAME); deleting either end of a veth
// pair deletes both.
func (c *Conn) Delete(l *Link) error {
	return c.Do("RTM_DELLINK "+l.Name, Message{
		Type: unix.RTM_DELLINK,
		Body: Ifinfomsg{Family: unix.AF_UNSPEC, Index: int32(l.Index)}.encode(nil),
	})
}

// LinkByName looks a link up by name (RTM_GETLINK with IFLA_IFNAME). A
// missing link is an *Error wrapping unix.ENODEV.
func (c *Conn) LinkByName(name string) (*Link, error) {
	replies, err := c.exchange("RTM_GETLINK "+name, Message{
		Type:  unix.RTM_GETLINK,
		Flags: unix.NLM_F_REQUEST | unix.NLM_F_ACK, // the link, then the ACK
		Body:  Ifinfomsg{Family: unix.AF_UNSPEC}.encode(nil),
		Attrs: []Attr{String(unix.IFLA_IFNAME, name)},
	})
	if err != nil {
		return nil, err
	}
	for _, r := range replies {
		if r.Type == unix.RTM_NEWLINK {
			return parseLink(r.Data)
		}
	}
	return nil, &Error{Op: "RTM_GETLINK " + name, Err: unix.ENODEV}
}

// Links lists every link (ip link show).
func (c *Conn) Links() ([]*Link, error) {
	replies, err := c.Dump("RTM_GETLINK dump", Message{Type: unix.RTM_GETLINK, Body: Ifinfomsg{Family: unix.AF_UNSPEC}.encode(nil)})
	if err != nil {
		return nil, err
	}
	var out []*Link
	for _, r := range replies {
		if r.Type != unix.RTM_NEWLINK {
			continue
		}
		l, err := parseLink(r.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func parseLink(b []byte) (*Link, error) {
	if len(b) < sizeofIfinfomsg {
		return nil, errShort
	}
	l := &Link{Index: int(int32(native.Uint32(b[4:]))), Up: native.Uint32(b[8:])&unix.IFF_UP != 0}
	attrs, err := ParseAttrs(b[sizeofIfinfomsg:])
	if err != nil {
		return nil, err
	}
	l.Name = cString(attrs[unix.IFLA_IFNAME])
	if m, ok := attrs[unix.IFLA_MASTER]; ok && len(m) >= 4 {
		l.Master = int(native.Uint32(m))
	}
	if a, ok := attrs[unix.IFLA_ADDRESS]; ok {
		l.MAC = net.HardwareAddr(append([]byte(nil), a...))
	}
	if info, ok := attrs[unix.IFLA_LINKINFO]; ok {
		if in, err := ParseAttrs(info); err == nil {
			l.Kind = cString(in[unix.IFLA_INFO_KIND])
		}
	}
	return l, nil
}

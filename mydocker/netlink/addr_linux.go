// Addresses and routes: RTM_NEWADDR (ip addr add) and RTM_NEWROUTE (ip
// route add), and the route dump a new network's subnet is checked against.

package netlink

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// AddAddr gives a link an IPv4 address with its prefix (ip addr add
// 172.29.0.1/16 dev NAME). The kernel adds the subnet's route by itself.
func (c *Conn) AddAddr(l *Link, addr *net.IPNet) error {
	ip4 := addr.IP.To4()
	if ip4 == nil {
		return fmt.Errorf("address %s: only IPv4 is supported", addr)
	}
	ones, _ := addr.Mask.Size()
	return c.Do(fmt.Sprintf("RTM_NEWADDR %s/%d dev %s", ip4, ones, l.Name), Message{
		Type:  unix.RTM_NEWADDR,
		Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL,
		Body:  Ifaddrmsg{Family: unix.AF_INET, Prefixlen: uint8(ones), Index: uint32(l.Index)}.encode(nil),
		Attrs: []Attr{
			// IFA_LOCAL is the interface's own address; IFA_ADDRESS the
			// peer's on point-to-point links, the same one elsewhere.
			Bytes(unix.IFA_LOCAL, ip4),
			Bytes(unix.IFA_ADDRESS, ip4),
		},
	})
}

// A Route is a route of the main table, as much as the engine needs.
type Route struct {
	Dst     *net.IPNet // nil: the default route
	Gateway net.IP
	Link    int // output interface index
}

// AddDefaultRoute adds "default via GW dev NAME".
func (c *Conn) AddDefaultRoute(l *Link, gw net.IP) error {
	gw4 := gw.To4()
	if gw4 == nil {
		return fmt.Errorf("gateway %s: only IPv4 is supported", gw)
	}
	return c.Do(fmt.Sprintf("RTM_NEWROUTE default via %s dev %s", gw4, l.Name), Message{
		Type:  unix.RTM_NEWROUTE,
		Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL,
		Body: Rtmsg{Family: unix.AF_INET, Table: unix.RT_TABLE_MAIN, Protocol: unix.RTPROT_BOOT,
			Scope: unix.RT_SCOPE_UNIVERSE, Type: unix.RTN_UNICAST}.encode(nil),
		Attrs: []Attr{Bytes(unix.RTA_GATEWAY, gw4), Uint32(unix.RTA_OIF, uint32(l.Index))},
	})
}

// Routes lists the IPv4 routes of the main table (ip route show).
func (c *Conn) Routes() ([]Route, error) {
	replies, err := c.Dump("RTM_GETROUTE dump", Message{Type: unix.RTM_GETROUTE, Body: Rtmsg{Family: unix.AF_INET}.encode(nil)})
	if err != nil {
		return nil, err
	}
	var out []Route
	for _, r := range replies {
		if r.Type != unix.RTM_NEWROUTE || len(r.Data) < sizeofRtmsg {
			continue
		}
		dstLen, table := r.Data[1], r.Data[4]
		attrs, err := ParseAttrs(r.Data[sizeofRtmsg:])
		if err != nil {
			return nil, err
		}
		if t, ok := attrs[unix.RTA_TABLE]; ok && len(t) >= 4 {
			table = uint8(native.Uint32(t))
		}
		if table != unix.RT_TABLE_MAIN {
			continue
		}
		var rt Route
		if d, ok := attrs[unix.RTA_DST]; ok && len(d) == 4 {
			rt.Dst = &net.IPNet{IP: net.IP(append([]byte(nil), d...)), Mask: net.CIDRMask(int(dstLen), 32)}
		}
		if g, ok := attrs[unix.RTA_GATEWAY]; ok && len(g) == 4 {
			rt.Gateway = net.IP(append([]byte(nil), g...))
		}
		if o, ok := attrs[unix.RTA_OIF]; ok && len(o) >= 4 {
			rt.Link = int(native.Uint32(o))
		}
		out = append(out, rt)
	}
	return out, nil
}

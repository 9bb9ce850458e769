// Package netlink speaks rtnetlink, the kernel's interface for links,
// addresses and routes, over a plain AF_NETLINK socket: what `ip link`,
// `ip addr` and `ip route` do, with no library in between. Chapter 07 builds
// every message by hand, because the lesson is the message itself.
//
// A request is a header (nlmsghdr) followed by a fixed struct (ifinfomsg,
// ifaddrmsg or rtmsg) and a list of attributes (rtattr: length, type, value,
// padded to 4 bytes). Attributes nest: a veth's peer is an ifinfomsg with
// its own attributes, inside IFLA_INFO_DATA, inside IFLA_LINKINFO.
//
// This file encodes and decodes messages (pure, testable anywhere); the
// socket, the requests and their replies live in the _linux.go files.
package netlink

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sizes of the kernel's structs, from <linux/netlink.h> and <linux/rtnetlink.h>.
const (
	sizeofNlmsghdr  = 16
	sizeofIfinfomsg = 16
	sizeofIfaddrmsg = 8
	sizeofRtmsg     = 12
	sizeofRtattr    = 4
)

// VETH_INFO_PEER is the one attribute of a veth's IFLA_INFO_DATA: the peer,
// as an ifinfomsg with attributes (<linux/veth.h>; not in x/sys/unix).
const VETH_INFO_PEER = 1

// nlaNested marks an attribute holding attributes (NLA_F_NESTED).
const nlaNested = 0x8000

var native = binary.NativeEndian

// align4 rounds n up to a multiple of 4, as NLMSG_ALIGN and RTA_ALIGN do.
func align4(n int) int { return (n + 3) &^ 3 }

// An Attr is one rtattr: a type and a value, or nested attributes.
type Attr struct {
	Type   uint16
	Value  []byte
	Nested []Attr
}

// encode appends the attribute, padded, to b.
func (a Attr) encode(b []byte) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0) // rta_len and rta_type, filled in below
	typ := a.Type
	if a.Nested != nil {
		typ |= nlaNested
		for _, n := range a.Nested {
			b = n.encode(b)
		}
	} else {
		b = append(b, a.Value...)
	}
	native.PutUint16(b[start:], uint16(len(b)-start))
	native.PutUint16(b[start+2:], typ)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// Attribute value helpers.

// String is a NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND).
func String(typ uint16, s string) Attr { return Attr{Type: typ, Value: append([]byte(s), 0)} }

// Uint32 is a 32-bit attribute in host byte order (IFLA_MASTER, IFLA_NET_NS_FD).
func Uint32(typ uint16, v uint32) Attr {
	b := make([]byte, 4)
	native.PutUint32(b, v)
	return Attr{Type: typ, Value: b}
}

// Uint8 is a one-byte attribute (IFLA_BRPORT_MODE).
func Uint8(typ uint16, v uint8) Attr { return Attr{Type: typ, Value: []byte{v}} }

// Bytes is an attribute holding raw bytes (an address).
func Bytes(typ uint16, v []byte) Attr { return Attr{Type: typ, Value: v} }

// Nest is an attribute holding attributes.
func Nest(typ uint16, attrs ...Attr) Attr {
	if attrs == nil {
		attrs = []Attr{}
	}
	return Attr{Type: typ, Nested: attrs}
}

// Ifinfomsg is struct ifinfomsg, the fixed part of every link message.
type Ifinfomsg struct {
	Family uint8
	Type   uint16
	Index  int32
	Flags  uint32
	Change uint32
}

func (m Ifinfomsg) encode(b []byte) []byte {
	b = append(b, m.Family, 0)
	b = native.AppendUint16(b, m.Type)
	b = native.AppendUint32(b, uint32(m.Index))
	b = native.AppendUint32(b, m.Flags)
	return native.AppendUint32(b, m.Change)
}

// Ifaddrmsg is struct ifaddrmsg, the fixed part of an address message.
type Ifaddrmsg struct {
	Family    uint8
	Prefixlen uint8
	Flags     uint8
	Scope     uint8
	Index     uint32
}

func (m Ifaddrmsg) encode(b []byte) []byte {
	b = append(b, m.Family, m.Prefixlen, m.Flags, m.Scope)
	return native.AppendUint32(b, m.Index)
}

// Rtmsg is struct rtmsg, the fixed part of a route message.
type Rtmsg struct {
	Family, DstLen, SrcLen, Tos, Table, Protocol, Scope, Type uint8
	Flags                                                     uint32
}

func (m Rtmsg) encode(b []byte) []byte {
	b = append(b, m.Family, m.DstLen, m.SrcLen, m.Tos, m.Table, m.Protocol, m.Scope, m.Type)
	return native.AppendUint32(b, m.Flags)
}

// A Message is one request: its type and flags, the fixed struct (already
// encoded by one of the encode methods) and the attributes.
type Message struct {
	Type  uint16
	Flags uint16
	Seq   uint32
	Body  []byte // ifinfomsg, ifaddrmsg or rtmsg
	Attrs []Attr
}

// Encode lays the message out as the kernel reads it.
func (m Message) Encode() []byte {
	b := make([]byte, sizeofNlmsghdr, 128)
	b = append(b, m.Body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	for _, a := range m.Attrs {
		b = a.encode(b)
	}
	native.PutUint32(b[0:], uint32(len(b)))
	native.PutUint16(b[4:], m.Type)
	native.PutUint16(b[6:], m.Flags)
	native.PutUint32(b[8:], m.Seq)
	// nlmsg_pid 0: the kernel fills in our port.
	return b
}

// A Reply is one message the kernel sent back.
type Reply struct {
	Type  uint16
	Flags uint16
	Seq   uint32
	Data  []byte // everything after the header
}

var errShort = errors.New("netlink: message truncated")

// ParseReplies splits a datagram into its messages.
func ParseReplies(b []byte) ([]Reply, error) {
	var out []Reply
	for len(b) >= sizeofNlmsghdr {
		n := int(native.Uint32(b))
		if n < sizeofNlmsghdr || n > len(b) {
			return nil, errShort
		}
		out = append(out, Reply{Type: native.Uint16(b[4:]), Flags: native.Uint16(b[6:]), Seq: native.Uint32(b[8:]), Data: b[sizeofNlmsghdr:n]})
		b = b[min(align4(n), len(b)):]
	}
	return out, nil
}

// ParseAttrs reads a list of attributes into a map by type (the nested
// flag cleared). The last of a repeated type wins.
func ParseAttrs(b []byte) (map[uint16][]byte, error) {
	out := map[uint16][]byte{}
	for len(b) >= sizeofRtattr {
		n := int(native.Uint16(b))
		if n < sizeofRtattr || n > len(b) {
			return nil, fmt.Errorf("netlink: attribute of length %d in %d bytes", n, len(b))
		}
		out[native.Uint16(b[2:])&^nlaNested] = b[sizeofRtattr:n]
		b = b[min(align4(n), len(b)):]
	}
	return out, nil
}

// cString reads a NUL-terminated string attribute.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

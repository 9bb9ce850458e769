// Lab 07: a veth pair, by hand.
//
// Build the bytes of the RTM_NEWLINK request that creates a veth pair NAME
// and PEER, with PEER born inside the network namespace open as fd peerNS.
// This file is the only one you edit. Run the checker with
//
//	sudo make lab N=07
//
// It sends your bytes to the kernel in a throwaway namespace and looks at
// what the kernel made. Chapter 07's README ("An RTM_NEWLINK built by
// hand") draws the message; mydocker/netlink has the engine's version, but
// try first without peeking.
package lab07

import "errors"

// VethMessage returns the request, nlmsghdr first. The checker fills in
// nlmsg_seq and adds NLM_F_REQUEST|NLM_F_ACK; you set nlmsg_len, nlmsg_type
// (unix.RTM_NEWLINK) and NLM_F_CREATE|NLM_F_EXCL.
//
// HINT: everything is in host byte order (binary.NativeEndian). An
// attribute is {u16 len, u16 type, value}, padded to 4 bytes; len counts
// the 4-byte header and the value, not the padding. A struct ifinfomsg is
// 16 bytes, all zero here. IFLA_LINKINFO holds IFLA_INFO_KIND ("veth\0")
// and IFLA_INFO_DATA, which holds VETH_INFO_PEER (type 1), whose value is
// an ifinfomsg followed by IFLA_IFNAME and IFLA_NET_NS_FD (a u32).
func VethMessage(name, peer string, peerNS int) ([]byte, error) {
	// TODO: build the message.
	return nil, errors.New("lab07: not implemented")
}

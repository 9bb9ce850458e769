// IPAM: which address of a subnet a new endpoint gets. The network address,
// the gateway and the broadcast address are never handed out; the lowest
// free address is (Docker hands out in order too). What is in use comes
// from the state file, read under its lock, so the answer is true for
// every concurrent mydocker.

package network

import (
	"encoding/binary"
	"fmt"
	"net"
)

func ipToU32(ip net.IP) uint32 { return binary.BigEndian.Uint32(ip.To4()) }

func u32ToIP(v uint32) net.IP {
	ip := make(net.IP, 4)
	binary.BigEndian.PutUint32(ip, v)
	return ip
}

// bounds is the first and last address of a subnet (network, broadcast).
func bounds(n *net.IPNet) (uint32, uint32) {
	ones, bits := n.Mask.Size()
	first := ipToU32(n.IP)
	return first, first | (1<<uint(bits-ones) - 1)
}

// Allocate returns the lowest address of subnet that is not the network,
// broadcast or gateway address and not in used.
func Allocate(subnet *net.IPNet, gateway net.IP, used map[string]bool) (net.IP, error) {
	first, last := bounds(subnet)
	gw := ipToU32(gateway)
	for v := first + 1; v < last; v++ {
		if v == gw {
			continue
		}
		if ip := u32ToIP(v); !used[ip.String()] {
			return ip, nil
		}
	}
	return nil, fmt.Errorf("no address left in %s: remove a container, or create a network with a larger --subnet", subnet)
}

// CheckFixed checks an address asked for with --ip. used may be nil: a
// stopped container's --ip is checked against the subnet at network
// connect, and against the other containers at its start.
func CheckFixed(subnet *net.IPNet, gateway net.IP, used map[string]bool, want string) (net.IP, error) {
	ip := net.ParseIP(want).To4()
	if ip == nil {
		return nil, fmt.Errorf("%w: --ip %q is not an IPv4 address", ErrBadAddress, want)
	}
	first, last := bounds(subnet)
	switch v := ipToU32(ip); {
	case !subnet.Contains(ip):
		return nil, fmt.Errorf("%w: --ip %s is not in the network's subnet %s", ErrBadAddress, ip, subnet)
	case v == first || v == last:
		return nil, fmt.Errorf("%w: --ip %s is the subnet's network or broadcast address: choose another", ErrBadAddress, ip)
	case ip.Equal(gateway):
		return nil, fmt.Errorf("%w: --ip %s is the network's gateway: choose another", ErrAddressInUse, ip)
	case used[ip.String()]:
		return nil, fmt.Errorf("%w: --ip %s is another container's", ErrAddressInUse, ip)
	}
	return ip, nil
}

// Gateway is the default gateway of a subnet: its first address.
func Gateway(subnet *net.IPNet) net.IP {
	first, _ := bounds(subnet)
	return u32ToIP(first + 1)
}

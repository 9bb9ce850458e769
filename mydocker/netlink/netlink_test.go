package netlink_test

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/netlink"
	"github.com/mydocker/mydocker/mydocker/netlink/netlinktest"
)

// dial opens a netlink socket inside a fresh namespace.
func dial(t *testing.T) (*netlink.Conn, int) {
	ns := netlinktest.Netns(t)
	c, err := netlink.DialNetns(int(ns.Fd()), "test netns")
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c, int(ns.Fd())
}

func TestBridgeAndAddress(t *testing.T) {
	c, _ := dial(t)
	require.NoError(t, c.AddBridge("mydtest0"))
	br, err := c.LinkByName("mydtest0")
	require.NoError(t, err)
	if br.Kind != "bridge" || br.Up {
		t.Fatalf("LinkByName(mydtest0) = %+v, want a bridge, down", br)
	}
	require.NoError(t, c.AddAddr(br, &net.IPNet{IP: net.IPv4(10, 200, 0, 1), Mask: net.CIDRMask(24, 32)}))
	require.NoError(t, c.SetUp(br))
	routes, err := c.Routes()
	require.NoError(t, err)
	found := false
	for _, r := range routes {
		if r.Dst != nil && r.Dst.String() == "10.200.0.0/24" && r.Link == br.Index {
			found = true
		}
	}
	if !found {
		t.Errorf("Routes() = %v, want the kernel's 10.200.0.0/24 route on the bridge", routes)
	}
	// A second bridge of the same name: EEXIST, explained.
	err = c.AddBridge("mydtest0")
	if !errors.Is(err, unix.EEXIST) {
		t.Fatalf("AddBridge twice = %v, want EEXIST", err)
	}
	require.Contains(t, err.Error(), "exists already")
	require.NoError(t, c.Delete(br))
	if _, err := c.LinkByName("mydtest0"); !errors.Is(err, unix.ENODEV) {
		t.Fatalf("LinkByName after Delete = %v, want ENODEV", err)
	}
}

// TestVethIntoNamespace is a container's attach: a pair with one end on the
// bridge here and the other born inside another namespace, addressed and
// routed there.
func TestVethIntoNamespace(t *testing.T) {
	host, _ := dial(t)
	inner := netlinktest.Netns(t)
	in, err := netlink.DialNetns(int(inner.Fd()), "container")
	require.NoError(t, err)
	defer in.Close()

	require.NoError(t, host.AddBridge("mydtest0"))
	br, _ := host.LinkByName("mydtest0")
	require.NoError(t, host.AddAddr(br, &net.IPNet{IP: net.IPv4(10, 201, 0, 1), Mask: net.CIDRMask(24, 32)}))
	require.NoError(t, host.SetUp(br))
	require.NoError(t, host.AddVeth("mydtest1", "eth0", int(inner.Fd())))
	end, err := host.LinkByName("mydtest1")
	require.NoError(t, err)
	require.NoError(t, host.SetMasterUp(end, br))
	require.NoError(t, host.SetHairpin(end))
	end, _ = host.LinkByName("mydtest1")
	if end.Kind != "veth" || end.Master != br.Index || !end.Up {
		t.Fatalf("host end = %+v, want a veth, up, on bridge %d", end, br.Index)
	}
	if _, err := host.LinkByName("eth0"); !errors.Is(err, unix.ENODEV) {
		t.Fatalf("eth0 in the host namespace: %v, want ENODEV", err)
	}
	eth0, err := in.LinkByName("eth0")
	require.NoError(t, err)
	require.NoError(t, in.AddAddr(eth0, &net.IPNet{IP: net.IPv4(10, 201, 0, 2), Mask: net.CIDRMask(24, 32)}))
	require.NoError(t, in.SetUp(eth0))
	require.NoError(t, in.AddDefaultRoute(eth0, net.IPv4(10, 201, 0, 1)))
	routes, err := in.Routes()
	require.NoError(t, err)
	var def *netlink.Route
	for i, r := range routes {
		if r.Dst == nil {
			def = &routes[i]
		}
	}
	if def == nil || !def.Gateway.Equal(net.IPv4(10, 201, 0, 1)) || def.Link != eth0.Index {
		t.Fatalf("Routes() inside = %+v, want default via 10.201.0.1 dev eth0", routes)
	}
	// Deleting the host end takes the peer with it.
	require.NoError(t, host.Delete(end))
	if _, err := in.LinkByName("eth0"); !errors.Is(err, unix.ENODEV) {
		t.Fatalf("eth0 after deleting its peer: %v, want ENODEV", err)
	}
}

// TestMoveAndRename is Docker's way: both ends made here, one moved in,
// then renamed eth0 (while it is still down, as older kernels require).
func TestMoveAndRename(t *testing.T) {
	host, _ := dial(t)
	inner := netlinktest.Netns(t)
	in, err := netlink.DialNetns(int(inner.Fd()), "container")
	require.NoError(t, err)
	defer in.Close()
	require.NoError(t, host.AddVeth("mydtest2", "mydtest2p", -1))
	peer, err := host.LinkByName("mydtest2p")
	require.NoError(t, err)
	require.NoError(t, host.SetNetns(peer, int(inner.Fd())))
	moved, err := in.LinkByName("mydtest2p")
	require.NoError(t, err)
	require.NoError(t, in.Rename(moved, "eth0"))
	require.NoError(t, in.SetUp(moved))
	if l, err := in.LinkByName("eth0"); err != nil || !l.Up {
		t.Fatalf("LinkByName(eth0) = %+v, %v; want it up", l, err)
	}
	require.NoError(t, in.SetDown(moved))
	if l, err := in.LinkByName("eth0"); err != nil || l.Up {
		t.Fatalf("LinkByName(eth0) = %+v, %v; want it down", l, err)
	}
	links, err := host.Links()
	require.NoError(t, err)
	for _, l := range links {
		if l.Name == "mydtest2p" {
			t.Fatalf("Links() still lists the moved peer: %+v", l)
		}
	}
}

func TestErrnoExplained(t *testing.T) {
	c, _ := dial(t)
	_, err := c.LinkByName("mydnothere")
	if !errors.Is(err, unix.ENODEV) {
		t.Fatalf("LinkByName(missing) = %v, want ENODEV", err)
	}
	lo, err := c.LinkByName("lo")
	require.NoError(t, err)
	err = c.AddDefaultRoute(lo, net.IPv4(192, 0, 2, 1))
	if !errors.Is(err, unix.ENETUNREACH) || !errorsContain(err, "gateway is not on any subnet") {
		t.Fatalf("default route via an unreachable gateway = %v, want ENETUNREACH explained", err)
	}
}

func errorsContain(err error, s string) bool { return err != nil && contains(err.Error(), s) }

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// Example: the bytes of the RTM_NEWLINK request that creates a veth pair,
// attribute by attribute.
func ExampleVethMessage() {
	b := netlink.VethMessage("myd1", "eth0", 7).Encode()
	fmt.Printf("nlmsghdr  % x\n", b[:16])
	fmt.Printf("ifinfomsg % x\n", b[16:32])
	fmt.Printf("IFLA_IFNAME % x\n", b[32:44])
	fmt.Printf("IFLA_LINKINFO % x\n", b[44:48])
	fmt.Printf("  IFLA_INFO_KIND % x\n", b[48:60])
	fmt.Printf("  IFLA_INFO_DATA % x\n", b[60:64])
	fmt.Printf("    VETH_INFO_PEER % x\n", b[64:68])
	fmt.Printf("      ifinfomsg % x\n", b[68:84])
	fmt.Printf("      IFLA_IFNAME % x\n", b[84:96])
	fmt.Printf("      IFLA_NET_NS_FD % x\n", b[96:104])
	fmt.Println("total", len(b))
	// Output:
	// nlmsghdr  68 00 00 00 10 00 00 06 00 00 00 00 00 00 00 00
	// ifinfomsg 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	// IFLA_IFNAME 09 00 03 00 6d 79 64 31 00 00 00 00
	// IFLA_LINKINFO 3c 00 12 80
	//   IFLA_INFO_KIND 09 00 01 00 76 65 74 68 00 00 00 00
	//   IFLA_INFO_DATA 2c 00 02 80
	//     VETH_INFO_PEER 28 00 01 00
	//       ifinfomsg 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	//       IFLA_IFNAME 09 00 03 00 65 74 68 30 00 00 00 00
	//       IFLA_NET_NS_FD 08 00 1c 00 07 00 00 00
	// total 104
}

// TestVethMessageChecker: the engine's message passes the lab's checker.
func TestVethMessageChecker(t *testing.T) {
	netlinktest.CheckVeth(t, func(name, peer string, ns int) []byte { return netlink.VethMessage(name, peer, ns).Encode() })
}

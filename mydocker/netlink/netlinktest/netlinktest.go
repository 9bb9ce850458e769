// Package netlinktest gives tests throwaway network namespaces: each is a
// namespace held only by an open descriptor, gone when the test ends, so a
// test may create bridges and veths without touching the host's network.
// The lab's checker uses it too.
package netlinktest

import (
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/netlink"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Netns creates a new, empty network namespace and returns it as an open
// /proc/.../ns/net descriptor, closed (and the namespace freed) at the end
// of the test. The thread that unshared it is discarded.
func Netns(t testing.TB) *os.File {
	t.Helper()
	testenv.RequireRoot(t, "network namespaces need CAP_SYS_ADMIN: sudo go test")
	type result struct {
		f   *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		// Locked and never unlocked: this thread ends up in the new
		// namespace, and Go throws it away when the goroutine returns.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- result{nil, os.NewSyscallError("unshare CLONE_NEWNET", err)}
			return
		}
		f, err := os.Open("/proc/thread-self/ns/net")
		done <- result{f, err}
	}()
	r := <-done
	if r.err != nil {
		t.Fatalf("new network namespace: %v", r.err)
	}
	t.Cleanup(func() { r.f.Close() })
	return r.f
}

// CheckVeth is lab 07's checker, and the engine's: build makes the bytes
// of the RTM_NEWLINK request for a veth pair NAME/PEER with the peer born in
// the namespace open as peerNS. The checker sends them to the kernel in a
// throwaway namespace and looks at what it made.
func CheckVeth(t *testing.T, build func(name, peer string, peerNS int) []byte) {
	t.Helper()
	host, inner := Netns(t), Netns(t)
	c, err := netlink.DialNetns(int(host.Fd()), "host")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	in, err := netlink.DialNetns(int(inner.Fd()), "container")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	msg := build("mydlab0", "eth0", int(inner.Fd()))
	if len(msg) < 16 {
		t.Fatalf("the message is %d bytes: it has not even a 16-byte nlmsghdr", len(msg))
	}
	if err := c.DoRaw("lab RTM_NEWLINK", msg); err != nil {
		t.Fatalf("the kernel refused the message: %v", err)
	}
	l, err := c.LinkByName("mydlab0")
	if err != nil {
		t.Fatalf("no link mydlab0 in the host namespace after the request: %v", err)
	}
	if l.Kind != "veth" {
		t.Errorf("mydlab0 is of kind %q, want veth (IFLA_INFO_KIND)", l.Kind)
	}
	if _, err := c.LinkByName("eth0"); err == nil {
		t.Errorf("eth0 is in the host namespace: the peer needs IFLA_NET_NS_FD")
	}
	if _, err := in.LinkByName("eth0"); err != nil {
		t.Errorf("no eth0 in the container's namespace: %v (VETH_INFO_PEER: ifinfomsg, IFLA_IFNAME, IFLA_NET_NS_FD)", err)
	}
}

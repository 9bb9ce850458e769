// Chapter 07's checks: the kernel can make bridges and veth pairs, and
// iptables can write NAT rules. Each is tried for real, in a throwaway
// network namespace, so the host's network is never touched.

package doctor

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/netlink"
)

// inThrowawayNetns runs fn on a thread that has left for a new, empty
// network namespace; the thread is discarded afterwards.
func inThrowawayNetns(fn func(c *netlink.Conn) error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- os.NewSyscallError("unshare CLONE_NEWNET", err)
			return
		}
		c, err := netlink.Dial()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		done <- fn(c)
	}()
	return <-done
}

func checkNetLinks() Result {
	err := inThrowawayNetns(func(c *netlink.Conn) error {
		if err := c.AddBridge("mydoctor0"); err != nil {
			return err
		}
		return c.AddVeth("mydoctor1", "mydoctor2", -1)
	})
	if errors.Is(err, unix.EOPNOTSUPP) {
		return Result{Fail, "bridge, veth", err.Error(), "sudo modprobe bridge veth"}
	}
	if err != nil {
		return Result{Fail, "bridge, veth", err.Error(), "run as root on a kernel with CONFIG_BRIDGE and CONFIG_VETH"}
	}
	return Result{Status: OK, Name: "bridge, veth", Detail: "made a bridge and a veth pair in a throwaway network namespace"}
}

func checkNAT() Result {
	path, err := exec.LookPath("iptables")
	if err != nil {
		return Result{Warn, "nat", "iptables not found: no MASQUERADE or published ports", "sudo apt-get install iptables"}
	}
	cmd := exec.Command(path, "-w", "-t", "nat", "-A", "POSTROUTING", "-s", "10.0.0.0/8", "!", "-o", "lo", "-j", "MASQUERADE")
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNET}
	if out, err := cmd.CombinedOutput(); err != nil {
		return Result{Fail, "nat", "iptables cannot write a MASQUERADE rule: " + strings.TrimSpace(string(out)), "sudo modprobe nf_nat iptable_nat (legacy) or nft_chain_nat (nf_tables)"}
	}
	return Result{Status: OK, Name: "nat", Detail: "wrote a MASQUERADE rule in a throwaway network namespace"}
}

func checkForwarding() Result {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		return Result{Warn, "ip_forward", err.Error(), "mount /proc"}
	}
	if strings.TrimSpace(string(data)) != "1" {
		return Result{Status: OK, Name: "ip_forward", Detail: "0 now: mydocker turns it on when it makes its first bridge, as Docker does"}
	}
	return Result{Status: OK, Name: "ip_forward", Detail: "1"}
}

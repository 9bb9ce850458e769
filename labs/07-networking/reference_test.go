//go:build reference

package lab07

import "github.com/mydocker/mydocker/mydocker/netlink"

// impl is the engine's own code: CI checks that it passes the same checker
// your code must pass.
func impl(name, peer string, ns int) ([]byte, error) {
	return netlink.VethMessage(name, peer, ns).Encode(), nil
}

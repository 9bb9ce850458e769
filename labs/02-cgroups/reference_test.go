//go:build reference

package lab02

import "github.com/mydocker/mydocker/mydocker/cgroups"

// impl is the engine's own limiter: CI checks that it passes the checker
// your code must pass.
func impl(dir string, l *Limits) error {
	return cgroups.WriteV2(dir, &cgroups.Resources{Memory: l.Memory, MemorySwap: l.MemorySwap, PidsLimit: l.PidsLimit})
}

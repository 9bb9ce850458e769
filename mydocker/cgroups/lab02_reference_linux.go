//go:build lab02 && reference

package cgroups

import lab02 "github.com/mydocker/mydocker/labs/02-cgroups"

// labLimit is lab 02's reference, the engine's WriteV2, wired through the
// lab's seam and its types: CI builds it into the engine to prove the seam.
func labLimit(dir string, l *lab02.Limits) error {
	return WriteV2(dir, &Resources{Memory: l.Memory, MemorySwap: l.MemorySwap, PidsLimit: l.PidsLimit})
}

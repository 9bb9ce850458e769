package lab02

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/cgroups/cgroupstest"
)

// impl is your Limit, or with -tags reference the engine's. The checker
// speaks the engine's Resources; your Limit gets the same numbers as Limits.
func TestLimiter(t *testing.T) {
	cgroupstest.CheckV2Limiter(t, func(dir string, r *cgroups.Resources) error {
		return impl(dir, &Limits{Memory: r.Memory, MemorySwap: r.MemorySwap, PidsLimit: r.PidsLimit})
	})
}

package lab02

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/cgroups/cgroupstest"
)

// impl is your Limit, or with -tags reference the engine's.
func TestLimiter(t *testing.T) { cgroupstest.CheckV2Limiter(t, impl) }

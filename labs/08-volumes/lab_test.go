package lab08

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/rootfs/rootfstest"
)

// impl is your OpenTarget, or with -tags reference the engine's.
func TestOpenTarget(t *testing.T) { rootfstest.CheckOpenTarget(t, impl) }

package lab03

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/rootfs/rootfstest"
)

// impl is your PivotRoot, or with -tags reference the engine's.
func TestMain(m *testing.M) {
	rootfstest.Main(m, map[string]rootfstest.PivotFunc{"lab": impl})
}

func TestPivotRoot(t *testing.T) { rootfstest.CheckPivotRoot(t, "lab") }

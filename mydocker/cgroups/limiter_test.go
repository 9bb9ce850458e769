package cgroups_test

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/cgroups/cgroupstest"
)

// The engine's v2 limiter passes the checker lab 02 is held to.
func TestWriteV2(t *testing.T) { cgroupstest.CheckV2Limiter(t, cgroups.WriteV2) }

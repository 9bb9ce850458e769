//go:build reference

package lab02

import "github.com/mydocker/mydocker/mydocker/cgroups"

// impl is the engine's own limiter: CI checks that it passes the checker
// your code must pass.
var impl = cgroups.WriteV2

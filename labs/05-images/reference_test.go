//go:build reference

package lab05

import "github.com/mydocker/mydocker/mydocker/image/remote/remotetest"

// impl is the engine's own fetcher (package remote): CI checks that it
// passes the checker your code must pass.
var impl = remotetest.Engine

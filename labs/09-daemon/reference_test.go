//go:build reference

package lab09

import (
	"github.com/mydocker/mydocker/mydocker/daemon"
	"github.com/mydocker/mydocker/mydocker/daemon/daemontest"
)

// impl is the daemon's own: CI checks that it passes the checker your code
// must pass.
var impl = daemontest.Framer{Write: daemon.WriteFrame, Read: daemon.ReadFrame}

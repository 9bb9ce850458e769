//go:build !reference

package lab09

import "github.com/mydocker/mydocker/mydocker/daemon/daemontest"

// impl is the code you write in frames.go.
var impl = daemontest.Framer{Write: WriteFrame, Read: ReadFrame}

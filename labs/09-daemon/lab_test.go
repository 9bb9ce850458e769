package lab09

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/daemon/daemontest"
)

// impl is your WriteFrame and ReadFrame, or with -tags reference the daemon's.
func TestFrames(t *testing.T) { daemontest.CheckFrames(t, impl) }

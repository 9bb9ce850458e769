package daemon

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/daemon/daemontest"
)

func TestFrames(t *testing.T) {
	daemontest.CheckFrames(t, daemontest.Framer{Write: WriteFrame, Read: ReadFrame})
}

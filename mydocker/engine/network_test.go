package engine

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/network"
)

// A container a monitor has claimed is being started with its network as
// the record said: a connect or disconnect meanwhile would be answered as
// done and not be (the container would come up on the network it was
// just disconnected from). It gets a conflict instead.
func TestSetNetworkWhileStarting(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	start, err := ProcessStartTime(os.Getpid())
	require.NoError(t, err)
	c := &Container{ID: NewID(), Name: "/box"}
	c.HostConfig.NetworkMode = "red"
	require.NoError(t, s.Create(c))
	_, err = s.Update(c.ID, func(c *Container) error {
		c.State.Monitor, c.State.MonitorStart = os.Getpid(), start // this process plays the monitor
		return nil
	})
	require.NoError(t, err)
	red := network.Network{Name: "red"}
	for _, connect := range []bool{false, true} {
		if err := setNetwork(s, c.ID, red, nil, "", connect); !errors.Is(err, ErrConflict) {
			t.Errorf("setNetwork(connect %v) while a monitor starts the container: %v, want a conflict", connect, err)
		}
	}
	if got, _ := s.Get(c.ID); got.HostConfig.NetworkMode != "red" {
		t.Errorf("the record's network changed to %q while starting", got.HostConfig.NetworkMode)
	}
}

package engine

import (
	"os"
	"testing"
)

// Docker's stats give a container the traffic of its own endpoints only:
// none with --network host (the host's interfaces are no container's)
// nor with container:NAME (the other's, counted there). Without the mode
// looked at, a host-mode container reported all of the host's traffic.
func TestNetCountersOwnNamespaceOnly(t *testing.T) {
	for _, tt := range []struct {
		mode string
		own  bool
	}{
		{"host", false}, {"container:0123abcd", false}, {"", true}, {"bridge", true}, {"none", true},
	} {
		// This process stands for the container's init: its namespace
		// is the host's here, which only the mode tells apart.
		c := &Container{ID: NewID()}
		c.HostConfig.NetworkMode = tt.mode
		c.State.Pid = os.Getpid()
		got := netCounters(c)
		if (got != nil) != tt.own {
			t.Errorf("netCounters of a --network %q container = %v, want counters %t", tt.mode, got, tt.own)
		}
	}
}

// The counters are read through init's PID: a PID that is another
// process's now (its start time not the recorded one) gives none, not
// that process's namespace.
func TestNetCountersReusedPID(t *testing.T) {
	start, err := ProcessStartTime(os.Getpid())
	if err != nil {
		t.Fatalf("ProcessStartTime(self) = %v", err)
	}
	c := &Container{ID: NewID()}
	c.State.Pid, c.State.PidStart = os.Getpid(), start
	if netCounters(c) == nil {
		t.Fatalf("netCounters of a live init (this process) = nil, want its counters")
	}
	c.State.PidStart = start + 1 // the init that had this PID started at another time
	if got := netCounters(c); got != nil {
		t.Errorf("netCounters through a reused PID = %v, want nil", got)
	}
}

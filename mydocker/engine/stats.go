// What `stats` reads, as dockerd's /containers/{id}/stats gives it: which
// containers (the named ones, or every running one), and a reading of each
// one's cgroup, with the host's memory as the limit of a container that has
// none. The percentages are the client's to work out from two readings, as
// docker's client does.

package engine

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/network"
)

// StatsTargets picks the containers named by refs, which must be running,
// or every running container when refs is empty.
func StatsTargets(s *Store, refs []string) ([]*Container, error) {
	if len(refs) == 0 {
		all, err := s.List()
		var running []*Container
		for _, c := range all {
			if c.State.Status == "running" && c.Cgroup != nil {
				running = append(running, c)
			}
		}
		return running, err
	}
	var out []*Container
	for _, ref := range refs {
		c, err := s.Get(ref)
		if err != nil {
			return nil, err
		}
		if c.State.Status != "running" || c.Cgroup == nil {
			return nil, fmt.Errorf("container %s is not running", ref)
		}
		out = append(out, c)
	}
	return out, nil
}

// Reading is the cgroup statistics of containers (by ID) at one time,
// and the traffic of each one's interfaces (none with --network none).
type Reading struct {
	At    time.Time
	Stats map[string]cgroups.Stats
	Net   map[string]map[string]network.Counters
}

// Sample reads the cgroups of list now. A container with no memory limit
// gets the host's memory as its MemoryLimit, as `docker stats` shows it.
func Sample(list []*Container) Reading {
	r := Reading{At: time.Now(), Stats: map[string]cgroups.Stats{}, Net: map[string]map[string]network.Counters{}}
	var host uint64
	for _, c := range list {
		st := c.Cgroup.Stats()
		if st.MemoryLimit == 0 {
			if host == 0 {
				host = hostMemory()
			}
			st.MemoryLimit = host
		}
		r.Stats[c.ID] = st
		r.Net[c.ID] = netCounters(c)
	}
	return r
}

// netCounters reads the interfaces of c's network namespace through its
// init's /proc entry, nil if that process is gone: its start time, read
// after the counters, says the PID was not reused in between. A container
// with no namespace of its own has none, as in Docker: with --network
// host it is the host's (all of the host's traffic), with container:NAME
// the other's, which that one reports.
func netCounters(c *Container) map[string]network.Counters {
	mode := c.HostConfig.NetworkMode
	if c.State.Pid <= 0 || mode == "host" || strings.HasPrefix(mode, "container:") {
		return nil
	}
	counters, err := network.NamespaceCounters(c.State.Pid)
	if err != nil {
		return nil
	}
	if start, err := ProcessStartTime(c.State.Pid); err != nil || (c.State.PidStart != 0 && start != c.State.PidStart) {
		return nil
	}
	return counters
}

// hostMemory is MemTotal from /proc/meminfo, the limit of an unlimited
// container.
func hostMemory() uint64 {
	data, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(data), "\n") {
		var kb uint64
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return kb << 10
		}
	}
	return 0
}

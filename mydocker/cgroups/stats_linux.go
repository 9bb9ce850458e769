// Reading a group back: what the container used, and whether the kernel's
// OOM killer struck inside it. The same numbers, from different files on
// each version.

package cgroups

import "time"

// Stats is a container's usage, read from its group.
type Stats struct {
	MemoryCurrent uint64        `json:"MemoryCurrent"`         // bytes in use now
	MemoryPeak    uint64        `json:"MemoryPeak"`            // the most ever in use (0 if the kernel does not say)
	MemoryLimit   uint64        `json:"MemoryLimit,omitempty"` // 0: none
	CPUTime       time.Duration `json:"CPUTime"`               // user+system time of all its processes
	CPUPeriods    uint64        `json:"CPUPeriods,omitempty"`  // CFS periods with the quota in force
	Throttled     uint64        `json:"Throttled,omitempty"`   // periods in which the quota ran out
	ThrottledTime time.Duration `json:"ThrottledTime,omitempty"`
	Pids          uint64        `json:"Pids"`
	PidsLimit     uint64        `json:"PidsLimit,omitempty"` // 0: none
	OOMKills      uint64        `json:"OOMKills"`            // processes the OOM killer ended
}

// Stats reads the group's usage now.
func (g *Group) Stats() Stats {
	if g.Mode == Unified {
		d := g.Dirs[""]
		cpu := readKeyed(d, "cpu.stat")
		return Stats{
			MemoryCurrent: readUint(d, "memory.current"),
			MemoryPeak:    readUint(d, "memory.peak"),
			MemoryLimit:   readUint(d, "memory.max"),
			CPUTime:       time.Duration(cpu["usage_usec"]) * time.Microsecond,
			CPUPeriods:    cpu["nr_periods"],
			Throttled:     cpu["nr_throttled"],
			ThrottledTime: time.Duration(cpu["throttled_usec"]) * time.Microsecond,
			Pids:          readUint(d, "pids.current"),
			PidsLimit:     readUint(d, "pids.max"),
			OOMKills:      readKeyed(d, "memory.events")["oom_kill"],
		}
	}
	mem, cpu := g.Dirs["memory"], readKeyed(g.Dirs["cpu"], "cpu.stat")
	s := Stats{
		MemoryCurrent: readUint(mem, "memory.usage_in_bytes"),
		MemoryPeak:    readUint(mem, "memory.max_usage_in_bytes"),
		MemoryLimit:   readUint(mem, "memory.limit_in_bytes"),
		CPUTime:       time.Duration(readUint(g.Dirs["cpuacct"], "cpuacct.usage")),
		CPUPeriods:    cpu["nr_periods"],
		Throttled:     cpu["nr_throttled"],
		ThrottledTime: time.Duration(cpu["throttled_time"]),
		Pids:          readUint(g.Dirs["pids"], "pids.current"),
		PidsLimit:     readUint(g.Dirs["pids"], "pids.max"),
		OOMKills:      readKeyed(mem, "memory.oom_control")["oom_kill"],
	}
	if s.MemoryLimit >= 1<<62 { // v1 says "no limit" with a huge number
		s.MemoryLimit = 0
	}
	return s
}

// OOMKilled reports whether the OOM killer ended a process in the group.
func (g *Group) OOMKilled() bool { return g.Stats().OOMKills > 0 }

// Reading a group back: what the container used, and whether the kernel's
// OOM killer struck inside it. The same numbers, from different files on
// each version.

package cgroups

import (
	"strconv"
	"strings"
	"time"
)

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
	BlockIO       []DeviceIO    `json:"BlockIO,omitempty"`   // bytes read and written on each block device
}

// DeviceIO is the bytes read and written on one block device.
type DeviceIO struct {
	Major, Minor uint64
	Read, Write  uint64
}

// BlockTotals sums the bytes read and written over every device.
func (s Stats) BlockTotals() (read, write uint64) {
	for _, d := range s.BlockIO {
		read, write = read+d.Read, write+d.Write
	}
	return read, write
}

// Stats reads the group's usage now.
func (g *Group) Stats() Stats {
	if g.Mode == Unified {
		d := g.Dirs[""]
		cpu := readKeyed(d, "cpu.stat")
		return Stats{
			BlockIO:       ioStatV2(d),
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
	s.BlockIO = ioServiceBytesV1(g.Dirs["blkio"])
	if s.MemoryLimit >= 1<<62 { // v1 says "no limit" with a huge number
		s.MemoryLimit = 0
	}
	return s
}

// OOMKilled reports whether the OOM killer ended a process in the group.
func (g *Group) OOMKilled() bool { return g.Stats().OOMKills > 0 }

// ioStatV2 reads io.stat's rbytes and wbytes, a line per device:
// "8:0 rbytes=1310720 wbytes=0 rios=40 wios=0 dbytes=0 dios=0".
func ioStatV2(dir string) []DeviceIO {
	s, _ := readString(dir, "io.stat")
	var out []DeviceIO
	for _, line := range strings.Split(s, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		d, ok := parseDevice(fields[0])
		if !ok {
			continue
		}
		for _, f := range fields[1:] {
			k, v, _ := strings.Cut(f, "=")
			n, _ := strconv.ParseUint(v, 10, 64)
			switch k {
			case "rbytes":
				d.Read = n
			case "wbytes":
				d.Write = n
			}
		}
		out = append(out, d)
	}
	return out
}

// ioServiceBytesV1 reads v1's blkio.throttle.io_service_bytes, lines of
// "8:0 Read 1310720" ("Total" lines left out), the recursive file first,
// as runc reads it (the CFQ-only files are gone from newer kernels). On
// recent kernels (this course's 6.18) they count only I/O that passes a
// throttle rule: a group with none reads zero, under Docker's runc too.
func ioServiceBytesV1(dir string) []DeviceIO {
	if dir == "" {
		return nil
	}
	s, err := readString(dir, "blkio.throttle.io_service_bytes_recursive")
	if err != nil {
		s, _ = readString(dir, "blkio.throttle.io_service_bytes")
	}
	var out []DeviceIO
	index := map[string]int{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || (f[1] != "Read" && f[1] != "Write") {
			continue
		}
		i, seen := index[f[0]]
		if !seen {
			d, ok := parseDevice(f[0])
			if !ok {
				continue
			}
			i, index[f[0]] = len(out), len(out)
			out = append(out, d)
		}
		n, _ := strconv.ParseUint(f[2], 10, 64)
		if f[1] == "Read" {
			out[i].Read = n
		} else {
			out[i].Write = n
		}
	}
	return out
}

// parseDevice reads "MAJOR:MINOR".
func parseDevice(s string) (DeviceIO, bool) {
	a, b, ok := strings.Cut(s, ":")
	major, err1 := strconv.ParseUint(a, 10, 64)
	minor, err2 := strconv.ParseUint(b, 10, 64)
	return DeviceIO{Major: major, Minor: minor}, ok && err1 == nil && err2 == nil
}

// Package cgroups limits what a container may use: memory, CPU time, CPUs,
// processes. The kernel's interface is a filesystem, /sys/fs/cgroup, where a
// directory is a group, writing a PID into its cgroup.procs moves a process
// in, and writing a file like memory.max sets a limit.
//
// Two versions of that filesystem are in use (see mode_linux.go), and this
// package drives both: New makes a container's group from Resources on
// whichever the host has; the container's init puts the command into it
// before the command's first instruction (Placement); Stats and OOMKilled
// read it back; Destroy removes it.
//
// This file is the pure part: Docker's flag values, parsed and checked, and
// converted to what each version's files want.
package cgroups

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Resources are a container's limits, in Docker's terms. Zero means "no
// limit" for every field.
type Resources struct {
	Memory     int64  `json:"Memory,omitempty"`     // -m, bytes
	MemorySwap int64  `json:"MemorySwap,omitempty"` // --memory-swap: memory+swap in bytes, -1 unlimited
	NanoCPUs   int64  `json:"NanoCpus,omitempty"`   // --cpus, in 1e-9 CPUs
	CPUShares  int64  `json:"CpuShares,omitempty"`  // --cpu-shares, relative weight (default 1024)
	CpusetCpus string `json:"CpusetCpus,omitempty"` // --cpuset-cpus, e.g. "0-1,3"
	PidsLimit  int64  `json:"PidsLimit,omitempty"`  // --pids-limit, <= 0 unlimited
}

// MinMemory is Docker's smallest memory limit: below it the kernel's own
// per-group overhead would make the limit meaningless.
const MinMemory = 6 << 20

// CFSPeriod is the CPU accounting period Docker uses, in microseconds: a
// container with --cpus 1.5 may run 150ms of every 100ms, across CPUs.
const CFSPeriod = 100000

// Compiled on first use, not at package init, which every re-executed init pays.
var sizeRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$`)
})

// ParseBytes reads a size as Docker's -m does: "512m", "1.5g", "100", "1kb",
// "2GiB". Units are binary (k = 1024).
func ParseBytes(s string) (int64, error) {
	m := sizeRE().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("invalid size %q: want a number and an optional unit b, k, m, g, t or p (e.g. 512m)", s)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: %v", s, err)
	}
	mult := map[string]float64{"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}[strings.ToLower(m[2])]
	v := n * mult
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return int64(v), nil
}

// ParseCPUs reads --cpus: a decimal number of CPUs, such as "1.5", into
// nano-CPUs, exactly, as Docker does.
func ParseCPUs(s string) (int64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid --cpus %q: want a number of CPUs such as 1.5", s)
	}
	return int64(math.Round(f * 1e9)), nil
}

// Validate checks r the way Docker's daemon does, against the host's CPUs.
// online is the host's online CPU list, as in /sys/devices/system/cpu/online.
func (r *Resources) Validate(numCPU int, online string) error {
	if r.Memory != 0 && r.Memory < MinMemory {
		return fmt.Errorf("minimum memory limit allowed is 6MB: -m %d (bytes) is too small", r.Memory)
	}
	if r.MemorySwap != 0 && r.MemorySwap != -1 {
		if r.Memory == 0 {
			return fmt.Errorf("--memory-swap needs -m too: the swap limit is memory plus swap")
		}
		if r.MemorySwap < r.Memory {
			return fmt.Errorf("--memory-swap (%d) must be at least -m (%d): it counts memory plus swap", r.MemorySwap, r.Memory)
		}
	}
	if r.NanoCPUs != 0 && (r.NanoCPUs < 1e7 || r.NanoCPUs > int64(numCPU)*1e9) {
		return fmt.Errorf("--cpus %s is out of range: from 0.01 to %d.00, as there are only %d CPUs available",
			strconv.FormatFloat(float64(r.NanoCPUs)/1e9, 'f', -1, 64), numCPU, numCPU)
	}
	if r.CPUShares < 0 || r.CPUShares == 1 || r.CPUShares > 262144 {
		return fmt.Errorf("--cpu-shares %d is out of range: from 2 to 262144 (default 1024)", r.CPUShares)
	}
	if r.CpusetCpus != "" {
		want, err := ParseCPUList(r.CpusetCpus)
		if err != nil {
			return fmt.Errorf("--cpuset-cpus: %v", err)
		}
		have, _ := ParseCPUList(online)
		for c := range want {
			if !have[c] {
				return fmt.Errorf("--cpuset-cpus %s: CPU %d is not available (online: %s)", r.CpusetCpus, c, online)
			}
		}
	}
	return nil
}

// ParseCPUList reads a CPU list like "0-2,4" into a set, sorted keys aside.
func ParseCPUList(s string) (map[int]bool, error) {
	out := map[int]bool{}
	for _, part := range strings.Split(strings.TrimSpace(s), ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return nil, fmt.Errorf("invalid CPU list %q: want numbers and ranges, e.g. 0-2,4", s)
		}
		for c := a; c <= b; c++ {
			out[c] = true
		}
	}
	return out, nil
}

// SharesToWeight converts v1's cpu.shares (2..262144, default 1024) to v2's
// cpu.weight (1..10000, default 100) as runc does, so the same flag means
// the same on both.
func SharesToWeight(shares int64) int64 {
	if shares == 0 {
		return 0
	}
	return 1 + ((shares-2)*9999)/262142
}

// V2Files are the cgroup v2 interface files and values that impose r, in
// the order they are written.
func V2Files(r *Resources) [][2]string {
	var out [][2]string
	add := func(file, value string) { out = append(out, [2]string{file, value}) }
	if r.CpusetCpus != "" {
		add("cpuset.cpus", r.CpusetCpus)
	}
	if r.Memory > 0 {
		add("memory.max", strconv.FormatInt(r.Memory, 10))
		switch {
		case r.MemorySwap == -1:
			add("memory.swap.max", "max")
		case r.MemorySwap > 0:
			// v2 limits swap alone; Docker's flag is memory plus swap.
			add("memory.swap.max", strconv.FormatInt(r.MemorySwap-r.Memory, 10))
		default:
			// Docker's default: as much swap as memory.
			add("memory.swap.max", strconv.FormatInt(r.Memory, 10))
		}
	}
	if r.NanoCPUs > 0 {
		add("cpu.max", fmt.Sprintf("%d %d", r.NanoCPUs*CFSPeriod/1e9, CFSPeriod))
	}
	if r.CPUShares > 0 {
		add("cpu.weight", strconv.FormatInt(SharesToWeight(r.CPUShares), 10))
	}
	if r.PidsLimit > 0 {
		add("pids.max", strconv.FormatInt(r.PidsLimit, 10))
	}
	return out
}

// V1Files are the cgroup v1 files and values that impose r, each with the
// controller whose hierarchy it lives in.
func V1Files(r *Resources) [][3]string {
	var out [][3]string
	add := func(ctrl, file, value string) { out = append(out, [3]string{ctrl, file, value}) }
	if r.CpusetCpus != "" {
		add("cpuset", "cpuset.cpus", r.CpusetCpus)
	}
	if r.Memory > 0 {
		add("memory", "memory.limit_in_bytes", strconv.FormatInt(r.Memory, 10))
		switch {
		case r.MemorySwap == -1:
			add("memory", "memory.memsw.limit_in_bytes", "-1")
		case r.MemorySwap > 0:
			add("memory", "memory.memsw.limit_in_bytes", strconv.FormatInt(r.MemorySwap, 10))
		default:
			add("memory", "memory.memsw.limit_in_bytes", strconv.FormatInt(2*r.Memory, 10))
		}
	}
	if r.NanoCPUs > 0 {
		// The period first: a quota longer than the old period is refused.
		add("cpu", "cpu.cfs_period_us", strconv.Itoa(CFSPeriod))
		add("cpu", "cpu.cfs_quota_us", strconv.FormatInt(r.NanoCPUs*CFSPeriod/1e9, 10))
	}
	if r.CPUShares > 0 {
		add("cpu", "cpu.shares", strconv.FormatInt(r.CPUShares, 10))
	}
	if r.PidsLimit > 0 {
		add("pids", "pids.max", strconv.FormatInt(r.PidsLimit, 10))
	}
	return out
}

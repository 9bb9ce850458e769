// GET /containers/{id}/stats: the container's cgroup and interfaces read
// (engine.Sample), in Docker's shape: every second while ?stream (the
// default), or once with ?stream=false. The client works out the percentages from two
// readings (cpu_stats and precpu_stats), as docker's does, so a one-shot
// answer holds two readings a moment apart; ?one-shot=true skips the first.

package daemon

import (
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/network"
)

type cpuStats struct {
	CPUUsage struct {
		TotalUsage        uint64 `json:"total_usage"`
		UsageInKernelmode uint64 `json:"usage_in_kernelmode"`
		UsageInUsermode   uint64 `json:"usage_in_usermode"`
	} `json:"cpu_usage"`
	SystemUsage    uint64 `json:"system_cpu_usage"`
	OnlineCPUs     int    `json:"online_cpus"`
	ThrottlingData struct {
		Periods          uint64 `json:"periods"`
		ThrottledPeriods uint64 `json:"throttled_periods"`
		ThrottledTime    uint64 `json:"throttled_time"`
	} `json:"throttling_data"`
}

type statsJSON struct {
	Read      time.Time `json:"read"`
	PreRead   time.Time `json:"preread"`
	PidsStats struct {
		Current uint64 `json:"current"`
		Limit   uint64 `json:"limit,omitempty"`
	} `json:"pids_stats"`
	BlkioStats  map[string]any `json:"blkio_stats"`
	NumProcs    int            `json:"num_procs"`
	CPUStats    cpuStats       `json:"cpu_stats"`
	PreCPUStats cpuStats       `json:"precpu_stats"`
	MemoryStats struct {
		Usage    uint64            `json:"usage"`
		MaxUsage uint64            `json:"max_usage,omitempty"`
		Stats    map[string]uint64 `json:"stats"`
		Limit    uint64            `json:"limit"`
	} `json:"memory_stats"`
	Name     string                      `json:"name"`
	ID       string                      `json:"id"`
	Networks map[string]network.Counters `json:"networks,omitempty"`
}

func (s *Server) statsContainer(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	stream := r.URL.Query().Get("stream") == "" || boolValue(r, "stream")
	oneShot := boolValue(r, "one-shot")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	var prev *statsJSON
	if !stream && !oneShot {
		prev = reading(c)
		time.Sleep(100 * time.Millisecond)
	}
	for {
		cur := reading(c)
		if prev != nil {
			cur.PreRead, cur.PreCPUStats = prev.Read, prev.CPUStats
		}
		if err := writeBody(w, cur); err != nil || !stream {
			return nil
		}
		if rc.Flush() != nil {
			return nil
		}
		prev = cur
		select {
		case <-r.Context().Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// reading is one reading of the container's cgroup; zeros for a container
// that is not running (Docker's too).
func reading(c *engine.Container) *statsJSON {
	st := &statsJSON{Read: time.Now().UTC(), Name: "/" + c.Name, ID: c.ID, BlkioStats: map[string]any{}}
	st.MemoryStats.Stats = map[string]uint64{}
	if !c.State.Running || c.Cgroup == nil {
		return st
	}
	sample := engine.Sample([]*engine.Container{c})
	cg := sample.Stats[c.ID]
	st.CPUStats.CPUUsage.TotalUsage = uint64(cg.CPUTime.Nanoseconds())
	st.CPUStats.SystemUsage = systemCPU()
	st.CPUStats.OnlineCPUs = runtime.NumCPU()
	st.CPUStats.ThrottlingData.Periods, st.CPUStats.ThrottlingData.ThrottledPeriods = cg.CPUPeriods, cg.Throttled
	st.CPUStats.ThrottlingData.ThrottledTime = uint64(cg.ThrottledTime.Nanoseconds())
	st.MemoryStats.Usage, st.MemoryStats.MaxUsage, st.MemoryStats.Limit = cg.MemoryCurrent, cg.MemoryPeak, cg.MemoryLimit
	st.PidsStats.Current, st.PidsStats.Limit = cg.Pids, cg.PidsLimit
	st.BlkioStats["io_service_bytes_recursive"] = blkioEntries(cg.BlockIO, c.Cgroup.Mode == cgroups.Unified)
	if net := sample.Net[c.ID]; len(net) > 0 {
		st.Networks = net
	}
	return st
}

// blkioEntry is one line of Docker's blkio_stats lists.
type blkioEntry struct {
	Major uint64 `json:"major"`
	Minor uint64 `json:"minor"`
	Op    string `json:"op"`
	Value uint64 `json:"value"`
}

// blkioEntries is io_service_bytes_recursive: a read and a write entry
// per device, "read" and "write" on cgroup v2 and "Read" and "Write" on
// v1, as Docker writes them (its client lowercases them to add them up).
func blkioEntries(devices []cgroups.DeviceIO, v2 bool) []blkioEntry {
	read, write := "Read", "Write"
	if v2 {
		read, write = "read", "write"
	}
	out := []blkioEntry{}
	for _, d := range devices {
		out = append(out, blkioEntry{d.Major, d.Minor, read, d.Read}, blkioEntry{d.Major, d.Minor, write, d.Write})
	}
	return out
}

// systemCPU is the host's CPU time in nanoseconds, from /proc/stat's first
// line (clock ticks of 10 ms), as Docker's system_cpu_usage.
func systemCPU() uint64 {
	data, _ := os.ReadFile("/proc/stat")
	line, _, _ := strings.Cut(string(data), "\n")
	var ticks uint64
	for _, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseUint(f, 10, 64)
		ticks += n
	}
	return ticks * 1e7
}

// jsonLine is v as one line of JSON.
func jsonLine(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	return append(data, '\n'), err
}

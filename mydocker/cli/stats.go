// mydocker stats: running containers' usage, read from their cgroups, in
// `docker stats` columns. CPU % needs two readings: the CPU time used between
// them, over the wall time between them (100% is one whole CPU).

package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

func statsCmd(g *Globals, args []string) error {
	var noStream bool
	fs := NewFlagSet("stats")
	fs.Bool(&noStream, "no-stream", "", "print one reading and exit, instead of refreshing every second")
	refs, err := parse(g, fs, args, 0, -1)
	if err != nil {
		return err
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	list, err := statsTargets(store, refs)
	if err != nil {
		return err
	}
	prev := sample(list)
	for {
		time.Sleep(time.Second)
		cur := sample(list)
		if !noStream && runtime.IsTerminal(os.Stdout) {
			fmt.Fprint(g.Stdout, "\033[2J\033[H") // clear the screen, as docker stats does
		}
		printStats(g.Stdout, list, prev, cur)
		if noStream {
			return nil
		}
		prev = cur
	}
}

// statsTargets picks the named containers, or every running one.
func statsTargets(store *engine.Store, refs []string) ([]*engine.Container, error) {
	if len(refs) == 0 {
		all, err := store.List()
		var running []*engine.Container
		for _, c := range all {
			if c.State.Status == "running" && c.Cgroup != nil {
				running = append(running, c)
			}
		}
		return running, err
	}
	var out []*engine.Container
	for _, ref := range refs {
		c, err := store.Get(ref)
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

type reading struct {
	at    time.Time
	stats map[string]cgroups.Stats
}

func sample(list []*engine.Container) reading {
	r := reading{at: time.Now(), stats: map[string]cgroups.Stats{}}
	for _, c := range list {
		r.stats[c.ID] = c.Cgroup.Stats()
	}
	return r
}

func printStats(w io.Writer, list []*engine.Container, prev, cur reading) {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER ID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tPIDS")
	hostMem := hostMemory()
	for _, c := range list {
		a, b := prev.stats[c.ID], cur.stats[c.ID]
		cpu := 0.0
		if wall := cur.at.Sub(prev.at); wall > 0 && b.CPUTime >= a.CPUTime {
			cpu = float64(b.CPUTime-a.CPUTime) / float64(wall) * 100
		}
		limit := b.MemoryLimit
		if limit == 0 {
			limit = hostMem
		}
		memPct := 0.0
		if limit > 0 {
			memPct = float64(b.MemoryCurrent) / float64(limit) * 100
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f%%\t%s / %s\t%.2f%%\t%d\n", engine.ShortID(c.ID), c.Name,
			cpu, BinarySize(b.MemoryCurrent), BinarySize(limit), memPct, b.Pids)
	}
	tw.Flush()
}

// BinarySize prints bytes as docker stats does: "1.465MiB".
func BinarySize(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.4g%s", f, units[i])
}

// hostMemory is MemTotal from /proc/meminfo, the limit of an unlimited container.
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

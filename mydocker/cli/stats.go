// mydocker stats: running containers' usage, read from their cgroups and
// interfaces by the engine (engine.Sample), in `docker stats` columns. CPU % needs two
// readings: the CPU time used between them, over the wall time between
// them (100% is one whole CPU); docker's client works it out, and so does
// this one.

package cli

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

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
	var list []*engine.Container
	sample := engine.Sample
	if g.client != nil {
		list, err = remoteStatsTargets(g, refs)
		sample = func(list []*engine.Container) engine.Reading { return remoteSample(g, list) }
	} else {
		var store *engine.Store
		if store, err = engine.OpenStore(g.DataRoot); err != nil {
			return err
		}
		list, err = engine.StatsTargets(store, refs)
	}
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

func printStats(w io.Writer, list []*engine.Container, prev, cur engine.Reading) {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER ID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tNET I/O\tBLOCK I/O\tPIDS")
	for _, c := range list {
		a, b := prev.Stats[c.ID], cur.Stats[c.ID]
		cpu := 0.0
		if wall := cur.At.Sub(prev.At); wall > 0 && b.CPUTime >= a.CPUTime {
			cpu = float64(b.CPUTime-a.CPUTime) / float64(wall) * 100
		}
		limit := b.MemoryLimit // the host's memory if the container has no limit
		memPct := 0.0
		if limit > 0 {
			memPct = float64(b.MemoryCurrent) / float64(limit) * 100
		}
		var rx, tx uint64 // every interface's, loopback left out
		for _, n := range cur.Net[c.ID] {
			rx, tx = rx+n.RxBytes, tx+n.TxBytes
		}
		read, write := b.BlockTotals()
		fmt.Fprintf(tw, "%s\t%s\t%.2f%%\t%s / %s\t%.2f%%\t%s / %s\t%s / %s\t%d\n", engine.ShortID(c.ID), c.Name,
			cpu, BinarySize(b.MemoryCurrent), BinarySize(limit), memPct,
			HumanSize(int64(rx)), HumanSize(int64(tx)), HumanSize(int64(read)), HumanSize(int64(write)), b.Pids)
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

// A container's network traffic, as `docker stats` shows it in NET I/O:
// the kernel's counters of each interface in the container's network
// namespace, read from /proc/PID/net/dev of a process inside it.

package network

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Counters are one interface's totals since it was made, in the names
// of Docker's stats API ("networks": {"eth0": {"rx_bytes": …}}).
type Counters struct {
	RxBytes   uint64 `json:"rx_bytes"`
	RxPackets uint64 `json:"rx_packets"`
	RxErrors  uint64 `json:"rx_errors"`
	RxDropped uint64 `json:"rx_dropped"`
	TxBytes   uint64 `json:"tx_bytes"`
	TxPackets uint64 `json:"tx_packets"`
	TxErrors  uint64 `json:"tx_errors"`
	TxDropped uint64 `json:"tx_dropped"`
}

// NamespaceCounters reads the counters of every interface but loopback
// in the network namespace of process pid, as Docker reports only the
// container's endpoints: a container with --network none has none.
func NamespaceCounters(pid int) (map[string]Counters, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseNetDev(f)
}

// parseNetDev reads /proc/net/dev: two header lines, then per interface
// "name: " and 16 numbers, 8 received (bytes packets errs drop fifo frame
// compressed multicast) and 8 sent (bytes packets errs drop fifo colls
// carrier compressed).
func parseNetDev(r io.Reader) (map[string]Counters, error) {
	out := map[string]Counters{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		name = strings.TrimSpace(name)
		if !ok || name == "lo" || strings.Contains(name, "|") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 16 {
			return nil, fmt.Errorf("/proc/net/dev: %s: %d fields, want 16", name, len(f))
		}
		var n [16]uint64
		for i := range n {
			v, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("/proc/net/dev: %s: %v", name, err)
			}
			n[i] = v
		}
		out[name] = Counters{RxBytes: n[0], RxPackets: n[1], RxErrors: n[2], RxDropped: n[3],
			TxBytes: n[8], TxPackets: n[9], TxErrors: n[10], TxDropped: n[11]}
	}
	return out, sc.Err()
}

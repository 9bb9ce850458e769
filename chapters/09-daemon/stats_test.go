// docker stats through the daemon: the NET I/O column is the traffic of
// the container's interfaces (loopback left out, as Docker leaves it),
// read from its network namespace.
package chapter09

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/stretchr/testify/require"
)

func TestStatsCountTraffic(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.NetHost("nameserver 192.0.2.53\n")
	d := e.StartDaemon()

	d.MustDocker("run", "-d", "--name", "quiet", "--network", "none", "busybox", "sleep", "1000")
	defer d.Docker("rm", "-f", "quiet")
	d.MustDocker("run", "-d", "--name", "talker", "busybox", "sleep", "1000")
	defer d.Docker("rm", "-f", "talker")
	gw := strings.TrimSpace(d.MustDocker("inspect", "-f", "{{.NetworkSettings.Gateway}}", "talker"))
	require.NotEmpty(t, gw, "talker's gateway on the default bridge")
	// 20 pings of 1,000 bytes to the host's end of the bridge: over 20 kB
	// each way through eth0.
	if r := d.Docker("exec", "talker", "ping", "-c", "20", "-i", "0.01", "-s", "1000", "-q", gw); r.Code != 0 {
		t.Fatalf("ping %s from talker: %v", gw, r)
	}
	var st struct {
		Networks map[string]struct {
			RxBytes   uint64 `json:"rx_bytes"`
			TxBytes   uint64 `json:"tx_bytes"`
			RxPackets uint64 `json:"rx_packets"`
		}
	}
	resp, err := d.HTTP().Get("http://mydocker/containers/talker/stats?stream=false")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	eth0, ok := st.Networks["eth0"]
	if len(st.Networks) != 1 || !ok || eth0.RxBytes < 20_000 || eth0.TxBytes < 20_000 || eth0.RxPackets < 20 {
		t.Errorf("talker's networks in stats = %+v, want eth0 alone with over 20 kB each way", st.Networks)
	}
	out := d.MustDocker("stats", "--no-stream", "--format", "{{.Name}} {{.NetIO}}", "talker", "quiet")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "talker ") || strings.HasSuffix(lines[0], " 0B / 0B") ||
		!strings.Contains(lines[0], "kB") || lines[1] != "quiet 0B / 0B" {
		t.Errorf("docker stats NET I/O:\n%s\nwant talker's traffic in kB, and none for quiet (--network none)", out)
	}
	// mydocker stats shows the same columns, daemonless and as a client.
	for _, host := range []string{"", d.Host()} {
		e.Host = host
		out := e.MustRun("stats", "--no-stream", "talker")
		if !regexp.MustCompile(`NET I/O +BLOCK I/O +PIDS\n`).MatchString(out) || !regexp.MustCompile(`kB / [0-9.]+kB`).MatchString(out) {
			t.Errorf("mydocker (host %q) stats --no-stream talker:\n%s\nwant NET I/O in kB each way", host, out)
		}
	}
	e.Host = ""
}

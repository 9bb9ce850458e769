// Chapter 07's black-box tests: containers connected as Docker's bridge
// driver connects them, each test inside a throwaway network namespace
// playing the host (harness.NetHost), with traffic only to loopback and to
// the containers the test made. Servers run as foreground `mydocker run`
// processes started in the background (chapter 06's -d does not exist yet).
package chapter07

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// hostResolv is the host's resolv.conf as the tests give it: a resolver on
// loopback (which a container on a bridge cannot reach, so Docker drops
// it), one elsewhere, and a search line.
const hostResolv = "nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch example.test\n"

func setup(t *testing.T) (*harness.Env, *harness.NetHost) {
	e := harness.New(t)
	h := e.NetHost(hostResolv)
	e.Busybox()
	return e, h
}

// server starts `mydocker run --rm ARGS... busybox httpd` serving "hello
// from NAME" on port 80 and returns once it answers at url (from the host).
func server(t *testing.T, e *harness.Env, h *harness.NetHost, name, url string, args ...string) *exec.Cmd {
	t.Helper()
	script := fmt.Sprintf("mkdir /www && echo hello from %s > /www/index.html && exec httpd -f -p 80 -h /www", name)
	full := append(append([]string{"run", "--rm", "--name", name}, args...), "busybox", "sh", "-c", script)
	cmd := e.Cmd(full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { stop(cmd) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := h.Sh("busybox timeout 2 busybox wget -q -O- " + url)
		if err == nil && strings.Contains(out, "hello from "+name) {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("server %s never answered at %s: %s %v; its stderr: %s", name, url, out, err, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends a foreground mydocker run as Ctrl-C would.
func stop(cmd *exec.Cmd) {
	if cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func TestTwoContainersOverTheBridge(t *testing.T) {
	e, h := setup(t)
	server(t, e, h, "web", "http://172.29.0.10/", "--ip", "172.29.0.10")
	out := e.MustRun("run", "--rm", "busybox", "timeout", "5", "wget", "-q", "-O-", "http://172.29.0.10/")
	if out != "hello from web\n" {
		t.Fatalf("wget from a second container = %q, want %q", out, "hello from web\n")
	}
}

func TestFilesAndAddress(t *testing.T) {
	e, _ := setup(t)
	out := e.MustRun("run", "--rm", "-h", "box", "busybox", "sh", "-c",
		"ip -o -4 addr show eth0; ip route; cat /etc/hosts; echo ---; cat /etc/resolv.conf")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`eth0 +inet 172\.29\.0\.\d+/16`),
		regexp.MustCompile(`(?m)^default via 172\.29\.0\.1 dev eth0`),
		regexp.MustCompile(`(?m)^172\.29\.0\.\d+\tbox$`),
		regexp.MustCompile(`(?m)^127\.0\.0\.1\tlocalhost$`),
		regexp.MustCompile(`---\nnameserver 192\.0\.2\.53\nsearch example\.test\n$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("inside the container: output does not match %s:\n%s", want, out)
		}
	}
}

func TestPublishedPort(t *testing.T) {
	e, h := setup(t)
	server(t, e, h, "pub", "http://"+harness.HostAddr+":8080/", "-p", "8080:80", "-p", "127.0.0.1:8081:80")
	for _, url := range []string{"http://127.0.0.1:8080/", "http://127.0.0.1:8081/"} {
		if out, err := h.Sh("busybox timeout 5 busybox wget -q -O- " + url); err != nil || out != "hello from pub\n" {
			t.Errorf("wget %s on the host = %q, %v; want the server's page", url, out, err)
		}
	}
	// Hairpin: another container, through the host's address.
	out := e.MustRun("run", "--rm", "busybox", "timeout", "5", "wget", "-q", "-O-", "http://"+harness.HostAddr+":8080/")
	if out != "hello from pub\n" {
		t.Errorf("wget via the published port from another container = %q, want the page", out)
	}
	// 127.0.0.1:8081 is bound to loopback only: not on the host's address.
	if out, err := h.Sh("busybox timeout 2 busybox wget -q -O- http://" + harness.HostAddr + ":8081/"); err == nil {
		t.Errorf("-p 127.0.0.1:8081:80 answered on %s: %q", harness.HostAddr, out)
	}
	port := e.MustRun("port", "pub")
	want := "80/tcp -> 0.0.0.0:8080\n80/tcp -> 127.0.0.1:8081\n"
	if port != want {
		t.Errorf("mydocker port pub = %q, want %q", port, want)
	}
	if got := e.MustRun("port", "pub", "80"); got != "0.0.0.0:8080\n127.0.0.1:8081\n" {
		t.Errorf("mydocker port pub 80 = %q", got)
	}
}

// TestEphemeralAndUDP: -p 80 picks a free host port; /udp publishes UDP.
func TestEphemeralAndUDP(t *testing.T) {
	e, h := setup(t)
	cmd := e.Cmd("run", "--rm", "--name", "udp", "-p", "80", "-p", "9053:53/udp", "busybox", "sh", "-c", "nc -u -l -p 53 & sleep 1000")
	require.NoError(t, cmd.Start())
	defer stop(cmd)
	var port string
	for i := 0; i < 100; i++ {
		r := e.Run("port", "udp")
		if strings.Contains(r.Stdout, "53/udp -> 0.0.0.0:9053") {
			port = r.Stdout
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !regexp.MustCompile(`^53/udp -> 0\.0\.0\.0:9053\n80/tcp -> 0\.0\.0\.0:\d+\n$`).MatchString(port) {
		t.Fatalf("mydocker port udp = %q, want 80/tcp on a chosen port and 53/udp on 9053", port)
	}
	rules, _ := h.Sh("iptables-save -t nat")
	if !strings.Contains(rules, "-A MYDOCKER -p udp -m udp --dport 9053 -j DNAT --to-destination 172.29.0.") {
		t.Errorf("no UDP DNAT rule for 9053 in:\n%s", rules)
	}
}

func TestUserNetworksIsolated(t *testing.T) {
	e, h := setup(t)
	e.MustRun("network", "create", "--subnet", "10.231.0.0/24", "red")
	e.MustRun("network", "create", "blue")
	defer e.Run("network", "rm", "red", "blue")
	ls := e.MustRun("network", "ls")
	for _, want := range []string{"bridge", "red", "blue", "host", "none", "10.231.0.0/24"} {
		require.Contains(t, ls, want)
	}
	server(t, e, h, "redweb", "http://10.231.0.5/", "--network", "red", "--ip", "10.231.0.5")
	if out := e.MustRun("run", "--rm", "--network", "red", "busybox", "timeout", "5", "wget", "-q", "-O-", "http://10.231.0.5/"); out != "hello from redweb\n" {
		t.Errorf("same network: wget = %q, want the page", out)
	}
	r := e.Run("run", "--rm", "--network", "blue", "busybox", "timeout", "2", "wget", "-q", "-O-", "http://10.231.0.5/")
	if r.Code == 0 {
		t.Errorf("a container on blue reached red's server: %v", r)
	}
	r = e.Run("run", "--rm", "busybox", "timeout", "2", "wget", "-q", "-O-", "http://10.231.0.5/")
	if r.Code == 0 {
		t.Errorf("a container on the default bridge reached red's server: %v", r)
	}
	// In use: refused, in Docker's words.
	r = e.Run("network", "rm", "red")
	if r.Code == 0 || !strings.Contains(r.Stderr, "has active endpoints") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("network rm of a network in use: %v", r)
	}
}

func TestHostAndNone(t *testing.T) {
	e, _ := setup(t)
	none := e.MustRun("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net; cat /etc/hosts | grep -c 172.29 || true")
	if none != "lo\n0\n" {
		t.Errorf("--network none: interfaces and hosts lines = %q, want only lo and no address", none)
	}
	host := e.MustRun("run", "--rm", "--network", "host", "busybox", "ip", "-o", "-4", "addr")
	if !strings.Contains(host, harness.HostAddr) {
		t.Errorf("--network host: addresses = %q, want the host's %s", host, harness.HostAddr)
	}
}

// TestConcurrentAddresses: 50 containers started at once, all alive at the
// same time, get 50 distinct addresses, and every one reaches every other
// one: 2,450 pairs, each container pinging its 49 peers five at a time.
//
// The kernel's ARP table is one table for the whole machine: every network
// namespace's entries count together against
// net.ipv4.neigh.default.gc_thresh3 (1,024, settable only in the host's
// own namespace). All pairs at once need 2,450 entries, 49 in each
// container; past the limit the kernel reclaims only entries unused for
// 5 s, refuses a new one ("neighbor table overflow!", table_fulls in
// /proc/net/stat/arp_cache), and drops the packet that needed it. So each
// container, given NET_ADMIN for this, empties its own neighbour table
// after each five peers, and a ping that fails anyway is tried again a
// second later, up to ten times. The test logs how many first tries
// failed and how often the machine's table was full meanwhile.
func TestConcurrentAddresses(t *testing.T) {
	e, _ := setup(t)
	// In the cgroup v2 VM (-short), 10: the 50 ran natively in the same
	// make test, and under emulation they cost a minute and a half.
	n := 50
	if testing.Short() {
		n = 10
	}
	type box struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *harness.SyncBuffer
	}
	// Each prints its address, then reads the addresses to ping, pings
	// them five at once, each until it answers, and forgets their MACs
	// (ip neigh flush) before the next five; then it stays until every
	// one has pinged.
	script := "ip -o -4 addr show eth0; read ips; set -- $ips; while [ $# -gt 0 ]; do " +
		"for ip in $1 $2 $3 $4 $5; do ( i=1; until ping -c 1 -W 1 $ip > /dev/null 2>&1; do " +
		"[ $i -ge 10 ] && { echo unreachable $ip; exit; }; i=$((i+1)); sleep 1; done; " +
		"[ $i -gt 1 ] && echo tries $i $ip ) & done; wait; " +
		"k=$#; [ $k -gt 5 ] && k=5; shift $k; ip neigh flush dev eth0; done; echo pinged; read x || true"
	boxes := make([]*box, n)
	for i := range boxes {
		b := &box{out: &harness.SyncBuffer{}}
		b.cmd = e.Cmd("run", "--rm", "-i", "--cap-add", "NET_ADMIN", "busybox", "sh", "-c", script)
		b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
		in, err := b.cmd.StdinPipe()
		require.NoError(t, err)
		b.in = in
		require.NoError(t, b.cmd.Start())
		boxes[i] = b
	}
	addr := regexp.MustCompile(`inet (172\.29\.0\.\d+)/16`)
	seen := map[string]int{}
	var all []string
	deadline := time.Now().Add(180 * time.Second)
	for i, b := range boxes {
		for !addr.MatchString(b.out.String()) {
			if time.Now().After(deadline) {
				t.Fatalf("container %d printed no address: %q", i, b.out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		ip := addr.FindStringSubmatch(b.out.String())[1]
		if j, dup := seen[ip]; dup {
			t.Errorf("containers %d and %d both got %s", j, i, ip)
		}
		seen[ip] = i
		all = append(all, ip)
	}
	fulls := arpTableFulls()
	for i, b := range boxes {
		var peers []string
		for j, ip := range all {
			if j != i {
				peers = append(peers, ip)
			}
		}
		fmt.Fprintln(b.in, strings.Join(peers, " "))
	}
	retried, tries := 0, 0
	for i, b := range boxes {
		for !strings.Contains(b.out.String(), "pinged\n") {
			if time.Now().After(deadline) {
				t.Fatalf("container %d never finished pinging: %q", i, b.out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		out := b.out.String()
		if strings.Contains(out, "unreachable") {
			t.Errorf("container %d did not reach every other one:\n%s", i, out)
		}
		for _, m := range regexp.MustCompile(`(?m)^tries (\d+) `).FindAllStringSubmatch(out, -1) {
			k, _ := strconv.Atoi(m[1])
			retried, tries = retried+1, tries+k
		}
	}
	t.Logf("%d of %d pairs needed more than one ping (%d pings for those); the machine's ARP table was full %d times meanwhile",
		retried, n*(n-1), tries, arpTableFulls()-fulls)
	for _, b := range boxes {
		b.in.Close()
	}
	for i, b := range boxes {
		if err := b.cmd.Wait(); err != nil {
			t.Errorf("container %d: %v: %s", i, err, b.out.String())
		}
	}
}

// arpTableFulls is how many times the kernel found its ARP table full
// and refused a new entry: the table_fulls column of
// /proc/net/stat/arp_cache, one line per CPU, in hex, for the whole machine.
func arpTableFulls() int64 {
	data, err := os.ReadFile("/proc/net/stat/arp_cache")
	if err != nil {
		return 0
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	col := -1
	for i, name := range strings.Fields(lines[0]) {
		if name == "table_fulls" {
			col = i
		}
	}
	var sum int64
	for _, line := range lines[1:] {
		if f := strings.Fields(line); col >= 0 && col < len(f) {
			v, _ := strconv.ParseInt(f[col], 16, 64)
			sum += v
		}
	}
	return sum
}

// TestKill9Reclaimed: a mydocker run killed with SIGKILL leaves its
// address, port and rule; rm releases them, and they can be used again.
func TestKill9Reclaimed(t *testing.T) {
	e, h := setup(t)
	e.Daemonless("it kills the mydocker run that holds the container's address: through a daemon, the client's end leaves the container running, as docker's does")
	cmd := server(t, e, h, "victim", "http://"+harness.HostAddr+":8090/", "--ip", "172.29.0.20", "-p", "8090:80")
	cmd.Process.Kill()
	cmd.Wait()
	e.MustRun("rm", "victim")
	if rules, _ := h.Sh("iptables-save -t nat"); strings.Contains(rules, "--dport 8090") {
		t.Fatalf("the DNAT of a killed container survived rm:\n%s", rules)
	}
	server(t, e, h, "again", "http://"+harness.HostAddr+":8090/", "--ip", "172.29.0.20", "-p", "8090:80")
}

// TestBadInput: each mistake is one line, exit 125 for run (Docker's),
// 1 for network commands (docker's CLI), and nothing is left (the
// NetHost and Env leak checks).
func TestBadInput(t *testing.T) {
	e, h := setup(t)
	server(t, e, h, "holder", "http://"+harness.HostAddr+":8070/", "--ip", "172.29.0.30", "-p", "8070:80")
	e.MustRun("network", "create", "--subnet", "10.232.0.0/16", "green")
	defer e.Run("network", "rm", "green")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--rm", "--network", "nosuch", "busybox", "true"}, 125, "network not found: nosuch"},
		{[]string{"run", "--rm", "-p", "8070:80", "busybox", "true"}, 125, "port is already allocated"},
		{[]string{"run", "--rm", "--ip", "172.29.0.30", "busybox", "true"}, 125, "already in use"},
		{[]string{"run", "--rm", "--ip", "10.0.0.1", "busybox", "true"}, 125, "not in the network's subnet"},
		{[]string{"run", "--rm", "-p", "80:80:80:80", "busybox", "true"}, 125, "invalid -p"},
		{[]string{"run", "--rm", "-p", "99999:80", "busybox", "true"}, 125, "invalid -p"},
		{[]string{"run", "--rm", "-p", "80/sctp", "busybox", "true"}, 125, "protocol must be tcp or udp"},
		{[]string{"network", "create", "--subnet", "10.232.128.0/17", "overlap"}, 1, "overlaps network green"},
		{[]string{"network", "create", "--subnet", "192.0.2.0/25", "overlap"}, 1, "overlaps the host's route"},
		{[]string{"network", "create", "green"}, 1, "already exists"},
		{[]string{"network", "rm", "bridge"}, 1, "pre-defined network"},
	} {
		r := e.Run(c.args...)
		if r.Code != c.code || !strings.Contains(r.Stderr, c.want) || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("%v\nwant exit %d and one line with %q", r, c.code, c.want)
		}
	}
	// A port a host program holds is refused too.
	listener := exec.Command("nsenter", "--net="+h.NetnsPath(), "--", "busybox", "nc", "-l", "-p", "8071")
	require.NoError(t, listener.Start())
	defer func() { listener.Process.Kill(); listener.Wait() }()
	time.Sleep(200 * time.Millisecond)
	r := e.Run("run", "--rm", "-p", "8071:80", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "8071 failed: port is already allocated") {
		t.Errorf("a port a host program listens on: %v", r)
	}
}

// TestDetachedServer: a server started with -d is attached by its monitor
// (chapter 06), answers on its published port, keeps its port across a
// stop and a start, and releases address, port and rules when removed.
func TestDetachedServer(t *testing.T) {
	e, h := setup(t)
	script := "mkdir -p /www && echo hello from detached > /www/index.html && exec httpd -f -p 80 -h /www"
	e.MustRun("run", "-d", "--name", "web", "-p", "8090:80", "busybox", "sh", "-c", script)
	get := func() (string, error) {
		var out string
		var err error
		for i := 0; i < 100; i++ {
			if out, err = h.Sh("busybox timeout 2 busybox wget -q -O- http://" + harness.HostAddr + ":8090/"); err == nil {
				return out, nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		return out, err
	}
	if out, err := get(); err != nil || out != "hello from detached\n" {
		t.Fatalf("the detached server on its published port: %q, %v", out, err)
	}
	if got := e.MustRun("port", "web"); got != "80/tcp -> 0.0.0.0:8090\n" {
		t.Errorf("mydocker port web = %q", got)
	}
	e.MustRun("stop", "-t", "1", "web")
	if rules, _ := h.Sh("iptables-save -t nat"); strings.Contains(rules, "--dport 8090") {
		t.Errorf("a stopped container still holds its port's DNAT rule:\n%s", rules)
	}
	e.MustRun("start", "web")
	if out, err := get(); err != nil || out != "hello from detached\n" {
		t.Fatalf("after stop and start: %q, %v", out, err)
	}
	e.MustRun("rm", "-f", "web")
	if rules, _ := h.Sh("iptables-save -t nat"); strings.Contains(rules, "--dport 8090") {
		t.Errorf("rm -f left the port's DNAT rule:\n%s", rules)
	}
}

// A running container's networks changed from outside: network connect
// and disconnect (an eth1 that comes and goes), and --network
// container:NAME (a second container in the first one's namespace).
package chapter07

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// waitFor waits until out holds want.
func waitFor(t *testing.T, out *harness.SyncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("never printed %q; output so far:\n%s", want, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestConnectDisconnect(t *testing.T) {
	e, h := setup(t)
	e.MustRun("network", "create", "--subnet", "10.234.0.0/24", "red")
	e.MustRun("network", "create", "--subnet", "10.235.0.0/24", "blue")
	defer e.Run("network", "rm", "red", "blue")
	server(t, e, h, "redweb", "http://10.234.0.5/", "--network", "red", "--ip", "10.234.0.5")

	// box starts on the default bridge and reports what it sees.
	script := "until ip -o -4 addr show eth1 2>/dev/null | grep -q 10.234; do sleep 0.1; done; " +
		"ip -o -4 addr show eth1 | awk '{print \"eth1\", $4}'; wget -q -O- http://10.234.0.5/; " +
		"while ip link show eth1 > /dev/null 2>&1; do sleep 0.1; done; echo eth1 gone; " +
		"until ip -o -4 addr show eth1 2>/dev/null | grep -q 10.234; do sleep 0.1; done; " +
		"ip -o -4 addr show eth1 | awk '{print \"back\", $4}'; exec sleep 1000"
	out := &harness.SyncBuffer{}
	cmd := e.Cmd("run", "--rm", "--name", "box", "busybox", "sh", "-c", script)
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	defer stop(cmd)

	// Connect as soon as box runs (before, it is created on the default
	// bridge, and a stopped container joins one network only).
	var r = e.Run("network", "connect", "red", "box")
	for deadline := time.Now().Add(20 * time.Second); r.Code != 0 && time.Now().Before(deadline); r = e.Run("network", "connect", "red", "box") {
		time.Sleep(100 * time.Millisecond)
	}
	if r.Code != 0 || r.Stdout != "" {
		t.Fatalf("network connect red box = %v, want silence and 0", r)
	}
	waitFor(t, out, "hello from redweb")
	if !strings.Contains(out.String(), "eth1 10.234.0.2/24\n") {
		t.Errorf("box's eth1 after connect: %q, want 10.234.0.2/24", out.String())
	}
	// inspect shows both networks, as docker inspect's
	// NetworkSettings.Networks does.
	nets := func() string {
		return e.MustRun("inspect", "-f", "{{range $name, $ep := .NetworkSettings.Networks}}{{$name}}={{$ep.IPAddress}}/{{$ep.IPPrefixLen}} {{end}}", "box")
	}
	if got := nets(); !regexp.MustCompile(`^bridge=172\.29\.0\.\d+/16 red=10\.234\.0\.2/24 \n$`).MatchString(got) {
		t.Errorf("inspect's networks after connect = %q, want bridge and red", got)
	}

	// Docker's refusals, exit 1, one line each.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"network", "connect", "red", "box"}, "endpoint with name box already exists in network red"},
		{[]string{"network", "connect", "nope", "box"}, "network nope not found"},
		{[]string{"network", "disconnect", "blue", "box"}, "container box is not connected to network blue"},
		{[]string{"network", "connect", "red", "ghost"}, "no such container: ghost"},
	} {
		r := e.Run(tc.args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("mydocker %s = %v, want exit 1 and %q", strings.Join(tc.args, " "), r, tc.want)
		}
	}

	e.MustRun("network", "disconnect", "red", "box")
	waitFor(t, out, "eth1 gone")
	if got := nets(); !regexp.MustCompile(`^bridge=172\.29\.0\.\d+/16 \n$`).MatchString(got) {
		t.Errorf("inspect's networks after disconnect = %q, want bridge alone", got)
	}
	// Its address was released: connecting again gets the same one.
	e.MustRun("network", "connect", "red", "box")
	waitFor(t, out, "back 10.234.0.2/24\n")
	// The end releases it too: the leak check after the test looks.
}

// TestConnectIP: network connect --ip gives a running container the
// address asked for, refused as Docker refuses it (a subnet mydocker
// picked, an address outside the subnet, one in use) with nothing left
// behind, and released by disconnect and by rm.
func TestConnectIP(t *testing.T) {
	e, h := setup(t)
	e.MustRun("network", "create", "--subnet", "10.234.0.0/24", "red")
	e.MustRun("network", "create", "blue")
	defer e.Run("network", "rm", "red", "blue")
	server(t, e, h, "redweb", "http://10.234.0.5/", "--network", "red", "--ip", "10.234.0.5")
	for _, name := range []string{"box", "box2"} {
		e.MustRun("run", "-d", "--name", name, "busybox", "sleep", "1000")
	}
	defer e.Run("rm", "-f", "box", "box2")
	eth1 := func(name string) string {
		r := e.Run("exec", name, "sh", "-c", "ip -o -4 addr show eth1 | awk '{print $4}'")
		return r.Stdout + r.Stderr
	}

	if out := e.MustRun("network", "connect", "--ip", "10.234.0.77", "red", "box"); out != "" {
		t.Errorf("network connect --ip said %q, want nothing", out)
	}
	if got := eth1("box"); got != "10.234.0.77/24\n" {
		t.Errorf("box's eth1 after connect --ip 10.234.0.77: %q", got)
	}
	if out := e.MustRun("exec", "box", "wget", "-q", "-O-", "http://10.234.0.5/"); out != "hello from redweb\n" {
		t.Errorf("redweb from box over eth1: %q", out)
	}

	// Docker's refusals, exit 1, one line each; box2 gets no eth1.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"network", "connect", "--ip", "10.234.0.77", "red", "box2"}, "Address already in use"},
		{[]string{"network", "connect", "--ip", "10.234.0.5", "red", "box2"}, "Address already in use"},
		{[]string{"network", "connect", "--ip", "10.234.0.1", "red", "box2"}, "Address already in use"}, // the gateway
		{[]string{"network", "connect", "--ip", "10.0.0.9", "red", "box2"}, "not in the network's subnet 10.234.0.0/24"},
		{[]string{"network", "connect", "--ip", "10.234.0.300", "red", "box2"}, "not an IPv4 address"},
		{[]string{"network", "connect", "--ip", "10.1.2.3", "blue", "box2"}, "user specified IP address is supported only when connecting to networks with user configured subnets"},
	} {
		r := e.Run(tc.args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("mydocker %s = %v, want exit 1 and %q", strings.Join(tc.args, " "), r, tc.want)
		}
	}
	if got := eth1("box2"); !strings.Contains(got, "does not exist") && !strings.Contains(got, "an't find device") {
		t.Errorf("box2's eth1 after refused connects: %q, want none", got)
	}

	// disconnect releases the address: box2 may have it now.
	e.MustRun("network", "disconnect", "red", "box")
	e.MustRun("network", "connect", "--ip", "10.234.0.77", "red", "box2")
	if got := eth1("box2"); got != "10.234.0.77/24\n" {
		t.Errorf("box2's eth1 after box's disconnect and connect --ip 10.234.0.77: %q", got)
	}
	// rm releases it too.
	e.MustRun("rm", "-f", "box2")
	if out := e.MustRun("run", "--rm", "--network", "red", "--ip", "10.234.0.77", "busybox", "sh", "-c",
		"ip -o -4 addr show eth0 | awk '{print $4}'"); out != "10.234.0.77/24\n" {
		t.Errorf("run --ip 10.234.0.77 after rm -f of its holder: %q", out)
	}
	// run --ip follows the same rule as connect --ip.
	if r := e.Run("run", "--rm", "--network", "blue", "--ip", "10.1.2.3", "busybox", "true"); r.Code != 125 || !strings.Contains(r.Stderr, "user configured subnets") {
		t.Errorf("run --network blue --ip = %v, want 125 and Docker's refusal", r)
	}
}

// TestConnectStopped: connect and disconnect of a container that is not
// running change its record, and its next start carries them out, as in
// Docker (docker-compose disconnects and reconnects every container it
// creates, to give it its aliases); Docker's refusals, exit 1.
func TestConnectStopped(t *testing.T) {
	e, _ := setup(t)
	e.MustRun("network", "create", "--subnet", "10.236.0.0/24", "green")
	e.MustRun("network", "create", "blue")
	defer e.Run("network", "rm", "green", "blue")
	e.MustRun("create", "--name", "box", "--network", "none", "busybox", "sleep", "1000")
	e.MustRun("create", "--name", "box2", "--network", "green", "busybox", "sleep", "1000")
	defer e.Run("rm", "-f", "box", "box2")
	mode := func(name string) string {
		return strings.TrimSpace(e.MustRun("inspect", "-f", "{{.HostConfig.NetworkMode}}", name))
	}
	refusals := func(when string, cases [][]string) {
		t.Helper()
		for _, tc := range cases {
			args, want := tc[:len(tc)-1], tc[len(tc)-1]
			r := e.Run(args...)
			if r.Code != 1 || !strings.Contains(r.Stderr, want) || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("%s: mydocker %s = %v, want exit 1 and %q", when, strings.Join(args, " "), r, want)
			}
		}
	}

	refusals("box on none", [][]string{
		{"network", "disconnect", "green", "box", "container box is not connected to network green"},
		{"network", "connect", "--ip", "10.0.0.9", "green", "box", "not in the network's subnet 10.236.0.0/24"},
		{"network", "connect", "--ip", "10.1.2.3", "blue", "box", "user specified IP address is supported only when connecting to networks with user configured subnets"},
	})
	if out := e.MustRun("network", "connect", "--alias", "web", "--ip", "10.236.0.9", "green", "box"); out != "" {
		t.Errorf("network connect of created box said %q, want nothing", out)
	}
	if got := mode("box"); got != "green" {
		t.Errorf("box's NetworkMode after connect = %q, want green", got)
	}
	refusals("box to join green", [][]string{
		{"network", "connect", "green", "box", "endpoint with name box already exists in network green"},
		{"network", "connect", "blue", "box", "is not running and has its network (green)"},
		{"network", "disconnect", "blue", "box", "container box is not connected to network blue"},
	})

	// box2 was created on green: disconnected, it starts with lo alone.
	e.MustRun("network", "disconnect", "green", "box2")
	if got := mode("box2"); got != "none" {
		t.Errorf("box2's NetworkMode after disconnect = %q, want none", got)
	}
	e.MustRun("start", "box2")
	if out := e.MustRun("exec", "box2", "sh", "-c", "ls /sys/class/net"); out != "lo\n" {
		t.Errorf("box2's interfaces after disconnect and start = %q, want lo alone", out)
	}

	// box starts with what connect asked: green, its address, its alias.
	e.MustRun("start", "box")
	if out := e.MustRun("exec", "box", "sh", "-c", "ip -o -4 addr show eth0 | awk '{print $4}'"); out != "10.236.0.9/24\n" {
		t.Errorf("box's eth0 after connect --ip 10.236.0.9 and start = %q", out)
	}
	out := e.MustRun("run", "--rm", "--network", "green", "busybox", "nslookup", "web")
	if !regexp.MustCompile(`(?s)Name:\s+web(\.\S+)?\s+Address:\s+10\.236\.0\.9\n`).MatchString(out) {
		t.Errorf("nslookup web on green = %q, want box's 10.236.0.9", out)
	}
	// Running now, it is connected at once, and refused as before.
	refusals("box running", [][]string{
		{"network", "connect", "green", "box", "endpoint with name box already exists in network green"},
		{"network", "disconnect", "blue", "box", "container box is not connected to network blue"},
	})
}

func TestNetworkContainerMode(t *testing.T) {
	e, h := setup(t)
	server(t, e, h, "web", "http://172.29.0.10/", "--ip", "172.29.0.10")
	out := e.MustRun("run", "--rm", "--network", "container:web", "busybox", "sh", "-c",
		"ip -o -4 addr show eth0 | awk '{print $4}'; wget -q -O- http://127.0.0.1/")
	if out != "172.29.0.10/16\nhello from web\n" {
		t.Errorf("--network container:web: address and localhost page = %q, want web's", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--rm", "--network", "container:ghost", "busybox", "true"}, "no such container: ghost"},
		{[]string{"run", "--rm", "--network", "container:web", "-p", "8080:80", "busybox", "true"}, "conflicting options: port publishing and the container type network mode"},
	} {
		r := e.Run(tc.args...)
		if r.Code != 125 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("mydocker %s = %v, want 125 and %q", strings.Join(tc.args, " "), r, tc.want)
		}
	}
}

// Docker behaviour: a running container can be connected to the default
// bridge too, as to any bridge network; host and none take no second
// container network and refuse, in one line.
func TestConnectDefaultBridge(t *testing.T) {
	e, _ := setup(t)
	e.MustRun("network", "create", "green")
	defer e.Run("network", "rm", "green")
	e.MustRun("run", "-d", "--name", "box", "--network", "green", "busybox", "sleep", "1000")
	defer e.Run("rm", "-f", "box")
	e.MustRun("network", "connect", "bridge", "box")
	if out := e.MustRun("exec", "box", "ip", "-4", "-o", "addr", "show", "eth1"); !strings.Contains(out, " 172.29.") {
		t.Errorf("after network connect bridge box, eth1: %q, want an address of the default bridge", out)
	}
	e.MustRun("network", "disconnect", "bridge", "box")
	if r := e.Run("exec", "box", "ip", "link", "show", "eth1"); r.Code == 0 {
		t.Errorf("after network disconnect bridge box, eth1 is still there: %v", r)
	}
	for _, net := range []string{"host", "none"} {
		if r := e.Run("network", "connect", net, "box"); r.Code != 1 || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("network connect %s box: %v, want exit 1 and one line", net, r)
		}
	}
}

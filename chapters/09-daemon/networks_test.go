// The networks endpoints through the docker client, inside the network
// namespace that plays the host (harness.NetHost): create with Docker's
// IPAM body, ls with filters, inspect, connect and disconnect a running
// container, rm, prune, and Docker's refusals.
package chapter09

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestNetworks(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.NetHost("nameserver 192.0.2.53\n")
	d := e.StartDaemon()

	id := strings.TrimSpace(d.MustDocker("network", "create", "--subnet", "10.236.0.0/24", "--gateway", "10.236.0.254", "red"))
	if len(id) != 64 {
		t.Errorf("docker network create said %q, want the network's ID", id)
	}
	d.MustDocker("network", "create", "blue")
	defer e.Run("network", "rm", "red", "blue")
	out := d.MustDocker("network", "ls")
	contains(t, "docker network ls", out, "NETWORK ID", id[:12]+"   red ", " blue ", " bridge ", " host ", " none ")
	if out := d.MustDocker("network", "ls", "-q", "--filter", "name=re", "--no-trunc"); out != id+"\n" {
		t.Errorf("docker network ls -q --filter name=re = %q, want red's ID", out)
	}
	if out := d.MustDocker("network", "ls", "--filter", "type=custom", "--format", "{{.Name}}"); out != "blue\nred\n" {
		t.Errorf("docker network ls --filter type=custom = %q, want blue and red, sorted by name", out)
	}

	// A running container (run without the daemon, same data root) is
	// connected, shows in inspect, gets eth1, and is disconnected.
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	defer e.Run("rm", "-f", "box")
	d.MustDocker("network", "connect", "--alias", "crate", "red", "box")
	var nets []struct {
		Name string
		IPAM struct {
			Config []struct{ Subnet, Gateway string }
		}
		Containers map[string]struct{ Name, IPv4Address string }
	}
	require.NoError(t, json.Unmarshal([]byte(d.MustDocker("network", "inspect", "red")), &nets))
	if len(nets) != 1 || len(nets[0].IPAM.Config) != 1 || nets[0].IPAM.Config[0].Subnet != "10.236.0.0/24" ||
		nets[0].IPAM.Config[0].Gateway != "10.236.0.254" || len(nets[0].Containers) != 1 {
		t.Fatalf("docker network inspect red = %+v", nets)
	}
	for _, c := range nets[0].Containers {
		if c.Name != "box" || !strings.HasPrefix(c.IPv4Address, "10.236.0.") || !strings.HasSuffix(c.IPv4Address, "/24") {
			t.Errorf("red's container = %+v, want box with an address of 10.236.0.0/24", c)
		}
	}
	if out := e.MustRun("exec", "box", "ip", "-o", "-4", "addr", "show", "eth1"); !strings.Contains(out, "10.236.0.") {
		t.Errorf("box's eth1 after docker network connect: %q", out)
	}
	r := d.Docker("network", "rm", "red")
	if r.Code != 1 || !strings.Contains(r.Stderr, "active endpoints") {
		t.Errorf("docker network rm of a network in use: %v, want exit 1 and active endpoints", r)
	}
	if out := d.MustDocker("network", "prune", "-f"); !strings.Contains(out, "blue") || strings.Contains(out, "red") {
		t.Errorf("docker network prune -f said %q, want blue removed and red kept", out)
	}
	d.MustDocker("network", "disconnect", "red", "box")
	eventually(t, "box has no eth1 after docker network disconnect", func() bool {
		return e.Run("exec", "box", "ip", "link", "show", "eth1").Code != 0
	})
	if out := d.MustDocker("network", "rm", "red"); out != "red\n" {
		t.Errorf("docker network rm red said %q", out)
	}

	// Docker's refusals, each one line from the daemon.
	d.MustDocker("network", "create", "green")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"network", "create", "green"}, "network with name green already exists"},
		{[]string{"network", "create", "-d", "overlay", "x"}, `plugin "overlay" not found`},
		{[]string{"network", "create", "--subnet", "10.999.0.0/24", "x"}, "10.999.0.0/24"},
		{[]string{"network", "create", "--ipv6", "x"}, "IPv6"},
		{[]string{"network", "rm", "bridge"}, "bridge is a pre-defined network and cannot be removed"},
		{[]string{"network", "rm", "nothing"}, "No such network: nothing"},
		{[]string{"network", "inspect", "nothing"}, "No such network: nothing"},
		{[]string{"network", "connect", "green", "nobody"}, "No such container: nobody"},
		{[]string{"network", "disconnect", "green", "box"}, "is not connected to network green"},
	} {
		r := d.Docker(tc.args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("docker %v: %v, want exit 1 and %q", tc.args, r, tc.want)
		}
	}
	d.MustDocker("network", "rm", "green")
	if out := d.MustDocker("network", "ls", "-q", "--filter", "type=custom"); out != "" {
		t.Errorf("docker network ls --filter type=custom at the end = %q, want nothing", out)
	}
}

// TestNetworkConnectIP: docker network connect --ip, the
// EndpointConfig.IPAMConfig.IPv4Address of the request, gives a running
// container that address at once and a stopped one at its start; Docker's
// refusals come with Docker's statuses.
func TestNetworkConnectIP(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.NetHost("nameserver 192.0.2.53\n")
	d := e.StartDaemon()
	d.MustDocker("network", "create", "--subnet", "10.238.0.0/24", "red")
	d.MustDocker("network", "create", "blue")
	defer e.Run("network", "rm", "red", "blue")
	for _, name := range []string{"box", "box2"} {
		e.MustRun("run", "-d", "--name", name, "busybox", "sleep", "1000")
	}
	defer e.Run("rm", "-f", "box", "box2", "idle", "idle2")

	d.MustDocker("network", "connect", "--ip", "10.238.0.9", "red", "box")
	if out := e.MustRun("exec", "box", "ip", "-o", "-4", "addr", "show", "eth1"); !strings.Contains(out, " 10.238.0.9/24 ") {
		t.Errorf("box's eth1 after docker network connect --ip 10.238.0.9: %q", out)
	}
	if out := d.MustDocker("inspect", "-f", "{{.NetworkSettings.Networks.red.IPAddress}}", "box"); out != "10.238.0.9\n" {
		t.Errorf("docker inspect box: red's address %q, want 10.238.0.9", out)
	}

	// Refused, in Docker's words and with its statuses (docker exits 1).
	connect := func(ctr, ip string) string {
		return `{"Container": "` + ctr + `", "EndpointConfig": {"IPAMConfig": {"IPv4Address": "` + ip + `"}}}`
	}
	for _, tt := range []struct {
		net, body string
		status    int
		want      string
	}{
		{"red", connect("box2", "10.238.0.9"), 403, "Address already in use"},
		{"red", connect("box2", "10.0.0.9"), 400, "not in the network's subnet 10.238.0.0/24"},
		{"red", connect("box2", "10.238.0.999"), 400, "not an IPv4 address"},
		{"blue", connect("box2", "10.1.2.3"), 400, "user specified IP address is supported only when connecting to networks with user configured subnets"},
	} {
		status, body := apiRequest(t, d, "POST", "/networks/"+tt.net+"/connect", strings.NewReader(tt.body))
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("POST /networks/%s/connect %s: %d %s\nwant %d and %q", tt.net, tt.body, status, body, tt.status, tt.want)
		}
	}
	if r := d.Docker("network", "connect", "--ip", "10.238.0.9", "red", "box2"); r.Code != 1 || r.Stderr != "Error response from daemon: Address already in use: --ip 10.238.0.9 is another container's\n" {
		t.Errorf("docker network connect --ip of a taken address: %v", r)
	}
	if r := e.Run("exec", "box2", "ip", "link", "show", "eth1"); r.Code == 0 {
		t.Errorf("box2 has an eth1 after refused connects: %v", r)
	}
	// disconnect releases the address.
	d.MustDocker("network", "disconnect", "red", "box")
	d.MustDocker("network", "connect", "--ip", "10.238.0.9", "red", "box2")

	// A stopped container is checked now and gets the address at its
	// start; a disconnect takes its --ip away with the network.
	d.MustDocker("create", "--name", "idle", "--network", "none", "busybox", "ip", "-o", "-4", "addr", "show")
	d.MustDocker("network", "connect", "--ip", "10.238.0.20", "red", "idle")
	if out := d.MustDocker("start", "-a", "idle"); !strings.Contains(out, "eth0    inet 10.238.0.20/24 ") {
		t.Errorf("docker start -a of a container connected with --ip 10.238.0.20: %q", out)
	}
	d.MustDocker("network", "disconnect", "red", "idle")
	if out := d.MustDocker("start", "-a", "idle"); strings.Contains(out, "eth0") {
		t.Errorf("docker start -a after disconnect: %q, want lo alone", out)
	}
	d.MustDocker("create", "--name", "idle2", "--network", "none", "busybox", "true")
	for _, tt := range []struct{ args, want string }{
		{"--ip 10.1.2.3 blue idle2", "user configured subnets"},
		{"--ip 10.0.0.9 red idle2", "not in the network's subnet"},
	} {
		if r := d.Docker(append([]string{"network", "connect"}, strings.Fields(tt.args)...)...); r.Code != 1 || !strings.Contains(r.Stderr, tt.want) {
			t.Errorf("docker network connect %s (stopped): %v, want exit 1 and %q", tt.args, r, tt.want)
		}
	}
	// Taken by a running container: the start says so, as Docker's does.
	d.MustDocker("network", "connect", "--ip", "10.238.0.9", "red", "idle2")
	if r := d.Docker("start", "idle2"); r.Code != 1 || !strings.Contains(r.Stderr, "Address already in use") {
		t.Errorf("docker start of a container whose --ip is taken: %v", r)
	}

	// A container ID prefix that names several is Docker's 400, not a 500.
	ids := map[byte]string{}
	var prefix string
	for i := 0; prefix == ""; i++ {
		id := strings.TrimSpace(e.MustRun("create", "--name", fmt.Sprintf("amb%d", i), "busybox", "true"))
		defer e.Run("rm", "-f", id)
		if ids[id[0]] != "" {
			prefix = id[:1]
		}
		ids[id[0]] = id
	}
	for _, op := range []string{"connect", "disconnect"} {
		status, body := apiRequest(t, d, "POST", "/networks/red/"+op, strings.NewReader(`{"Container": "`+prefix+`"}`))
		if status != 400 || !strings.Contains(body, "ambiguous") {
			t.Errorf("POST /networks/red/%s of an ambiguous prefix: %d %s, want 400", op, status, body)
		}
	}
}

// TestNetworkConnectStatuses: the engine's refusals of network connect
// and disconnect (engine.ConnectNetwork, chapter 07) reach the client
// with dockerd's statuses: 403 for an endpoint that exists or one that
// does not, 400 for what mydocker cannot connect; running or not.
func TestNetworkConnectStatuses(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.NetHost("nameserver 192.0.2.53\n")
	d := e.StartDaemon()
	d.MustDocker("network", "create", "--subnet", "10.239.0.0/24", "red")
	d.MustDocker("network", "create", "blue")
	defer e.Run("network", "rm", "red", "blue")
	d.MustDocker("create", "--name", "idle", "--network", "red", "busybox", "sleep", "1000")
	d.MustDocker("run", "-d", "--name", "busy", "--network", "red", "busybox", "sleep", "1000")
	defer e.Run("rm", "-f", "idle", "busy")
	for _, tt := range []struct {
		op, net, ctr string
		status       int
		want         string
	}{
		{"connect", "red", "idle", 403, "endpoint with name idle already exists in network red"},
		{"connect", "red", "busy", 403, "endpoint with name busy already exists in network red"},
		{"connect", "blue", "idle", 400, "is not running and has its network (red)"},
		{"connect", "none", "busy", 400, "container cannot be connected to network none"},
		{"connect", "host", "idle", 400, "container cannot be connected to network host"},
		{"disconnect", "blue", "idle", 403, "container idle is not connected to network blue"},
		{"disconnect", "blue", "busy", 403, "container busy is not connected to network blue"},
	} {
		status, body := apiRequest(t, d, "POST", "/networks/"+tt.net+"/"+tt.op, strings.NewReader(`{"Container": "`+tt.ctr+`"}`))
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("POST /networks/%s/%s of %s: %d %s\nwant %d and %q", tt.net, tt.op, tt.ctr, status, body, tt.status, tt.want)
		}
	}
}

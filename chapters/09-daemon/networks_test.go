// The networks endpoints through the docker client, inside the network
// namespace that plays the host (harness.NetHost): create with Docker's
// IPAM body, ls with filters, inspect, connect and disconnect a running
// container, rm, prune, and Docker's refusals.
package chapter09

import (
	"encoding/json"
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

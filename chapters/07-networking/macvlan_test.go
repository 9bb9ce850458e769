// A macvlan network on a parent interface the test makes in the fake host
// (one end of a veth pair: this kernel has no dummy driver): containers get their own MAC on it and reach each other.
package chapter07

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMacvlan(t *testing.T) {
	e, h := setup(t)
	_, err := h.Sh(harness.VethPair("mydmv0", "mydmv1") + " && ip link set mydmv1 up && ip link set mydmv0 up")
	require.NoError(t, err)
	defer h.Sh("ip link del mydmv0")
	// (nsenter --net keeps the host's /sys: ask ip, not /sys/class/net.)
	link, err := h.Sh("ip -o link show mydmv0")
	require.NoError(t, err)
	parentMAC := regexp.MustCompile(`link/ether ([0-9a-f:]{17})`).FindStringSubmatch(link)[1]

	e.MustRun("network", "create", "-d", "macvlan", "-o", "parent=mydmv0", "--subnet", "10.236.0.0/24", "mv")
	defer e.Run("network", "rm", "mv")
	if ls := e.MustRun("network", "ls"); !strings.Contains(ls, "mv ") || !strings.Contains(ls, "macvlan") {
		t.Errorf("network ls does not list mv as macvlan:\n%s", ls)
	}

	// The host cannot reach a macvlan of its own parent: the server
	// prints its MAC, and a second container fetches its page.
	out := &harness.SyncBuffer{}
	srv := e.Cmd("run", "--rm", "--name", "mvweb", "--network", "mv", "--ip", "10.236.0.5", "busybox", "sh", "-c",
		"mkdir /www && echo hello from mvweb > /www/index.html && cat /sys/class/net/eth0/address && exec httpd -f -p 80 -h /www")
	srv.Stdout, srv.Stderr = out, out
	require.NoError(t, srv.Start())
	defer stop(srv)
	waitFor(t, out, ":")

	got := e.MustRun("run", "--rm", "--network", "mv", "busybox", "sh", "-c",
		"cat /sys/class/net/eth0/address; "+
			"for i in $(seq 100); do wget -q -O- http://10.236.0.5/ && break; sleep 0.1; done")
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 2 || lines[1] != "hello from mvweb" {
		t.Fatalf("a second container on mv: %q, want its MAC and the server's page", got)
	}
	macs := map[string]bool{parentMAC: true, lines[0]: true, strings.TrimSpace(out.String()[:17]): true}
	if len(macs) != 3 {
		t.Errorf("parent %s, client %s and server %q: want three different MACs", parentMAC, lines[0], out.String())
	}
	// No veth on the host: the leak check after the test looks for any.
	// (A veth shows as NAME@PEER; busybox's ip, in the VM, has no "type".)
	if links, _ := h.Sh("ip -o link show | grep @"); strings.Count(links, "\n") != 4 {
		t.Errorf("veths on the host with two macvlan containers (want mydhost0/1 and mydmv0/1 only):\n%s", links)
	}
	r := e.Run("run", "--rm", "--network", "mv", "-p", "80:80", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "-p is not for a macvlan network") {
		t.Errorf("-p on macvlan = %v, want 125 and a refusal", r)
	}
	r = e.Run("network", "create", "-d", "macvlan", "nopar")
	if r.Code != 1 || !strings.Contains(r.Stderr, "-o parent=IF") {
		t.Errorf("macvlan without a parent = %v, want exit 1 and how to give one", r)
	}
}

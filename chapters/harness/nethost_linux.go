// NetHost: a throwaway network namespace that plays the host for chapter
// 07's tests, so that bridges, veths, iptables rules and sysctls the engine
// makes are confined to it and vanish with it. It is held by a small
// `unshare --net` process; every mydocker of the Env runs inside it through
// `nsenter --net` (which execs, so the PID the test holds is mydocker's).
//
// The namespace has lo, and a veth pair mydhost0/mydhost1 with 192.0.2.1/24
// (TEST-NET-1, routed nowhere): "the host's address" that another machine
// would reach. At the end of the test, after every mydocker has stopped,
// it checks that nothing of ours is left: no veth, no bridge but those of
// networks that still exist, no DNAT, no rule of a removed network, no
// IPAM entry.

package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// HostAddr is the address of the host's network namespace in NetHost.
const HostAddr = "192.0.2.1"

// A NetHost is the network namespace playing the host.
type NetHost struct {
	t      testing.TB
	holder *exec.Cmd
	ns     string // /proc/PID/ns/net
	env    *Env
}

// NetHost moves e's mydocker commands into a fresh network namespace and
// checks for network leaks at the end of the test. resolvConf is what the
// engine reads as the host's /etc/resolv.conf.
func (e *Env) NetHost(resolvConf string) *NetHost {
	t := e.t
	t.Helper()
	for _, p := range []string{"unshare", "nsenter", "ip", "iptables", "iptables-save"} {
		_, err := exec.LookPath(p)
		Require(t, err == nil, p+" is needed to play the host in a network namespace (apt-get install util-linux iproute2 iptables)")
	}
	setup := "ip link set lo up && " + VethPair("mydhost0", "mydhost1") + " && " +
		"ip addr add " + HostAddr + "/24 dev mydhost0 && ip link set mydhost0 up && ip link set mydhost1 up && " +
		"echo ready && exec sleep 1000000"
	holder := exec.Command("unshare", "--net", "sh", "-c", setup)
	holder.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	holder.Stderr = os.Stderr
	if err := holder.Start(); err != nil {
		t.Fatalf("unshare --net: %v", err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		holder.Process.Kill()
		holder.Wait()
		t.Fatalf("network namespace playing the host did not come up (%q)", line)
	}
	h := &NetHost{t: t, holder: holder, ns: fmt.Sprintf("/proc/%d/ns/net", holder.Process.Pid), env: e}
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(resolv, []byte(resolvConf), 0o644); err != nil {
		t.Fatal(err)
	}
	e.Wrap = []string{"nsenter", "--net=" + h.ns, "--"}
	e.Environ = append(e.Environ, "MYDOCKER_RESOLV_CONF="+resolv)
	t.Cleanup(func() {
		e.StopAll()
		// A container's veth goes with its namespace, which the kernel
		// tears down asynchronously, a few milliseconds after its last
		// process: give it time before calling anything a leak.
		leaks := h.Leaks()
		for deadline := time.Now().Add(5 * time.Second); len(leaks) > 0 && time.Now().Before(deadline); leaks = h.Leaks() {
			time.Sleep(50 * time.Millisecond)
		}
		for _, leak := range leaks {
			t.Errorf("leak after test: %s", leak)
		}
		syscall.Kill(-holder.Process.Pid, syscall.SIGKILL)
		holder.Wait()
	})
	return h
}

// Sh runs a shell command on the "host" (inside its namespace) and returns
// its combined output and error.
func (h *NetHost) Sh(script string) (string, error) {
	out, err := exec.Command("nsenter", "--net="+h.ns, "--", "sh", "-c", script).CombinedOutput()
	return string(out), err
}

// Leaks lists what the engine left in the namespace: veths and bridges
// with our prefix that no existing network owns, DNAT rules, rules naming
// a bridge no network owns, and IPAM entries.
func (h *NetHost) Leaks() []string {
	var leaks []string
	bridges := map[string]bool{}
	var st struct {
		Networks []struct {
			Name, Bridge string
		}
		Endpoints map[string]json.RawMessage
	}
	if data, err := os.ReadFile(filepath.Join(h.env.Root, "network", "state.json")); err == nil {
		if err := json.Unmarshal(data, &st); err != nil {
			leaks = append(leaks, "network state unreadable: "+err.Error())
		}
	}
	for _, n := range st.Networks {
		bridges[n.Bridge] = true
	}
	for id := range st.Endpoints {
		leaks = append(leaks, "IPAM entry of container "+id)
	}
	links, err := h.Sh("ip -o link show")
	if err != nil {
		return append(leaks, "ip link: "+err.Error())
	}
	for _, line := range strings.Split(links, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		if strings.HasPrefix(name, "myd") && !strings.HasPrefix(name, "mydhost") && !bridges[name] {
			leaks = append(leaks, "link "+name)
		}
	}
	rules, err := h.Sh("iptables-save")
	if err != nil {
		return append(leaks, "iptables-save: "+err.Error())
	}
	for _, line := range strings.Split(rules, "\n") {
		if strings.HasPrefix(line, "-A MYDOCKER ") {
			leaks = append(leaks, "DNAT rule: "+line)
		}
		for _, f := range strings.Fields(line) {
			if strings.HasPrefix(f, "myd") && !bridges[f] {
				leaks = append(leaks, "rule of a bridge no network owns: "+line)
				break
			}
		}
	}
	return leaks
}

// VethPair is the shell command that makes a veth pair a, b in a network
// namespace that has no veth yet. The kernel names a peer given no name
// veth0 there, and it is renamed: busybox's ip, the only one in the
// cgroup v2 VM, has no "peer name".
func VethPair(a, b string) string {
	return "ip link add " + a + " type veth && ip link set veth0 name " + b
}

// NetnsPath is the namespace's /proc path, for nsenter --net.
func (h *NetHost) NetnsPath() string { return h.ns }

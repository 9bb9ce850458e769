// iptables, run as a program the way Docker runs it: the rules are the
// kernel's (netfilter), the program only writes them, and whichever backend
// the host's iptables uses (legacy or nf_tables) is the one its other
// rules live in. Every rule of ours is in a chain named MYDOCKER…, reached
// by one jump from a built-in chain, so `iptables -S` shows at a glance
// what is ours, and removing a network removes exactly its rules.
//
//	nat    PREROUTING  -m addrtype --dst-type LOCAL -j MYDOCKER
//	nat    OUTPUT      -m addrtype --dst-type LOCAL -j MYDOCKER
//	nat    MYDOCKER    one DNAT per published port
//	nat    POSTROUTING -j MYDOCKER-POSTROUTING
//	nat    MYDOCKER-POSTROUTING  per network: MASQUERADE leaving the host,
//	                             from the host's own addresses (127.0.0.1),
//	                             and hairpin (container → published port)
//	filter FORWARD     -j MYDOCKER-FORWARD
//	filter MYDOCKER-FORWARD      -j MYDOCKER-ISOLATION-STAGE-1, then per
//	                             network: accept what leaves it, and what
//	                             enters it as a reply or through a DNAT
//	filter MYDOCKER-ISOLATION-STAGE-1/2  per network: from it to another
//	                             of our bridges, DROP

package network

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// Chain names.
const (
	chainDNAT       = "MYDOCKER"
	chainPost       = "MYDOCKER-POSTROUTING"
	chainForward    = "MYDOCKER-FORWARD"
	chainIsolation1 = "MYDOCKER-ISOLATION-STAGE-1"
	chainIsolation2 = "MYDOCKER-ISOLATION-STAGE-2"
)

// iptablesBin is the program; tests may point it elsewhere.
var iptablesBin = "iptables"

// safePath is where iptables is looked for, and the PATH it runs with:
// Docker's daemon never takes the client's PATH, and neither do we. The
// CLI runs as root for whoever typed the command (sudo may keep the
// caller's PATH), and a detached container's monitor keeps the PATH of
// the `run` that started it: an `iptables` of the caller's earlier in it
// would run as root with every network's rules in its hands.
const safePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// iptablesCmd is the iptables command with args, found in safePath only
// and run with that PATH alone (it may itself run modprobe).
func iptablesCmd(args ...string) (*exec.Cmd, error) {
	path := iptablesBin
	if !strings.Contains(path, "/") {
		for _, dir := range filepath.SplitList(safePath) {
			candidate := filepath.Join(dir, iptablesBin)
			if st, err := os.Stat(candidate); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
				path = candidate
				break
			}
		}
	}
	if !strings.Contains(path, "/") {
		return nil, ErrNoIptables
	}
	cmd := exec.Command(path, args...)
	cmd.Env = []string{"PATH=" + safePath}
	return cmd, nil
}

// ErrNoIptables says iptables is missing.
var ErrNoIptables = errors.New("iptables not found: install it (apt-get install iptables), as Docker needs it too")

// iptables runs `iptables -w args...`, waiting for the xtables lock as
// Docker does, so concurrent mydockers (and firewalld) take turns.
func iptables(args ...string) error {
	full := append([]string{"-w"}, args...)
	cmd, err := iptablesCmd(full...)
	if err != nil {
		return err
	}
	t0 := time.Now()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	trace.Step("exec iptables %s [%.1fms]", strings.Join(full, " "), float64(time.Since(t0).Microseconds())/1000)
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return fmt.Errorf("iptables %s: %s", strings.Join(args, " "), firstNonEmpty(msg, err.Error()))
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// A rule is a table, a chain and the rule's match and target.
type rule struct {
	table, chain string
	spec         []string
}

func (r rule) args(op string) []string {
	return append([]string{"-t", r.table, op, r.chain}, r.spec...)
}

// exists asks iptables -C, which exits 1 for "no such rule".
func (r rule) exists() bool { return iptablesQuiet(r.args("-C")...) == nil }

// ensure appends the rule unless it is there.
func (r rule) ensure() error {
	if r.exists() {
		return nil
	}
	return iptables(r.args("-A")...)
}

// remove deletes the rule if it is there.
func (r rule) remove() error {
	if !r.exists() {
		return nil
	}
	return iptables(r.args("-D")...)
}

// iptablesQuiet runs a query whose failure is an answer, not an error.
func iptablesQuiet(args ...string) error {
	cmd, err := iptablesCmd(append([]string{"-w"}, args...)...)
	if err != nil {
		return err
	}
	return cmd.Run()
}

// ensureChain creates a chain if missing, and the jump to it from a
// built-in chain (first, so our accepts come before a DROP policy's rules).
func ensureChain(table, chain, from string, match ...string) error {
	if iptablesQuiet("-t", table, "-n", "-L", chain) != nil {
		if err := iptables("-t", table, "-N", chain); err != nil {
			return err
		}
	}
	if from == "" {
		return nil
	}
	jump := rule{table, from, append(append([]string{}, match...), "-j", chain)}
	if jump.exists() {
		return nil
	}
	return iptables(append([]string{"-t", table, "-I", from, "1"}, jump.spec...)...)
}

// ensureChains sets up our chains and the jumps into them.
func ensureChains() error {
	steps := []struct {
		table, chain, from string
		match              []string
	}{
		{"nat", chainDNAT, "PREROUTING", []string{"-m", "addrtype", "--dst-type", "LOCAL"}},
		// OUTPUT includes 127.0.0.0/8: mydocker has no userland proxy, a
		// DNAT serves the host's loopback (with route_localnet on the
		// bridge), as Docker does with --userland-proxy=false.
		{"nat", chainDNAT, "OUTPUT", []string{"-m", "addrtype", "--dst-type", "LOCAL"}},
		{"nat", chainPost, "POSTROUTING", nil},
		{"filter", chainIsolation2, "", nil},
		{"filter", chainIsolation1, "", nil},
		{"filter", chainForward, "FORWARD", nil},
	}
	for _, s := range steps {
		if err := ensureChain(s.table, s.chain, s.from, s.match...); err != nil {
			return err
		}
	}
	return rule{"filter", chainForward, []string{"-j", chainIsolation1}}.ensure()
}

// networkRules are a network's rules: one set per network, none per container.
func networkRules(n *Network) []rule {
	br, sub := n.Bridge, n.Subnet
	return []rule{
		{"nat", chainPost, []string{"-s", sub, "!", "-o", br, "-j", "MASQUERADE"}},
		{"nat", chainPost, []string{"-o", br, "-m", "addrtype", "--src-type", "LOCAL", "-j", "MASQUERADE"}},
		{"nat", chainPost, []string{"-s", sub, "-o", br, "-m", "conntrack", "--ctstate", "DNAT", "-j", "MASQUERADE"}},
		{"filter", chainIsolation1, []string{"-i", br, "!", "-o", br, "-j", chainIsolation2}},
		{"filter", chainIsolation2, []string{"-o", br, "-j", "DROP"}},
		{"filter", chainForward, []string{"-i", br, "-j", "ACCEPT"}},
		{"filter", chainForward, []string{"-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j", "ACCEPT"}},
	}
}

// isolation rules must let traffic leave by interfaces other than our
// bridges: stage 2 drops only what goes into one of ours.

// addNetworkRules installs a network's rules.
func addNetworkRules(n *Network) error {
	if err := ensureChains(); err != nil {
		return err
	}
	for _, r := range networkRules(n) {
		if err := r.ensure(); err != nil {
			return err
		}
	}
	return nil
}

// removeNetworkRules removes them, all it can.
func removeNetworkRules(n *Network) error {
	var errs []error
	for _, r := range networkRules(n) {
		if err := r.remove(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// portRule is the DNAT of one published port to the container.
func portRule(b Binding, ip string) rule {
	spec := []string{"-p", b.Proto}
	if b.HostIP != "" && b.HostIP != "0.0.0.0" {
		spec = append(spec, "-d", b.HostIP)
	}
	spec = append(spec, "--dport", strconv.Itoa(b.HostPort), "-j", "DNAT", "--to-destination", ip+":"+strconv.Itoa(b.ContainerPort))
	return rule{"nat", chainDNAT, spec}
}

// addPortRules installs the DNATs of an endpoint; on error, it removes what
// it added.
func addPortRules(ep *Endpoint) error {
	for i, b := range ep.Ports {
		if err := iptables(portRule(b, ep.IP).args("-A")...); err != nil {
			for _, done := range ep.Ports[:i] {
				portRule(done, ep.IP).remove()
			}
			return err
		}
	}
	return nil
}

func removePortRules(ep *Endpoint) error {
	var errs []error
	for _, b := range ep.Ports {
		if err := portRule(b, ep.IP).remove(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

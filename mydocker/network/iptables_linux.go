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
// the `run` that started it: an `iptables-restore` of the caller's earlier
// in it would run as root with every network's rules in its hands.
const safePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// iptablesCmd is the command name (iptablesBin + "-save" or "-restore")
// with args, found in safePath only and run with that PATH alone (it may
// itself run modprobe).
func iptablesCmd(name string, args ...string) (*exec.Cmd, error) {
	path := name
	if !strings.Contains(path, "/") {
		for _, dir := range filepath.SplitList(safePath) {
			candidate := filepath.Join(dir, name)
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

// iptablesRestore adds the rules of input (iptables-save's format: *TABLE,
// -A lines, COMMIT) in one run of `iptables-restore -w --noflush`: one
// program and one commit to the kernel for several rules, and the table's
// other rules kept.
func iptablesRestore(input string) error {
	cmd, err := iptablesCmd(iptablesBin+"-restore", "-w", "--noflush")
	if err != nil {
		return err
	}
	t0 := time.Now()
	var stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(input)
	cmd.Stderr = &stderr
	err = cmd.Run()
	trace.Step("exec iptables-restore -w --noflush <<%q [%.1fms]", input, float64(time.Since(t0).Microseconds())/1000)
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return fmt.Errorf("iptables-restore: %s", firstNonEmpty(msg, err.Error()))
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// A rule is a table, a chain and the rule's match and target, written as
// iptables-save prints it, so that one run of iptables-save tells whether
// it is there.
type rule struct {
	table, chain string
	spec         []string
}

// line is the rule as an iptables-save or iptables-restore line.
func (r rule) line(op string) string { return op + " " + r.chain + " " + strings.Join(r.spec, " ") }

// A ruleset is what one iptables-save printed: every table's chains and
// rules. Asking it replaces an `iptables -C` per rule (a program run each:
// 3-5 ms here, a tenth of a second in the emulated VM).
type ruleset struct {
	chains map[string]bool // "TABLE CHAIN"
	rules  map[string]bool // "TABLE -A CHAIN SPEC"
}

// saveRules runs iptables-save.
func saveRules() (*ruleset, error) {
	cmd, err := iptablesCmd(iptablesBin + "-save")
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	trace.Step("exec iptables-save [%.1fms]", float64(time.Since(t0).Microseconds())/1000)
	if err != nil {
		return nil, fmt.Errorf("iptables-save: %s", firstNonEmpty(strings.TrimSpace(stderr.String()), err.Error()))
	}
	rs := &ruleset{chains: map[string]bool{}, rules: map[string]bool{}}
	table := ""
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "*"):
			table = line[1:]
		case strings.HasPrefix(line, ":"):
			name, _, _ := strings.Cut(line[1:], " ")
			rs.chains[table+" "+name] = true
		case strings.HasPrefix(line, "-A "):
			rs.rules[table+" "+line] = true
		}
	}
	return rs, nil
}

func (rs *ruleset) has(r rule) bool { return rs.rules[r.table+" "+r.line("-A")] }

// A batch is the lines of one iptables-restore --noflush, by table: what
// one program run adds or deletes, in one commit (all of it or none).
type batch struct {
	chains, lines map[string][]string
}

func newBatch() *batch { return &batch{chains: map[string][]string{}, lines: map[string][]string{}} }

// chain declares a chain. Only for a chain that does not exist: restore
// --noflush empties one that does.
func (b *batch) chain(table, name string) {
	b.chains[table] = append(b.chains[table], ":"+name+" - [0:0]")
}

func (b *batch) add(table, line string) { b.lines[table] = append(b.lines[table], line) }

// run writes the batch, if there is anything in it.
func (b *batch) run() error {
	var in strings.Builder
	for _, table := range []string{"filter", "nat"} {
		if len(b.chains[table])+len(b.lines[table]) == 0 {
			continue
		}
		in.WriteString("*" + table + "\n")
		for _, l := range append(b.chains[table], b.lines[table]...) {
			in.WriteString(l + "\n")
		}
		in.WriteString("COMMIT\n")
	}
	if in.Len() == 0 {
		return nil
	}
	return iptablesRestore(in.String())
}

// ensureChains adds to b our chains that rs lacks, and the jumps into them
// (inserted first, so our accepts come before a DROP policy's rules).
func ensureChains(rs *ruleset, b *batch) {
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
		if !rs.chains[s.table+" "+s.chain] {
			b.chain(s.table, s.chain)
		}
		if s.from == "" {
			continue
		}
		jump := rule{s.table, s.from, append(append([]string{}, s.match...), "-j", s.chain)}
		if !rs.has(jump) {
			b.add(s.table, "-I "+s.from+" 1 "+strings.Join(jump.spec, " "))
		}
	}
	if r := (rule{"filter", chainForward, []string{"-j", chainIsolation1}}); !rs.has(r) {
		b.add(r.table, r.line("-A"))
	}
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

// addNetworkRules installs a network's rules, and our chains if they are
// missing: one iptables-save to see what is there, one iptables-restore
// for what is not (instead of an `iptables -C` and an `iptables -A` for
// each of about twenty rules and chains).
func addNetworkRules(n *Network) error {
	rs, err := saveRules()
	if err != nil {
		return err
	}
	b := newBatch()
	ensureChains(rs, b)
	for _, r := range networkRules(n) {
		if !rs.has(r) {
			b.add(r.table, r.line("-A"))
		}
	}
	return b.run()
}

// removeNetworkRules removes those of them that are there.
func removeNetworkRules(n *Network) error {
	return removeRules(networkRules(n))
}

// removeRules deletes those of rules that are there, in one batch.
func removeRules(rules []rule) error {
	if len(rules) == 0 {
		return nil
	}
	rs, err := saveRules()
	if err != nil {
		return err
	}
	b := newBatch()
	for _, r := range rules {
		if rs.has(r) {
			b.add(r.table, r.line("-D"))
		}
	}
	return b.run()
}

// portRule is the DNAT of one published port to the container.
func portRule(b Binding, ip string) rule {
	var spec []string
	if b.HostIP != "" && b.HostIP != "0.0.0.0" {
		spec = append(spec, "-d", b.HostIP+"/32")
	}
	spec = append(spec, "-p", b.Proto, "-m", b.Proto, "--dport", strconv.Itoa(b.HostPort),
		"-j", "DNAT", "--to-destination", ip+":"+strconv.Itoa(b.ContainerPort))
	return rule{"nat", chainDNAT, spec}
}

// addPortRules installs the DNATs of an endpoint, all or none (one
// iptables-restore is one commit).
func addPortRules(ep *Endpoint) error {
	b := newBatch()
	for _, p := range ep.Ports {
		b.add("nat", portRule(p, ep.IP).line("-A"))
	}
	return b.run()
}

func removePortRules(ep *Endpoint) error {
	var rules []rule
	for _, p := range ep.Ports {
		rules = append(rules, portRule(p, ep.IP))
	}
	return removeRules(rules)
}

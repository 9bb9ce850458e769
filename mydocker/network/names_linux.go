// The embedded DNS server's names, kept between queries. A container may
// send as many queries as it likes, and reading the state file (a lock, a
// read, a JSON decode) and /proc for every endpoint at each one would let it
// keep the host's CPU busy on its behalf. So the names a container can
// resolve are worked out once into a table (every name, alias and short ID
// on its networks, with NAME.NETWORK and NAME.DOMAIN spelled out) and used
// until the state file changes: it is only ever replaced by a rename, so a
// new inode (or size or time) says it changed, and one stat(2) per query
// notices. A query then costs a map lookup and, for each address it answers
// with (at most maxAnswers), whether that endpoint's `mydocker run` still
// lives: a /proc read, remembered for aliveFor, so that a run killed with
// -9, which never updates the state, stops answering within that time.

package network

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// aliveFor is how long a holder found alive is taken to be. (maxAnswers,
// dns.go's, bounds the holders one query looks at.)
const aliveFor = time.Second

// dnsHolder is one address a name answers with, and the run holding it.
type dnsHolder struct {
	ip      [4]byte
	monitor int
	start   uint64
}

// names is one container's table of names.
type names struct {
	store  *Store
	id     string   // the container asking
	search []string // its resolv.conf's search domains, lower case

	mu     sync.Mutex
	stamp  fileStamp
	table  map[string][]dnsHolder
	alive  map[dnsHolder]time.Time // when each dnsHolder was last found alive
	loads  int                     // state file reads, for tests
	failed bool                    // the last read failed: read again next time
}

// fileStamp tells one version of the state file from the next.
type fileStamp struct {
	ino, size int64
	mtime     time.Time
}

func newNames(store *Store, id string, search []string) *names {
	lower := make([]string, len(search))
	for i, d := range search {
		lower[i] = strings.ToLower(d)
	}
	return &names{store: store, id: id, search: lower, alive: map[dnsHolder]time.Time{}}
}

// lookup answers name (lower case, as parseQuery gives it) with the live
// addresses it has on the container's networks.
func (n *names) lookup(name string) ([]net.IP, bool) {
	if len(name) > 255 {
		return nil, false // no DNS name is longer
	}
	name = strings.ToLower(name)
	n.mu.Lock()
	defer n.mu.Unlock()
	if stamp := n.stateStamp(); n.table == nil || n.failed || stamp != n.stamp {
		n.load(stamp)
	}
	var ips []net.IP
	now := time.Now()
	for _, h := range n.table[name] {
		if len(ips) == maxAnswers {
			break
		}
		if seen, ok := n.alive[h]; !ok || now.Sub(seen) > aliveFor {
			if !alive(h.monitor, h.start) {
				delete(n.alive, h)
				continue
			}
			n.alive[h] = now
		}
		ips = append(ips, net.IPv4(h.ip[0], h.ip[1], h.ip[2], h.ip[3]).To4())
	}
	return ips, len(ips) > 0
}

func (n *names) stateStamp() fileStamp {
	fi, err := os.Stat(filepath.Join(n.store.dir, "state.json"))
	if err != nil {
		return fileStamp{}
	}
	var ino int64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = int64(st.Ino)
	}
	return fileStamp{ino: ino, size: fi.Size(), mtime: fi.ModTime()}
}

// load builds the table from the state file, whose version is stamp (taken
// before the read: a change meanwhile makes the next query read again).
func (n *names) load(stamp fileStamp) {
	n.loads++
	table := map[string][]dnsHolder{}
	err := n.store.Read(func(st *State) error {
		mine := map[string]bool{}
		for _, ep := range st.Endpoints {
			if ep.Container == n.id {
				mine[ep.Network] = true
			}
		}
		for _, nw := range st.Networks {
			if !mine[nw.ID] {
				continue
			}
			suffixes := append([]string{""}, "."+strings.ToLower(nw.Name))
			for _, d := range n.search {
				suffixes = append(suffixes, "."+d)
			}
			for _, ep := range st.Endpoints {
				ip := net.ParseIP(ep.IP).To4()
				if ep.Network != nw.ID || ip == nil {
					continue
				}
				h := dnsHolder{ip: [4]byte(ip), monitor: ep.Monitor, start: ep.MonitorStart}
				for _, key := range ep.names() {
					for _, s := range suffixes {
						table[key+s] = addHolder(table[key+s], h)
					}
				}
			}
		}
		return nil
	})
	n.failed = err != nil
	n.table, n.stamp = table, stamp
	for h := range n.alive { // forget holders no longer in any answer
		delete(n.alive, h)
	}
}

// names are what the endpoint's container goes by, lower case: its name,
// its aliases and its short ID.
func (ep *Endpoint) names() []string {
	var out []string
	if ep.Name != "" {
		out = append(out, strings.ToLower(ep.Name))
	}
	for _, a := range ep.Aliases {
		out = append(out, strings.ToLower(a))
	}
	if len(ep.Container) >= 12 {
		out = append(out, strings.ToLower(ep.Container[:12]))
	}
	return out
}

func addHolder(list []dnsHolder, h dnsHolder) []dnsHolder {
	for _, x := range list {
		if x == h {
			return list
		}
	}
	return append(list, h)
}

package network

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A container flooding its embedded DNS server: thousands of queries, each
// answered right (names, aliases, NAME.NETWORK, NAME.DOMAIN, short IDs; a
// dead run's endpoint not at all), with the state file read once, and read
// again, answering the new truth at once, when it changes.
func TestNamesUnderFlood(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	me, start := os.Getpid(), StartTime(os.Getpid())
	ep := func(c byte, name, ip string, aliases ...string) *Endpoint {
		return &Endpoint{Container: strings.Repeat(string(c), 64), Name: name, Aliases: aliases,
			Network: "n1", IP: ip, Monitor: me, MonitorStart: start}
	}
	asker, web, db := ep('a', "asker", "172.18.0.2"), ep('b', "web", "172.18.0.3", "Site"), ep('d', "db", "172.18.0.5")
	gone := ep('c', "gone", "172.18.0.4")
	gone.MonitorStart = start + 1 // another process than the one that held it
	set := func(eps ...*Endpoint) {
		require.NoError(t, s.Update(func(st *State) error {
			st.Networks = []*Network{{ID: "n1", Name: "front"}}
			st.Endpoints = map[string]*Endpoint{}
			for _, e := range eps {
				st.Endpoints[e.Container] = e
			}
			return nil
		}))
	}
	set(asker, web, gone)
	names := newNames(s, asker.Container, []string{"Example.test"})
	r := &resolver{lookup: names.lookup, slots: make(chan struct{}, 1)}
	ask := func(id int, name string) string {
		rcode, ips, err := parseAnswerA(r.handle(buildQuery(uint16(id), name, dnsTypeA), nil))
		return fmt.Sprint(rcode, ips, err)
	}
	want := map[string]string{
		"web": "0 [172.18.0.3] <nil>", "SITE": "0 [172.18.0.3] <nil>", "web.front": "0 [172.18.0.3] <nil>",
		"web.example.test": "0 [172.18.0.3] <nil>", "bbbbbbbbbbbb": "0 [172.18.0.3] <nil>",
		"gone": "3 [] <nil>", "nope": "3 [] <nil>", "db": "3 [] <nil>",
	}
	const flood = 20000
	for i := 0; i < flood; {
		for name, w := range want {
			if got := ask(i, name); got != w {
				t.Fatalf("query %d for %q = %s, want %s", i, name, got, w)
			}
			i++
		}
	}
	if names.loads != 1 {
		t.Errorf("%d queries read the state file %d times, want once", flood, names.loads)
	}
	// db joins, web leaves: the next query knows.
	set(asker, db)
	if got := ask(1, "db"); got != "0 [172.18.0.5] <nil>" {
		t.Errorf("after db joined, db = %s", got)
	}
	if got := ask(2, "web"); got != "3 [] <nil>" {
		t.Errorf("after web left, web = %s, want NXDOMAIN", got)
	}
	if names.loads != 2 {
		t.Errorf("one change of the state file made %d reads in all, want 2", names.loads)
	}
}

// One query's cost, answered from the table.
func BenchmarkNamesLookup(b *testing.B) {
	s, err := OpenStore(b.TempDir())
	require.NoError(b, err)
	me := os.Getpid()
	require.NoError(b, s.Update(func(st *State) error {
		st.Networks = []*Network{{ID: "n1", Name: "front"}}
		st.Endpoints = map[string]*Endpoint{}
		for i := 0; i < 50; i++ {
			id := fmt.Sprintf("%064d", i)
			st.Endpoints[id] = &Endpoint{Container: id, Name: fmt.Sprintf("c%d", i), Network: "n1",
				IP: fmt.Sprintf("172.18.0.%d", i+2), Monitor: me, MonitorStart: StartTime(me)}
		}
		return nil
	}))
	names := newNames(s, fmt.Sprintf("%064d", 0), nil)
	for i := 0; i < b.N; i++ {
		if _, ok := names.lookup("c7"); !ok {
			b.Fatal("c7 not found")
		}
	}
}

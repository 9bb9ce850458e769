package network

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// A query for a container's name, and the answer the embedded DNS writes.
func Example_dnsAnswer() {
	q, err := parseQuery(buildQuery(7, "Web.", dnsTypeA))
	if err != nil {
		panic(err)
	}
	rcode, ips, _ := parseAnswerA(q.answer(rcodeOK, []net.IP{net.ParseIP("172.18.0.2")}))
	fmt.Println(q.Name, q.Type, rcode, ips)
	// Output: web 1 0 [172.18.0.2]
}

// TestParseQueryHostile: what a container may send is refused, never
// followed, and never read past its end.
func TestParseQueryHostile(t *testing.T) {
	good := buildQuery(1, "db", dnsTypeA)
	pointer := append(append([]byte(nil), good[:12]...), 0xc0, 12, 0, 1, 0, 1) // points at itself
	long := buildQuery(1, strings.Repeat("a", 64), dnsTypeA)
	var name []string
	for i := 0; i < 5; i++ {
		name = append(name, strings.Repeat("b", 60))
	}
	tooLong := buildQuery(1, strings.Join(name, "."), dnsTypeA) // 305 bytes of labels
	twoQuestions := append([]byte(nil), good...)
	twoQuestions[5] = 2
	answer := append([]byte(nil), good...)
	answer[2] |= 0x80
	for _, tc := range []struct {
		name string
		msg  []byte
	}{
		{"short header", good[:5]},
		{"compression pointer", pointer},
		{"label over 63", long},
		{"name over 255", tooLong},
		{"two questions", twoQuestions},
		{"an answer", answer},
		{"cut in the name", good[:14]},
		{"cut in the type", good[:len(good)-2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseQuery(tc.msg); err != errBadQuery {
				t.Errorf("parseQuery(%q) = %v, want errBadQuery", tc.msg, err)
			}
		})
	}
}

// TestResolverHandle: known names answer, AAAA for a known name is empty,
// unknown names with no upstream are NXDOMAIN, garbage is FORMERR.
func TestResolverHandle(t *testing.T) {
	r := &resolver{lookup: func(n string) ([]net.IP, bool) {
		if n == "web" {
			return []net.IP{net.ParseIP("10.0.0.2")}, true
		}
		return nil, false
	}, slots: make(chan struct{}, 1)}
	for _, tc := range []struct {
		query     []byte
		wantRcode int
		wantIPs   string
	}{
		{buildQuery(1, "web", dnsTypeA), rcodeOK, "[10.0.0.2]"},
		{buildQuery(2, "web", dnsTypeAAAA), rcodeOK, "[]"},
		{buildQuery(3, "nope", dnsTypeA), rcodeNXDomain, "[]"},
	} {
		rcode, ips, err := parseAnswerA(r.handle(tc.query, nil))
		if err != nil || rcode != tc.wantRcode || fmt.Sprint(ips) != tc.wantIPs {
			t.Errorf("handle(%q) = %d %v %v, want %d %s", tc.query, rcode, ips, err, tc.wantRcode, tc.wantIPs)
		}
	}
	bad := append(buildQuery(4, "web", dnsTypeA)[:12], 0xc0, 12)
	if reply := r.handle(bad, nil); len(reply) != dnsHeaderLen || reply[3]&0xf != rcodeFormErr {
		t.Errorf("handle(pointer loop) = %x, want a bare FORMERR header", reply)
	}
	if reply := r.handle([]byte{1, 2, 3}, nil); reply != nil {
		t.Errorf("handle(3 bytes) = %x, want no answer", reply)
	}
}

func TestEmbeddedResolvConf(t *testing.T) {
	got := EmbeddedResolvConf("nameserver 127.0.0.53\nsearch a.test b.test\noptions edns0\n")
	want := "nameserver 127.0.0.11\nsearch a.test b.test\noptions ndots:0\n"
	if got != want {
		t.Errorf("EmbeddedResolvConf = %q, want %q", got, want)
	}
}

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

// TestTruncatedOverUDP: a name with 40 containers behind it is more than
// 512 bytes of answer. Over UDP it is cut to the records that fit, with the
// TC bit set; over TCP it comes whole.
func TestTruncatedOverUDP(t *testing.T) {
	var many []net.IP
	for i := 0; i < 40; i++ {
		many = append(many, net.IPv4(10, 0, 0, byte(i+2)))
	}
	r := &resolver{lookup: func(n string) ([]net.IP, bool) { return many, n == "pool" },
		slots: make(chan struct{}, 1), done: make(chan struct{})}
	udp := r.handle(buildQuery(1, "pool", dnsTypeA), nil)
	_, ips, err := parseAnswerA(udp)
	if err != nil || len(udp) > 512 || udp[2]&0x02 == 0 || len(ips) != 30 {
		t.Errorf("over UDP: %d bytes, TC %v, %d records, %v; want at most 512 bytes, TC, 30 records (12 + 10 + 30×16 = 502)",
			len(udp), udp[2]&0x02 != 0, len(ips), err)
	}

	client, server := net.Pipe()
	defer client.Close()
	go r.serveConn(server)
	q := buildQuery(2, "pool", dnsTypeA)
	client.Write(append([]byte{0, byte(len(q))}, q...))
	reply, err := readTCPMessage(client, 65535)
	if err != nil {
		t.Fatalf("over TCP: %v", err)
	}
	if _, ips, err := parseAnswerA(reply); err != nil || reply[2]&0x02 != 0 || len(ips) != 40 {
		t.Errorf("over TCP: TC %v, %d records, %v; want no TC and 40 records", reply[2]&0x02 != 0, len(ips), err)
	}
	// A second query on the same connection, then a length over the limit:
	// the server answers the first and hangs up on the second.
	q = buildQuery(3, "nope", dnsTypeA)
	client.Write(append([]byte{0, byte(len(q))}, q...))
	if reply, err := readTCPMessage(client, 65535); err != nil || reply[3]&0xf != rcodeNXDomain {
		t.Errorf("second query on the connection: %x, %v; want NXDOMAIN", reply, err)
	}
	client.Write([]byte{0xff, 0xff})
	if _, err := readTCPMessage(client, 65535); err == nil {
		t.Errorf("a 65535-byte query announced: the server kept the connection, want it closed")
	}
}

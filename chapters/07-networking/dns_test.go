// The embedded DNS of user-defined networks, tested as a user meets it:
// busybox's nslookup, ping and wget by name, between containers started
// one after the other; and a name the network does not know, forwarded to
// a resolver this test runs on the fake host's loopback — never further.
package chapter07

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/chapters/harness"
)

// upstreamName is the one outside name the test's resolver knows.
const (
	upstreamName = "outside.example.test"
	upstreamIP   = "198.51.100.7"
)

func TestEmbeddedDNS(t *testing.T) {
	e := harness.New(t)
	// The host's resolvers: the test's own on loopback (the embedded
	// server forwards from the host's namespace, where it is reachable),
	// and one on the fake host's link that nobody serves.
	h := e.NetHost("nameserver 127.0.0.1\nnameserver 192.0.2.53\nsearch example.test\n")
	e.Busybox()
	asked, _ := fakeResolver(t, h)

	e.MustRun("network", "create", "--subnet", "10.232.0.0/24", "dnsnet")
	e.MustRun("network", "create", "--subnet", "10.233.0.0/24", "othernet")
	defer e.Run("network", "rm", "dnsnet", "othernet")

	// first starts alone; once second exists, it resolves and pings it by
	// its alias and says so in a page second fetches.
	first := "mkdir /www && echo hello from first > /www/index.html && httpd -p 80 -h /www && " +
		"until nslookup cache > /tmp/ns 2>&1; do sleep 0.1; done; " +
		"ping -c 1 -W 2 cache > /dev/null && cp /tmp/ns /www/saw; exec sleep 1000"
	cmd := e.Cmd("run", "--rm", "--name", "first", "--network", "dnsnet", "--ip", "10.232.0.5",
		"--network-alias", "db", "busybox", "sh", "-c", first)
	require.NoError(t, cmd.Start())
	defer stop(cmd)
	waitPage(t, h, "http://10.232.0.5/", "hello from first")

	resolv := e.MustRun("run", "--rm", "--network", "dnsnet", "busybox", "cat", "/etc/resolv.conf")
	if want := "nameserver 127.0.0.11\nsearch example.test\noptions ndots:0\n"; resolv != want {
		t.Errorf("/etc/resolv.conf on a user network = %q, want %q", resolv, want)
	}

	second := "nslookup first; nslookup db; ping -c 1 -W 2 db > /dev/null && echo ping db ok; " +
		"wget -q -O- http://db/; nslookup " + upstreamName + "; " +
		"for i in $(seq 100); do wget -q -O- http://first/saw 2>/dev/null && break; sleep 0.1; done"
	out := e.MustRun("run", "--rm", "--name", "second", "--network", "dnsnet", "--ip", "10.232.0.6",
		"--network-alias", "cache", "busybox", "sh", "-c", second)
	for _, want := range []string{
		`(?s)Name:\s+first(\.example\.test)?\s+Address:\s+10\.232\.0\.5\n`, // name, later to earlier
		`(?s)Name:\s+db(\.example\.test)?\s+Address:\s+10\.232\.0\.5\n`,    // alias
		`ping db ok`,       // the C library's resolver too
		`hello from first`, // wget by alias
		`(?s)Name:\s+` + regexp.QuoteMeta(upstreamName) + `\s+Address:\s+198\.51\.100\.7\n`, // forwarded
		`(?s)Name:\s+cache(\.example\.test)?\s+Address:\s+10\.232\.0\.6\n`,                  // earlier to later, by alias
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("second's output does not match %s:\n%s", want, out)
		}
	}
	if asked.Load() == 0 {
		t.Errorf("the fake host's resolver was never asked for %s", upstreamName)
	}

	// The default bridge has no embedded DNS; another network does not
	// know dnsnet's names (forwarded, the test's resolver says NXDOMAIN).
	r := e.Run("run", "--rm", "busybox", "sh", "-c", "cat /etc/resolv.conf; timeout 3 nslookup first")
	if r.Code == 0 || strings.Contains(r.Stdout, "127.0.0.11") || strings.Contains(r.Stdout, "10.232.0.5") {
		t.Errorf("the default bridge resolved a container's name or has 127.0.0.11: %v", r)
	}
	r = e.Run("run", "--rm", "--network", "othernet", "busybox", "timeout", "10", "nslookup", "first")
	if r.Code == 0 || strings.Contains(r.Stdout, "10.232.0.5") {
		t.Errorf("a container on othernet resolved dnsnet's first: %v", r)
	}
	r = e.Run("run", "--rm", "--network-alias", "x", "busybox", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "network-scoped alias is supported only for containers in user defined networks") {
		t.Errorf("--network-alias on the default bridge = %v, want Docker's refusal and 125", r)
	}
}

// waitPage waits until url answers with text, from the host.
func waitPage(t *testing.T, h *harness.NetHost, url, text string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if out, err := h.Sh("busybox timeout 2 busybox wget -q -O- " + url); err == nil && strings.Contains(out, text) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never answered %q", url, text)
}

// fakeResolver serves 127.0.0.1:53, UDP and TCP, inside the fake host's
// namespace: A for upstreamName, NXDOMAIN for anything else. It counts the
// questions for upstreamName, and those of them that came over TCP. Its
// sockets are made by a thread inside that namespace.
func fakeResolver(t *testing.T, h *harness.NetHost) (asked, overTCP *atomic.Int32) {
	var udp net.PacketConn
	var tcp net.Listener
	inNetns(t, h.NetnsPath(), func() error {
		var err error
		if udp, err = net.ListenPacket("udp4", "127.0.0.1:53"); err != nil {
			return err
		}
		tcp, err = net.Listen("tcp4", "127.0.0.1:53")
		return err
	})
	t.Cleanup(func() { udp.Close(); tcp.Close() })
	asked, overTCP = new(atomic.Int32), new(atomic.Int32)
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := udp.ReadFrom(buf)
			if err != nil {
				return
			}
			if reply := fakeAnswer(buf[:n], asked); reply != nil {
				udp.WriteTo(reply, from)
			}
		}
	}()
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				for {
					query, err := readTCP(c)
					if err != nil {
						return
					}
					n := asked.Load()
					reply := fakeAnswer(query, asked)
					if reply == nil {
						return
					}
					if asked.Load() > n {
						overTCP.Add(1)
					}
					c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(reply))), reply...))
				}
			}()
		}
	}()
	return asked, overTCP
}

// fakeAnswer is the fake resolver's answer to a query, nil for garbage.
func fakeAnswer(buf []byte, asked *atomic.Int32) []byte {
	n := len(buf)
	if n < 17 {
		return nil
	}
	// The question: labels from byte 12 to the zero label.
	i, labels := 12, []string{}
	for i < n && buf[i] != 0 && i+1+int(buf[i]) <= n {
		labels = append(labels, string(buf[i+1:i+1+int(buf[i])]))
		i += 1 + int(buf[i])
	}
	if i+5 > n {
		return nil
	}
	q := append([]byte(nil), buf[12:i+5]...)
	reply := append([]byte{buf[0], buf[1], 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0}, q...)
	qtype := binary.BigEndian.Uint16(buf[i+1:])
	if strings.EqualFold(strings.Join(labels, "."), upstreamName) {
		asked.Add(1)
		if qtype == 1 {
			reply[7] = 1
			reply = append(reply, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
			reply = append(reply, net.ParseIP(upstreamIP).To4()...)
		}
	} else {
		reply[3] |= 3 // NXDOMAIN
	}
	return reply
}

// readTCP reads one DNS message of a TCP stream: two bytes of length, then
// the message.
func readTCP(c io.Reader) ([]byte, error) {
	var l [2]byte
	if _, err := io.ReadFull(c, l[:]); err != nil {
		return nil, err
	}
	msg := make([]byte, binary.BigEndian.Uint16(l[:]))
	_, err := io.ReadFull(c, msg)
	return msg, err
}

// inNetns runs fn on a thread inside the network namespace at path: a
// socket fn makes stays in that namespace. The thread goes back and is
// unlocked, not left to die: a thread's exit fires Pdeathsig in the
// children it forked, and it may be the one that started the fake host's
// holder.
func inNetns(t *testing.T, path string, fn func() error) {
	t.Helper()
	ns, err := os.Open(path)
	require.NoError(t, err)
	defer ns.Close()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			done <- err
			return
		}
		defer self.Close()
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		err = fn()
		if serr := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); serr != nil {
			done <- serr
			select {} // stay locked, and alive, in the wrong namespace
		}
		runtime.UnlockOSThread()
		done <- err
	}()
	require.NoError(t, <-done)
}

// TestEmbeddedDNSOverTCP: the embedded server answers over TCP too, where
// a client goes after a truncated UDP answer. busybox's nslookup cannot be
// made to use TCP, so the test is the client: a TCP connection made from
// inside a container's network namespace to 127.0.0.11:53, which the
// container's own nat table sends to the server's socket. Two queries on
// one connection: a container's alias, and an outside name, which the
// server forwards over TCP to the test's resolver on the fake host.
func TestEmbeddedDNSOverTCP(t *testing.T) {
	e := harness.New(t)
	h := e.NetHost("nameserver 127.0.0.1\nsearch example.test\n")
	e.Busybox()
	asked, overTCP := fakeResolver(t, h)
	e.MustRun("network", "create", "--subnet", "10.232.0.0/24", "dnsnet")
	defer e.Run("network", "rm", "dnsnet")
	cmd := e.Cmd("run", "--rm", "--name", "box", "--network", "dnsnet", "--ip", "10.232.0.5",
		"--network-alias", "db", "busybox", "sleep", "1000")
	require.NoError(t, cmd.Start())
	defer stop(cmd)
	var pid string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r := e.Run("inspect", "-f", "{{.State.Pid}}", "box")
		if pid = strings.TrimSpace(r.Stdout); r.Code == 0 && pid != "0" && pid != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("box never ran: %v", r)
		}
	}

	var c net.Conn
	for deadline := time.Now().Add(20 * time.Second); c == nil; time.Sleep(100 * time.Millisecond) {
		inNetns(t, "/proc/"+pid+"/ns/net", func() error {
			c, _ = net.DialTimeout("tcp4", "127.0.0.11:53", 2*time.Second)
			return nil
		})
		if c == nil && time.Now().After(deadline) {
			t.Fatalf("no TCP connection to 127.0.0.11:53 inside the container")
		}
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for _, tc := range []struct{ name, want string }{
		{"db", "10.232.0.5"},
		{upstreamName, upstreamIP},
	} {
		q := []byte{0, 42, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
		for _, l := range strings.Split(tc.name, ".") {
			q = append(append(q, byte(len(l))), l...)
		}
		q = append(q, 0, 0, 1, 0, 1)
		_, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(q))), q...))
		require.NoError(t, err)
		reply, err := readTCP(c)
		require.NoError(t, err, "the answer for %s over TCP", tc.name)
		// One A record, after the echoed question; its address last.
		if len(reply) < len(q)+16 || reply[7] != 1 || net.IP(reply[len(reply)-4:]).String() != tc.want {
			t.Errorf("%s over TCP: answer %x, want one A record %s", tc.name, reply, tc.want)
		}
	}
	if asked.Load() != 1 || overTCP.Load() != 1 {
		t.Errorf("the fake host's resolver was asked %d times, %d over TCP; want once, over TCP", asked.Load(), overTCP.Load())
	}
}

// The embedded DNS server of a user-defined network, as Docker's: every
// container on such a network has `nameserver 127.0.0.11` in its
// /etc/resolv.conf, and a query sent there is answered with the addresses
// of the containers on the same network whose name, alias (--network-alias)
// or short ID it names; any other name is forwarded to the host's own
// resolvers. The default bridge has none of this, as in Docker.
//
// Where the server is: a UDP socket and a TCP listener that mydocker opens
// *inside the container's network namespace* — a socket stays in the
// namespace it was created in, whichever thread later reads it — bound to
// 127.0.0.11 on ports the kernel picks, because the container may well
// serve port 53 itself. Two iptables rules in the container's own nat table
// send 127.0.0.11:53 there, one per protocol. The process serving them is
// the one holding the container's network — its foreground `mydocker run`,
// or the monitor of a detached one — goroutines until the container ends;
// the namespace takes the rules and the sockets with it. TCP is in
// resolver_tcp_linux.go.
//
// Names come from the state file, read again whenever it has changed
// (names_linux.go), so a container started later is found at once, and one
// whose run is gone no longer answers; a flood of queries costs a stat and
// a map lookup each, not a read of the state and of /proc.

package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// DNSAddr is the embedded resolver's address inside every container.
const DNSAddr = "127.0.0.11"

const (
	// forwardTimeout bounds one try of one upstream resolver.
	forwardTimeout = 2 * time.Second
	// maxForwards bounds the forwarded queries in flight: a container
	// flooding unknown names gets SERVFAIL, not a goroutine each.
	maxForwards = 32
)

// A resolver serves one container's 127.0.0.11, over UDP and TCP.
type resolver struct {
	conn     net.PacketConn
	ln       net.Listener // TCP: a client retries there after a truncated answer
	lookup   func(name string) (ips []net.IP, known bool)
	upstream []string // host:53 of the host's resolvers
	slots    chan struct{}
	done     chan struct{} // closed by close: TCP connections end
	wg       sync.WaitGroup
}

// startResolver opens the resolver's sockets inside the network namespace
// ns, sends 127.0.0.11:53 to them, and serves until close.
func startResolver(ns *os.File, lookup func(string) ([]net.IP, bool), upstream []string) (*resolver, error) {
	var udp, tcp int
	err := inNetnsFD(int(ns.Fd()), func() error {
		var err error
		if udp, err = dnsSocket(unix.SOCK_DGRAM, "udp"); err != nil {
			return err
		}
		if tcp, err = dnsSocket(unix.SOCK_STREAM, "tcp"); err != nil {
			unix.Close(udp)
			return err
		}
		// The container's own nat table: its queries to :53, over UDP and
		// TCP, go to the sockets' ports, one rule for each, as Docker
		// writes them; one iptables-restore writes both. A reply comes
		// back from :53 by conntrack's undoing.
		rules := "*nat\n" + dnatRule("udp", boundPort(udp)) + dnatRule("tcp", boundPort(tcp)) + "COMMIT\n"
		if err := iptablesRestore(rules); err != nil {
			unix.Close(udp)
			unix.Close(tcp)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(udp), "dns-udp")
	conn, err := net.FilePacketConn(f)
	f.Close()
	if err != nil {
		unix.Close(tcp)
		return nil, err
	}
	f = os.NewFile(uintptr(tcp), "dns-tcp")
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		conn.Close()
		return nil, err
	}
	r := &resolver{conn: conn, ln: ln, lookup: lookup, upstream: upstream,
		slots: make(chan struct{}, maxForwards), done: make(chan struct{})}
	r.wg.Add(2)
	go r.serve()
	go r.serveTCP()
	return r, nil
}

// dnsSocket makes a socket of type typ (SOCK_DGRAM or SOCK_STREAM) in the
// calling thread's network namespace, bound to 127.0.0.11 on a port the
// kernel picks: port 53 stays the container's own.
func dnsSocket(typ int, proto string) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	fail := func(err error) (int, error) { unix.Close(fd); return -1, err }
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 11}}); err != nil {
		return fail(os.NewSyscallError("bind "+DNSAddr+" ("+proto+")", err))
	}
	if typ == unix.SOCK_STREAM {
		if err := unix.Listen(fd, 16); err != nil {
			return fail(os.NewSyscallError("listen", err))
		}
	}
	trace.Step("embedded DNS: %s socket bound to %s:%d inside the container's netns", proto, DNSAddr, boundPort(fd))
	return fd, nil
}

// boundPort is the local port a socket is bound to.
func boundPort(fd int) int {
	if sa, err := unix.Getsockname(fd); err == nil {
		if in4, ok := sa.(*unix.SockaddrInet4); ok {
			return in4.Port
		}
	}
	return 0
}

// dnatRule is the nat table's rule, in iptables-save's format, that sends
// the container's queries to 127.0.0.11:53 over proto to port.
func dnatRule(proto string, port int) string {
	return "-A OUTPUT -d " + DNSAddr + "/32 -p " + proto + " -m " + proto + " --dport 53 -j DNAT --to-destination " +
		DNSAddr + ":" + strconv.Itoa(port) + "\n"
}

// inNetnsFD runs fn on a locked OS thread that has entered the network
// namespace nsfd, then returns the thread to its own. Programs fn starts
// (iptables) are forked from that thread and so run inside too. Should
// the thread fail to go back, it stays locked and dies with its goroutine.
func inNetnsFD(nsfd int, fn func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- &os.PathError{Op: "open", Path: "/proc/thread-self/ns/net", Err: err}
			return
		}
		defer unix.Close(self)
		if err := unix.Setns(nsfd, unix.CLONE_NEWNET); err != nil {
			done <- os.NewSyscallError("setns CLONE_NEWNET", err)
			return
		}
		err = fn()
		if serr := unix.Setns(self, unix.CLONE_NEWNET); serr != nil {
			done <- errors.Join(err, os.NewSyscallError("setns back to own network namespace", serr))
			return
		}
		runtime.UnlockOSThread()
		done <- err
	}()
	return <-done
}

// close stops serving and waits for the queries in flight.
func (r *resolver) close() {
	if r == nil {
		return
	}
	r.conn.Close()
	r.ln.Close()
	close(r.done)
	r.wg.Wait()
}

// serve answers UDP queries until the socket is closed. One fixed buffer:
// a datagram larger than it is cut, and then fails to parse.
func (r *resolver) serve() {
	defer r.wg.Done()
	buf := make([]byte, maxDNSMessage)
	for {
		n, from, err := r.conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if reply := r.handle(buf[:n], from); reply != nil {
			r.conn.WriteTo(reply, from)
		}
	}
}

// local answers what the resolver knows by itself: garbage, other opcodes,
// and the names of the network's containers. A nil answer with a non-nil
// query means "forward it"; a nil query, "not even a header: drop it".
func (r *resolver) local(msg []byte) (*dnsQuery, []byte) {
	q, err := parseQuery(msg)
	switch {
	case q == nil:
		return nil, nil
	case err != nil:
		q.question = nil
		return q, q.answer(rcodeFormErr, nil)
	case q.opcode != 0:
		return q, q.answer(rcodeNotImp, nil)
	}
	if q.Class == dnsClassIN && q.Name != "" {
		if ips, known := r.lookup(q.Name); known {
			trace.Step("embedded DNS: %s → %v", q.Name, ips)
			if q.Type != dnsTypeA {
				ips = nil // the name exists, with IPv4 addresses only
			}
			return q, q.answer(rcodeOK, ips)
		}
	}
	if len(r.upstream) == 0 {
		return q, q.answer(rcodeNXDomain, nil)
	}
	return q, nil
}

// handle answers one UDP query at once, cut to 512 bytes with the TC bit
// set if it is longer (the client then asks again over TCP), or hands it
// to a forwarder and returns nil.
func (r *resolver) handle(msg []byte, from net.Addr) []byte {
	q, reply := r.local(msg)
	if q == nil || reply != nil {
		return truncate(reply, maxUDPAnswer)
	}
	select {
	case r.slots <- struct{}{}:
	default:
		return q.answer(rcodeServFail, nil)
	}
	query := append([]byte(nil), msg...)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { <-r.slots }()
		reply := r.forward("udp", query, q.ID)
		if reply == nil {
			reply = q.answer(rcodeServFail, nil)
		}
		r.conn.WriteTo(reply, from)
	}()
	return nil
}

// forward asks the host's resolvers in turn, over network ("udp" or
// "tcp", as the container asked), from the host's network namespace (this
// goroutine's thread is in it), as Docker does for a resolver on the
// host's loopback. It returns nil if none answered.
func (r *resolver) forward(network string, query []byte, id uint16) []byte {
	for _, up := range r.upstream {
		c, err := net.DialTimeout(network, up, forwardTimeout)
		if err != nil {
			continue
		}
		c.SetDeadline(time.Now().Add(forwardTimeout))
		var reply []byte
		if network == "tcp" {
			reply = exchangeTCP(c, query, id)
		} else {
			reply = exchangeUDP(c, query, id)
		}
		c.Close()
		if reply != nil {
			trace.Step("embedded DNS: forwarded to %s over %s", up, network)
			return reply
		}
	}
	return nil
}

// exchangeUDP sends query and returns the first datagram that answers it.
func exchangeUDP(c net.Conn, query []byte, id uint16) []byte {
	buf := make([]byte, maxDNSMessage)
	_, err := c.Write(query)
	for err == nil {
		var n int
		n, err = c.Read(buf)
		// A stray datagram with another ID is not the answer.
		if err == nil && n >= dnsHeaderLen && binary.BigEndian.Uint16(buf) == id {
			return buf[:n]
		}
	}
	return nil
}

// upstreams are the host's resolvers, port 53, from its resolv.conf as
// mydocker read it before writing the container's.
func upstreams() []string {
	var out []string
	for _, ip := range nameservers(hostResolvConf()) {
		if ip.To4() != nil {
			out = append(out, net.JoinHostPort(ip.String(), "53"))
		}
	}
	return out
}

// EmbeddedResolvConf is the /etc/resolv.conf of a container on a user
// network: the embedded server, the host's search and options lines, and
// ndots:0 as Docker writes it (a dotless name is tried as it is first).
func EmbeddedResolvConf(host string) string {
	var b strings.Builder
	b.WriteString("nameserver " + DNSAddr + "\n")
	for _, line := range strings.Split(host, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "search" || f[0] == "domain") {
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("options ndots:0\n")
	return b.String()
}

// searchDomains are the search list of a resolv.conf.
func searchDomains(conf string) []string {
	var out []string
	for _, line := range strings.Split(conf, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && (f[0] == "search" || f[0] == "domain") {
			out = append(out, f[1:]...)
		}
	}
	return out
}

// checkAliases refuses what Docker refuses for --network-alias.
func checkAliases(mode string, aliases []string) error {
	if len(aliases) == 0 {
		return nil
	}
	switch mode {
	case "", "default", DefaultName, "host", "none":
		return fmt.Errorf("network-scoped alias is supported only for containers in user defined networks")
	}
	for _, a := range aliases {
		if a == "" || len(a) > 255 || strings.ContainsAny(a, " \t/") {
			return fmt.Errorf("invalid --network-alias %q: give a DNS name such as db", a)
		}
	}
	return nil
}

// DNS over TCP for the embedded resolver (RFC 1035 §4.2.2, RFC 7766): each
// message is preceded by its length in two bytes, and a connection may
// carry several queries. A client comes here when a UDP answer arrived
// with the TC bit set (more than 512 bytes: a name with many containers
// behind one alias), or when it is made to (`dig +tcp`, `options
// use-vc` in resolv.conf). The listening socket lives in the container's
// network namespace, beside the UDP one, and its own DNAT rule sends
// 127.0.0.11:53/tcp to it (startResolver).
//
// A connection is hostile input too: at most maxForwards of them at once
// (one more is closed at once), each message at most maxDNSMessage bytes,
// and a connection that stays idle for tcpIdle is closed.

package network

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"time"
)

// tcpIdle is how long a DNS connection may wait for its next query.
const tcpIdle = 10 * time.Second

// serveTCP accepts connections until the listener is closed.
func (r *resolver) serveTCP() {
	defer r.wg.Done()
	conns := make(chan struct{}, maxForwards)
	for {
		c, err := r.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // EMFILE and the like: don't spin
			continue
		}
		select {
		case conns <- struct{}{}:
		default:
			c.Close()
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() { <-conns }()
			r.serveConn(c)
		}()
	}
}

// serveConn answers the queries of one connection, in order, until the
// client closes it, stays idle, sends garbage, or the resolver closes.
func (r *resolver) serveConn(c net.Conn) {
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() { // close unblocks a read when the resolver closes
		select {
		case <-stop:
		case <-r.done:
			c.Close()
		}
	}()
	for {
		c.SetDeadline(time.Now().Add(tcpIdle))
		msg, err := readTCPMessage(c, maxDNSMessage)
		if err != nil {
			return
		}
		q, reply := r.local(msg)
		if q == nil {
			return
		}
		if reply == nil {
			if reply = r.forward("tcp", msg, q.ID); reply == nil {
				reply = q.answer(rcodeServFail, nil)
			}
		}
		if _, err := c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(reply)))); err != nil {
			return
		}
		if _, err := c.Write(reply); err != nil {
			return
		}
	}
}

// readTCPMessage reads one length-prefixed message of at most max bytes.
func readTCPMessage(c io.Reader, max int) ([]byte, error) {
	var l [2]byte
	if _, err := io.ReadFull(c, l[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(l[:]))
	if n < dnsHeaderLen || n > max {
		return nil, errBadQuery
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(c, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// exchangeTCP sends query on a connection to an upstream resolver and
// returns its answer, if that answers it.
func exchangeTCP(c net.Conn, query []byte, id uint16) []byte {
	msg := binary.BigEndian.AppendUint16(nil, uint16(len(query)))
	if _, err := c.Write(append(msg, query...)); err != nil {
		return nil
	}
	reply, err := readTCPMessage(c, 65535)
	if err != nil || binary.BigEndian.Uint16(reply) != id {
		return nil
	}
	return reply
}

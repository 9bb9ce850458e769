// The DNS wire format (RFC 1035 §4), as much of it as the embedded
// resolver needs: parse a query's one question, and write an answer with A
// records, an empty answer, or an error code. Everything a container sends
// is hostile: a message is read into a fixed buffer, a name has at most
// 255 bytes in labels of at most 63, and compression pointers — which only
// answers need, and which can point in circles — are refused in a query.

package network

import (
	"encoding/binary"
	"errors"
	"net"
	"strings"
)

// DNS constants (RFC 1035).
const (
	dnsTypeA    = 1
	dnsTypeAAAA = 28
	dnsClassIN  = 1

	rcodeOK       = 0
	rcodeFormErr  = 1
	rcodeServFail = 2
	rcodeNXDomain = 3
	rcodeNotImp   = 4

	dnsHeaderLen = 12
	// maxDNSMessage is what the resolver reads or relays at most: a
	// query fits in 512 bytes; a forwarded answer with EDNS may be larger.
	maxDNSMessage = 4096
	// maxUDPAnswer is the most a UDP answer may carry (RFC 1035 §4.2.1;
	// this server speaks no EDNS): a longer one is cut, with the TC bit set,
	// and the client asks again over TCP.
	maxUDPAnswer = 512
	// maxAnswers bounds the records of one answer (a name with many
	// containers behind an alias): 4 KiB over TCP.
	maxAnswers = 255
	// dnsTTL is how long a client may cache a container's address: short,
	// containers come and go (Docker says 600; a restart changes the IP).
	dnsTTL = 10
)

var errBadQuery = errors.New("malformed DNS query")

// A dnsQuery is the one question of a query.
type dnsQuery struct {
	ID       uint16
	RD       bool   // recursion desired, echoed back
	Name     string // lower case, no trailing dot
	Type     uint16
	Class    uint16
	question []byte // the question's bytes, echoed in the answer
	opcode   int
}

// parseQuery parses a query. It returns errBadQuery for anything that is
// not a standard query with exactly one question.
func parseQuery(b []byte) (*dnsQuery, error) {
	if len(b) < dnsHeaderLen {
		return nil, errBadQuery
	}
	flags := binary.BigEndian.Uint16(b[2:])
	q := &dnsQuery{ID: binary.BigEndian.Uint16(b), RD: flags&0x0100 != 0, opcode: int(flags>>11) & 0xf}
	if flags&0x8000 != 0 || binary.BigEndian.Uint16(b[4:]) != 1 {
		return q, errBadQuery // an answer, or not one question
	}
	var labels []string
	i, size := dnsHeaderLen, 0
	for {
		if i >= len(b) {
			return q, errBadQuery
		}
		n := int(b[i])
		i++
		if n == 0 {
			break
		}
		// 0xC0 is a compression pointer, 0x40 and 0x80 are reserved.
		if n > 63 || i+n > len(b) {
			return q, errBadQuery
		}
		if size += n + 1; size > 255 {
			return q, errBadQuery
		}
		labels = append(labels, string(b[i:i+n]))
		i += n
	}
	if i+4 > len(b) {
		return q, errBadQuery
	}
	q.Type, q.Class = binary.BigEndian.Uint16(b[i:]), binary.BigEndian.Uint16(b[i+2:])
	q.question = b[dnsHeaderLen : i+4]
	q.Name = strings.ToLower(strings.Join(labels, "."))
	return q, nil
}

// answer writes the reply to q: rcode, and one A record per address.
// The records name the question by a pointer to it (0xC00C, offset 12).
func (q *dnsQuery) answer(rcode int, ips []net.IP) []byte {
	if len(ips) > maxAnswers {
		ips = ips[:maxAnswers]
	}
	b := make([]byte, dnsHeaderLen, dnsHeaderLen+len(q.question)+16*len(ips))
	binary.BigEndian.PutUint16(b, q.ID)
	// QR (an answer), AA (we own these names), RA (we forward the rest),
	// RD echoed, the opcode echoed.
	flags := uint16(0x8000|0x0400|0x0080) | uint16(q.opcode&0xf)<<11 | uint16(rcode&0xf)
	if q.RD {
		flags |= 0x0100
	}
	binary.BigEndian.PutUint16(b[2:], flags)
	if q.question != nil {
		binary.BigEndian.PutUint16(b[4:], 1)
		b = append(b, q.question...)
	}
	binary.BigEndian.PutUint16(b[6:], uint16(len(ips)))
	for _, ip := range ips {
		b = append(b, 0xc0, dnsHeaderLen)
		b = binary.BigEndian.AppendUint16(b, dnsTypeA)
		b = binary.BigEndian.AppendUint16(b, dnsClassIN)
		b = binary.BigEndian.AppendUint32(b, dnsTTL)
		b = binary.BigEndian.AppendUint16(b, 4)
		b = append(b, ip.To4()...)
	}
	return b
}

// truncate cuts an answer to at most size bytes for UDP: whole A records
// are dropped from the end, the count fixed, and the TC bit set, so that
// the client knows to ask again over TCP (RFC 2181 §9). The answers this
// server writes are one question and fixed 16-byte records.
func truncate(b []byte, size int) []byte {
	if len(b) <= size {
		return b
	}
	n := int(binary.BigEndian.Uint16(b[6:]))
	head := len(b) - 16*n // header and question
	keep := (size - head) / 16
	if keep < 0 {
		keep = 0
	}
	b = b[:head+16*keep]
	b[2] |= 0x02 // TC
	binary.BigEndian.PutUint16(b[6:], uint16(keep))
	return b
}

// buildQuery writes a query for name and type (the tests' client, and
// what an Example shows).
func buildQuery(id uint16, name string, typ uint16) []byte {
	b := make([]byte, dnsHeaderLen, 64)
	binary.BigEndian.PutUint16(b, id)
	binary.BigEndian.PutUint16(b[2:], 0x0100) // RD
	binary.BigEndian.PutUint16(b[4:], 1)
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, typ)
	return binary.BigEndian.AppendUint16(b, dnsClassIN)
}

// parseAnswerA reads the rcode and the A records of an answer to a query
// built by buildQuery (a test's view; the resolver never parses answers).
func parseAnswerA(b []byte) (rcode int, ips []net.IP, err error) {
	q, err := parseQuestionOf(b)
	if err != nil {
		return 0, nil, err
	}
	rcode = int(binary.BigEndian.Uint16(b[2:]) & 0xf)
	i := dnsHeaderLen + len(q.question)
	for n := int(binary.BigEndian.Uint16(b[6:])); n > 0; n-- {
		if i+12 > len(b) || b[i] != 0xc0 {
			return 0, nil, errBadQuery
		}
		typ, rdlen := binary.BigEndian.Uint16(b[i+2:]), int(binary.BigEndian.Uint16(b[i+10:]))
		i += 12
		if i+rdlen > len(b) {
			return 0, nil, errBadQuery
		}
		if typ == dnsTypeA && rdlen == 4 {
			ips = append(ips, net.IP(append([]byte(nil), b[i:i+4]...)))
		}
		i += rdlen
	}
	return rcode, ips, nil
}

// parseQuestionOf parses an answer's question as parseQuery parses a
// query's (the QR bit aside).
func parseQuestionOf(b []byte) (*dnsQuery, error) {
	if len(b) < dnsHeaderLen {
		return nil, errBadQuery
	}
	c := append([]byte(nil), b...)
	c[2] &^= 0x80
	return parseQuery(c)
}

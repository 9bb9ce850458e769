// The socket: one AF_NETLINK/NETLINK_ROUTE socket per Conn. A request goes
// out with NLM_F_REQUEST|NLM_F_ACK and the kernel answers with an
// NLMSG_ERROR message whose errno is 0 for success: every change is
// confirmed or refused, never silently dropped. A dump (NLM_F_DUMP) answers
// with many messages, ended by NLMSG_DONE.
//
// A netlink socket acts in the network namespace it was created in, for its
// whole life. DialNetns uses that: it creates the socket on a thread that
// has briefly entered another namespace, so the caller can then configure a
// container's eth0 from the host, from any goroutine.

package netlink

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// A Conn is a route netlink socket. Its methods may be called from one
// goroutine at a time.
type Conn struct {
	fd  int
	seq uint32
	mu  sync.Mutex
	ns  string // "" for the caller's namespace, else what the trace calls it
}

// Dial opens a route netlink socket in the caller's network namespace.
func Dial() (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket AF_NETLINK", err)
	}
	// Replies larger than a default receive buffer (a dump of many links)
	// are fine: recv reads them one datagram at a time. Ask for extended
	// ACKs, so a refusal can carry the kernel's own message.
	unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	// The kernel answers at once; a request left unanswered is a bug here,
	// and must fail rather than hang a container's start.
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 10})
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind AF_NETLINK", err)
	}
	return &Conn{fd: fd, seq: uint32(time.Now().UnixNano())}, nil
}

// DialNetns opens a route netlink socket in the network namespace nsfd
// refers to (an open /proc/PID/ns/net). The calling thread enters it with
// setns(2) only for the socket(2) call, then goes back; should it fail to
// go back, the thread stays locked and Go discards it when this returns.
func DialNetns(nsfd int, name string) (*Conn, error) {
	type result struct {
		c   *Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		// Not unlocked on purpose in the error paths: a thread in the
		// wrong namespace must die with this goroutine.
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- result{nil, &os.PathError{Op: "open", Path: "/proc/thread-self/ns/net", Err: err}}
			return
		}
		defer unix.Close(self)
		trace.Step("setns(%s, CLONE_NEWNET); socket(AF_NETLINK); setns back: a socket that acts inside", name)
		if err := unix.Setns(nsfd, unix.CLONE_NEWNET); err != nil {
			done <- result{nil, os.NewSyscallError("setns CLONE_NEWNET", err)}
			runtime.UnlockOSThread()
			return
		}
		c, err := Dial()
		if err := unix.Setns(self, unix.CLONE_NEWNET); err != nil {
			if c != nil {
				c.Close()
			}
			done <- result{nil, os.NewSyscallError("setns back to own network namespace", err)}
			return
		}
		runtime.UnlockOSThread()
		if c != nil {
			c.ns = name
		}
		done <- result{c, err}
	}()
	r := <-done
	return r.c, r.err
}

// Close closes the socket.
func (c *Conn) Close() error { return unix.Close(c.fd) }

// Do sends one request and waits for its ACK. what names it for the trace
// and for errors ("RTM_NEWLINK bridge mydocker0").
func (c *Conn) Do(what string, m Message) error {
	m.Flags |= unix.NLM_F_REQUEST | unix.NLM_F_ACK
	_, err := c.exchange(what, m)
	return err
}

// Dump sends a dump request and returns the data of every message.
func (c *Conn) Dump(what string, m Message) ([]Reply, error) {
	m.Flags |= unix.NLM_F_REQUEST | unix.NLM_F_DUMP
	return c.exchange(what, m)
}

// exchange sends m and reads until its ACK, error or NLMSG_DONE.
func (c *Conn) exchange(what string, m Message) ([]Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	m.Seq = c.seq
	b := m.Encode()
	t0 := time.Now()
	out, err := c.roundTrip(b, m.Seq)
	if trace.Enabled() {
		where := ""
		if c.ns != "" {
			where = " in " + c.ns
		}
		result := "ok"
		if err != nil {
			result = err.Error()
		}
		trace.Step("netlink %s%s (%d bytes) = %s [%.2fms]", what, where, len(b), result, float64(time.Since(t0).Microseconds())/1000)
	}
	if err != nil {
		return nil, &Error{Op: what, Err: err}
	}
	return out, nil
}

func (c *Conn) roundTrip(b []byte, seq uint32) ([]Reply, error) {
	if err := unix.Sendto(c.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, os.NewSyscallError("sendto", err)
	}
	var out []Reply
	buf := make([]byte, 64<<10)
	for {
		n, _, err := unix.Recvfrom(c.fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, os.NewSyscallError("recvfrom", err)
		}
		replies, err := ParseReplies(buf[:n])
		if err != nil {
			return nil, err
		}
		for _, r := range replies {
			if r.Seq != seq {
				continue // a late answer to an earlier request
			}
			switch r.Type {
			case unix.NLMSG_DONE:
				return out, nil
			case unix.NLMSG_ERROR:
				if len(r.Data) < 4 {
					return nil, errShort
				}
				if errno := -int32(native.Uint32(r.Data)); errno != 0 {
					return nil, ackError(unix.Errno(errno), r)
				}
				return out, nil // the ACK
			default:
				out = append(out, Reply{Type: r.Type, Flags: r.Flags, Seq: r.Seq, Data: append([]byte(nil), r.Data...)})
			}
		}
	}
}

// ackError is the errno of a refused request, with the kernel's extended
// ACK message (NLMSGERR_ATTR_MSG) when it sent one.
func ackError(errno unix.Errno, r Reply) error {
	if r.Flags&unix.NLM_F_ACK_TLVS != 0 && len(r.Data) >= 4+sizeofNlmsghdr {
		// After the errno: the request's header (capped), then TLVs.
		reqLen := sizeofNlmsghdr
		if r.Flags&unix.NLM_F_CAPPED == 0 {
			reqLen = int(native.Uint32(r.Data[4:]))
		}
		if 4+reqLen <= len(r.Data) {
			if attrs, err := ParseAttrs(r.Data[4+reqLen:]); err == nil {
				if msg, ok := attrs[unix.NLMSGERR_ATTR_MSG]; ok {
					return &kernelError{errno, cString(msg)}
				}
			}
		}
	}
	return errno
}

type kernelError struct {
	errno unix.Errno
	msg   string
}

func (e *kernelError) Error() string { return e.errno.Error() + " (" + e.msg + ")" }
func (e *kernelError) Unwrap() error { return e.errno }

// An Error is a refused or failed request. Err unwraps to the errno, so
// callers can test errors.Is(err, unix.EEXIST).
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string {
	if hint := explain(e.Err); hint != "" {
		return fmt.Sprintf("netlink %s: %v: %s", e.Op, e.Err, hint)
	}
	return fmt.Sprintf("netlink %s: %v", e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// explain turns the errnos a student meets into causes.
func explain(err error) string {
	switch {
	case errors.Is(err, unix.EEXIST):
		return "an interface, address or route of that name or value exists already"
	case errors.Is(err, unix.ENODEV):
		return "no such interface (gone, or in another network namespace)"
	case errors.Is(err, unix.EOPNOTSUPP):
		return "the kernel lacks this link type: load its module (modprobe veth, modprobe bridge) or run `mydocker doctor`"
	case errors.Is(err, unix.EPERM):
		return "changing the network needs CAP_NET_ADMIN: run as root"
	case errors.Is(err, unix.ENETUNREACH):
		return "the gateway is not on any subnet of the interface: add the address first"
	case errors.Is(err, unix.EBUSY):
		return "the interface is busy (already enslaved to a bridge?)"
	}
	return ""
}

// DoRaw sends a request already encoded (the lab's), with this socket's
// sequence number and the REQUEST and ACK flags set, and waits for the ACK.
func (c *Conn) DoRaw(what string, b []byte) error {
	if len(b) < sizeofNlmsghdr || int(native.Uint32(b)) != len(b) {
		if len(b) < 4 {
			return &Error{Op: what, Err: fmt.Errorf("a message of %d bytes has no header", len(b))}
		}
		return &Error{Op: what, Err: fmt.Errorf("nlmsg_len is %d, the message %d bytes", native.Uint32(b[:min(4, len(b))]), len(b))}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	b = append([]byte(nil), b...)
	native.PutUint16(b[6:], native.Uint16(b[6:])|unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	native.PutUint32(b[8:], c.seq)
	if _, err := c.roundTrip(b, c.seq); err != nil {
		return &Error{Op: what, Err: err}
	}
	return nil
}

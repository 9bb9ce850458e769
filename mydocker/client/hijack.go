// Hijacking: attach and exec start turn their HTTP connection into a raw
// stream both ways. The client asks with "Connection: Upgrade" and
// "Upgrade: tcp"; the daemon answers 101 UPGRADED (200 from an old one)
// and from then on the connection carries the container's output as
// stdcopy frames, and our stdin as plain bytes. Go's http.Client cannot
// hand the connection over, so the request is written by hand on a
// connection of our own.

package client

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
)

// Stream is a hijacked connection: Reader the daemon's side (frames, or
// the terminal's raw bytes), Conn to write stdin to and close.
type Stream struct {
	Conn   net.Conn
	Reader *bufio.Reader
}

// CloseWrite ends our stdin: the daemon sees its end, the process its EOF.
func (s *Stream) CloseWrite() error {
	if u, ok := s.Conn.(*net.UnixConn); ok {
		return u.CloseWrite()
	}
	return nil
}

// Close closes the connection.
func (s *Stream) Close() error { return s.Conn.Close() }

// Hijack makes a request whose answer is a raw stream.
func (c *Client) Hijack(method, path string, query url.Values, in any) (*Stream, error) {
	req, err := c.newRequest(method, path, query, in)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "tcp")
	conn, err := c.dial(context.Background())
	if err != nil {
		return nil, err
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if resp.StatusCode >= 400 {
		defer conn.Close()
		return nil, readError(resp)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols && resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, &Error{Status: resp.StatusCode, Message: "the daemon did not upgrade the connection: " + resp.Status}
	}
	return &Stream{Conn: conn, Reader: br}, nil
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

var _ io.Closer = (*Stream)(nil)

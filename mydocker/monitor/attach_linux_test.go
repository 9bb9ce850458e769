package monitor

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/attach"
)

// The monitor serves maxClients attached clients at once; one more has its
// connection closed at once, and a place freed is taken again.
func TestAttachClientsCapped(t *testing.T) {
	dir := t.TempDir()
	h, err := listen(dir, false)
	require.NoError(t, err)
	defer h.close()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range maxClients {
		c, err := attach.Dial(dir)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	ended := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := c.Read(make([]byte, 1))
		return err == io.EOF
	}
	extra, err := attach.Dial(dir)
	require.NoError(t, err)
	defer extra.Close()
	if !ended(extra) {
		t.Errorf("client %d: its connection stays open, want it closed (at most %d clients)", maxClients+1, maxClients)
	}
	// Once a client has gone, a new one is served.
	clients := func(want int) {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			h.mu.Lock()
			n := len(h.clients)
			h.mu.Unlock()
			if n == want || time.Now().After(deadline) {
				return
			}
		}
	}
	conns[0].Close()
	clients(maxClients - 1)
	again, err := attach.Dial(dir)
	require.NoError(t, err)
	conns[0] = again
	clients(maxClients)
	h.broadcast(attach.Stdout, []byte("hi"))
	buf := make([]byte, 10)
	again.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := io.ReadFull(again, buf); err != nil || string(buf[8:n]) != "hi" {
		t.Errorf("a client after one went: read %q, %v, want the output frame", buf[:n], err)
	}
}

package attach

import (
	"io"
	"net"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// unixPair is two connected unix stream sockets.
func unixPair(t *testing.T) (a, b *net.UnixConn) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "pair")
		defer f.Close()
		c, err := net.FileConn(f)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c.(*net.UnixConn)
	}
	return conn(fds[0]), conn(fds[1])
}

// A Hold frame carries its descriptor between frames that carry none; the
// reader gets that very file, and the frames around it intact.
func TestSendHold(t *testing.T) {
	client, monitor := unixPair(t)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	require.NoError(t, WriteFrame(client, Stdin, []byte("before")))
	require.NoError(t, SendHold(client, w))
	w.Close() // the one in flight keeps the pipe open
	require.NoError(t, WriteFrame(client, Stdin, []byte("after")))
	buf := make([]byte, MaxFrame)
	var got []string
	var held *os.File
	for i := 0; i < 3; i++ {
		typ, p, f, err := ReadFrameFile(monitor, buf)
		require.NoError(t, err)
		if f != nil {
			held = f
		}
		got = append(got, string([]byte{'0' + typ})+":"+string(p))
	}
	if want := []string{"0:before", "6:", "0:after"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("ReadFrameFile frames = %q, want %q", got, want)
	}
	require.NotNil(t, held, "ReadFrameFile: the Hold frame's descriptor")
	held.Write([]byte("through"))
	held.Close()
	if b, _ := io.ReadAll(r); string(b) != "through" {
		t.Errorf("the held descriptor wrote %q into the pipe, want %q", b, "through")
	}
}

// A descriptor sent with any other frame is not kept: closed at once.
func TestReadFrameFileClosesStray(t *testing.T) {
	client, monitor := unixPair(t)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	var h [headerSize]byte
	h[0] = Stdin
	_, _, err = client.WriteMsgUnix(h[:], unix.UnixRights(int(w.Fd())), nil)
	require.NoError(t, err)
	w.Close()
	typ, _, f, err := ReadFrameFile(monitor, make([]byte, MaxFrame))
	if typ != Stdin || f != nil || err != nil {
		t.Fatalf("ReadFrameFile = %d, %v, %v, want a Stdin frame and no file", typ, f, err)
	}
	// Every write end is closed: the pipe reads its end at once.
	if b, err := io.ReadAll(r); len(b) != 0 || err != nil {
		t.Errorf("pipe after a stray descriptor: %q %v, want its end", b, err)
	}
}

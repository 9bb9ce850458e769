package monitor

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/attach"
)

// held is how many terminals h holds once the count is want, or after
// wait, whatever it is then.
func held(h *hub, want int, wait time.Duration) int {
	for deadline := time.Now().Add(wait); ; time.Sleep(10 * time.Millisecond) {
		h.mu.Lock()
		n := h.held
		h.mu.Unlock()
		if n == want || time.Now().After(deadline) {
			return n
		}
	}
}

// A Hold frame's descriptor is kept only if it is a terminal's master: the
// monitor reads what it holds until the end, and /dev/zero has none (a
// core spun for ever), a pipe's or socket's end has no business there.
// A pty master is held while its slave is open, and let go after.
func TestHoldOnlyTerminals(t *testing.T) {
	dir := t.TempDir()
	h, err := listen(dir, false)
	require.NoError(t, err)
	defer h.close()
	send := func(f *os.File) {
		conn, err := attach.Dial(dir)
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, attach.SendHold(conn, f))
	}
	zero, err := os.Open("/dev/zero")
	require.NoError(t, err)
	defer zero.Close()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	for _, f := range []*os.File{zero, r} {
		send(f)
		if n := held(h, 1, time.Second); n != 0 {
			t.Errorf("Hold of %s: the monitor holds %d descriptors, want it refused", f.Name(), n)
		}
	}
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Skipf("no /dev/ptmx here: %v", err)
	}
	master := os.NewFile(uintptr(m), "ptmx")
	require.NoError(t, unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0))
	slave, err := unix.IoctlRetInt(m, unix.TIOCGPTPEER)
	require.NoError(t, err)
	send(master)
	master.Close()
	if n := held(h, 1, 10*time.Second); n != 1 {
		t.Errorf("Hold of a pty master: the monitor holds %d, want 1", n)
	}
	unix.Close(slave)
	if n := held(h, 0, 10*time.Second); n != 0 {
		t.Errorf("Hold of a pty master whose slave is closed: the monitor holds %d, want 0", n)
	}
}

package monitor

import (
	"errors"
	"os"
	"strings"
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
	send := func(f *os.File) error {
		conn, err := attach.Dial(dir)
		require.NoError(t, err)
		defer conn.Close()
		return attach.HoldTerminal(conn, f)
	}
	zero, err := os.Open("/dev/zero")
	require.NoError(t, err)
	defer zero.Close()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	for _, f := range []*os.File{zero, r} {
		if err := send(f); !errors.Is(err, attach.ErrHoldRefused) {
			t.Errorf("HoldTerminal(%s) = %v, want the monitor's refusal", f.Name(), err)
		}
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
	if err := send(master); err != nil {
		t.Errorf("HoldTerminal(a pty master) = %v, want it held", err)
	}
	master.Close()
	if n := held(h, 1, 10*time.Second); n != 1 {
		t.Errorf("Hold of a pty master: the monitor holds %d, want 1", n)
	}
	unix.Close(slave)
	if n := held(h, 0, 10*time.Second); n != 0 {
		t.Errorf("Hold of a pty master whose slave is closed: the monitor holds %d, want 0", n)
	}
}

// openPty is a pty's master and its slave's descriptor.
func openPty(t *testing.T) (*os.File, int) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Skipf("no /dev/ptmx here: %v", err)
	}
	require.NoError(t, unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0))
	slave, err := unix.IoctlRetInt(m, unix.TIOCGPTPEER)
	require.NoError(t, err)
	return os.NewFile(uintptr(m), "ptmx"), slave
}

// The monitor holds at most maxHeld terminals; one more is refused, and
// the refusal is the answer to the Hold (a Held frame with the reason),
// so that exec -dt can say so and not leave its command hung up.
func TestHoldOneTooMany(t *testing.T) {
	dir := t.TempDir()
	h, err := listen(dir, false)
	require.NoError(t, err)
	defer h.close()
	var slaves []int
	defer func() {
		for _, s := range slaves {
			unix.Close(s)
		}
	}()
	for i := 0; i <= maxHeld; i++ {
		master, slave := openPty(t)
		slaves = append(slaves, slave)
		conn, err := attach.Dial(dir)
		require.NoError(t, err)
		err = attach.HoldTerminal(conn, master)
		conn.Close()
		master.Close()
		if i < maxHeld && err != nil {
			t.Fatalf("HoldTerminal #%d = %v, want it held", i+1, err)
		}
		if i == maxHeld && (!errors.Is(err, attach.ErrHoldRefused) || !strings.Contains(err.Error(), "64 terminals")) {
			t.Errorf("HoldTerminal #%d = %v, want the refusal: 64 terminals held already", i+1, err)
		}
	}
	if n := held(h, maxHeld, 10*time.Second); n != maxHeld {
		t.Errorf("the monitor holds %d terminals, want %d", n, maxHeld)
	}
}

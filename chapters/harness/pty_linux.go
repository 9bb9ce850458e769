// A terminal for tests of -t: the test plays the user at a keyboard.

package harness

import (
	"bytes"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// OpenPTY returns a new pseudo-terminal pair from the host's /dev/ptmx.
func OpenPTY() (master, slave *os.File, err error) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(m)
		return nil, nil, err
	}
	s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		unix.Close(m)
		return nil, nil, errno
	}
	unix.IoctlSetWinsize(m, unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80})
	unix.SetNonblock(m, true) // so reads can time out
	return os.NewFile(uintptr(m), "ptmx"), os.NewFile(s, "pts"), nil
}

// ReadUntil reads from f until the output contains want or the time is up,
// and returns all it read.
func ReadUntil(f *os.File, want string, limit time.Duration) string {
	var buf bytes.Buffer
	deadline := time.Now().Add(limit)
	chunk := make([]byte, 4096)
	for time.Now().Before(deadline) && !bytes.Contains(buf.Bytes(), []byte(want)) {
		f.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		n, err := f.Read(chunk)
		buf.Write(chunk[:n])
		if err != nil && !os.IsTimeout(err) {
			break
		}
	}
	return buf.String()
}

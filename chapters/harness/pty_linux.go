// A terminal for tests of -t: the test plays the user at a keyboard.

package harness

import (
	"bytes"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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

// StartOnTerminal starts cmd with a new terminal of rows×cols as its
// stdio and controlling terminal (a session of its own), as a user at a
// keyboard would start it, and returns the terminal's master side: what
// the test types and reads. The master is closed when the test ends.
func StartOnTerminal(t testing.TB, cmd *exec.Cmd, rows, cols uint16) *os.File {
	t.Helper()
	master, slave, err := OpenPTY()
	require.NoError(t, err)
	t.Cleanup(func() { master.Close() })
	require.NoError(t, unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols}))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	require.NoError(t, cmd.Start())
	slave.Close()
	return master
}

// OnTerminal starts `mydocker args...` on a new terminal of rows×cols
// (StartOnTerminal) and returns the command and the terminal's master.
func (e *Env) OnTerminal(rows, cols uint16, args ...string) (*exec.Cmd, *os.File) {
	e.t.Helper()
	cmd := e.Cmd(args...)
	return cmd, StartOnTerminal(e.t, cmd, rows, cols)
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

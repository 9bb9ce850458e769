// Terminals. With -t the command gets a pseudo-terminal whose master end the
// host's mydocker holds. Init opens it *inside* the container, from the
// container's own /dev/ptmx, so the slave lives in the container's devpts
// and `tty` prints a path that exists there; then init passes the master to
// the host over the sync socket (runc's "console socket" design). The host
// puts its own terminal in raw mode and copies bytes both ways.

package runtime

import (
	"io"
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// openConsole opens a new pty pair from /dev/ptmx and sizes it.
func openConsole(rows, cols uint16) (master, slave *os.File, err error) {
	trace.Step("open(\"/dev/ptmx\") and ioctl(TIOCGPTPEER): a terminal for the command")
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: "/dev/ptmx", Err: err}
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil { // unlockpt(3)
		unix.Close(m)
		return nil, nil, os.NewSyscallError("ioctl TIOCSPTLCK", err)
	}
	// TIOCGPTPEER opens the slave from the master itself, with no path
	// lookup that could pick another devpts instance.
	s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		unix.Close(m)
		return nil, nil, os.NewSyscallError("ioctl TIOCGPTPEER", errno)
	}
	if rows > 0 && cols > 0 {
		unix.IoctlSetWinsize(m, unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	}
	return os.NewFile(uintptr(m), "pty-master"), os.NewFile(s, "pty-slave"), nil
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// TerminalSize returns f's size in rows and columns, or zeros.
func TerminalSize(f *os.File) (rows, cols uint16) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0
	}
	return ws.Row, ws.Col
}

// makeRaw puts the host's terminal in raw mode, as cfmakeraw(3) does, so
// keys like Ctrl-C travel to the container's terminal as bytes instead of
// signalling mydocker. It returns the function that restores the terminal.
func makeRaw(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	raw := *old
	raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	raw.Oflag &^= unix.OPOST
	raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cflag &^= unix.CSIZE | unix.PARENB
	raw.Cflag |= unix.CS8
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return nil, err
	}
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}

// AttachConsole connects the host's stdio to the container's terminal until
// the container's side closes. It returns a wait function that blocks until
// all output has been copied and then restores the host's terminal.
func AttachConsole(console *os.File, stdin *os.File, stdout io.Writer, withStdin bool) (wait func()) {
	var restore func()
	if withStdin && IsTerminal(stdin) {
		restore, _ = makeRaw(stdin)
	}
	winch := make(chan os.Signal, 1)
	if IsTerminal(stdin) {
		signal.Notify(winch, unix.SIGWINCH)
		go func() {
			for range winch {
				rows, cols := TerminalSize(stdin)
				unix.IoctlSetWinsize(int(console.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
			}
		}()
	}
	if withStdin {
		go io.Copy(console, stdin) // ends with mydocker; a pty has no half-close
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Reading the master fails with EIO once every slave fd is closed,
		// that is once the container is gone: that is the end of output.
		io.Copy(stdout, console)
	}()
	return func() {
		wg.Wait()
		signal.Stop(winch)
		close(winch)
		console.Close()
		if restore != nil {
			restore()
		}
	}
}

// MakeRaw puts the terminal f in raw mode for an attached client (chapter
// 06's attach) and returns the function that restores it.
func MakeRaw(f *os.File) (restore func(), err error) { return makeRaw(f) }

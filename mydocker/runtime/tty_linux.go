// Terminals. With -t the command gets a pseudo-terminal whose master end the
// host's mydocker holds. Init opens it *inside* the container, from the
// container's own devpts (its pts/ptmx, checked to be one: see openPtmx), so
// the slave lives in the container's devpts
// and `tty` prints a path that exists there; then init passes the master to
// the host over the sync socket (runc's "console socket" design). The host
// puts its own terminal in raw mode and copies bytes both ways.

package runtime

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// openConsole opens a new pty pair from the container's devpts and sizes it.
func openConsole(rows, cols uint16) (master, slave *os.File, err error) {
	trace.Step("openat2(\"/dev/pts/ptmx\", O_NONBLOCK|O_NOFOLLOW, RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS), fstat: devpts' 5:2, and ioctl(TIOCGPTPEER): a terminal for the command")
	m, err := openPtmx()
	if err != nil {
		return nil, nil, err
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

// ptmx is the pty multiplexer's device number, in every devpts instance.
var ptmx = unix.Mkdev(5, 2)

// openPtmx opens the multiplexer of the container's own devpts. Whoever
// opens it still holds every capability (init before it drops them, the
// exec thread of the host's mydocker), and /dev is the container's to
// change: a root process in there may have put a FIFO (an open that
// blocks forever, or wakes its reader), a symlink, or a device node of its
// choosing (a host disk: the device cgroup judges the opener, here the
// host's) in its place. So the path is resolved inside the root with no
// symlink at all, in devpts itself rather than through the /dev/ptmx
// symlink; it is first looked at through an O_PATH handle, which opens
// nothing, and opened for real (without blocking, without becoming anyone's
// controlling terminal) only if it is devpts' 5:2; the file opened must be
// that same one.
func openPtmx() (int, error) {
	const name = "/dev/pts/ptmx"
	r, err := openRoot("/")
	if err != nil {
		return -1, err
	}
	defer r.Close()
	open := func(flags uint64) (int, unix.Stat_t, error) {
		var st unix.Stat_t
		how := &unix.OpenHow{Flags: flags | unix.O_NOFOLLOW | unix.O_CLOEXEC, Resolve: inRoot | unix.RESOLVE_NO_SYMLINKS}
		fd, err := unix.Openat2(r.fd, name, how)
		if err != nil {
			return -1, st, fmt.Errorf("open the container's terminal multiplexer: %w", &os.PathError{Op: "openat2", Path: name, Err: err})
		}
		var fs unix.Statfs_t
		if err := unix.Fstat(fd, &st); err == nil {
			err = unix.Fstatfs(fd, &fs)
		}
		if err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != ptmx || fs.Type != unix.DEVPTS_SUPER_MAGIC {
			unix.Close(fd)
			return -1, st, fmt.Errorf("%s in the container is not devpts' multiplexer (character device 5:2): refused", name)
		}
		return fd, st, nil
	}
	look, seen, err := open(unix.O_PATH)
	if err != nil {
		return -1, err
	}
	unix.Close(look)
	fd, st, err := open(unix.O_RDWR | unix.O_NOCTTY | unix.O_NONBLOCK)
	if err != nil {
		return -1, err
	}
	if st.Dev != seen.Dev || st.Ino != seen.Ino {
		unix.Close(fd)
		return -1, fmt.Errorf("%s in the container changed while it was opened: refused", name)
	}
	// From here on a plain blocking terminal, as the command expects.
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags&^unix.O_NONBLOCK)
	}
	if err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl F_SETFL "+name, err)
	}
	return fd, nil
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
	var in io.Reader
	if withStdin {
		in = stdin
	}
	wait, _ = RelayConsole(console, stdin, in, stdout)
	return wait
}

// RelayConsole is AttachConsole with in the reader of the keys to send
// (nil: none), stdin itself or a reader over it (exec's, which watches for
// the detach keys). It also returns leave, for a caller that goes while
// the command runs on (a detach): leave restores the host's terminal and
// waits for nothing; the copies end with the caller.
func RelayConsole(console, stdin *os.File, in io.Reader, stdout io.Writer) (wait, leave func()) {
	var restore func()
	if in != nil && IsTerminal(stdin) {
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
	if in != nil {
		go io.Copy(console, in) // ends with mydocker; a pty has no half-close
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Reading the master fails with EIO once every slave fd is closed,
		// that is once the container is gone: that is the end of output.
		io.Copy(stdout, console)
	}()
	leave = func() {
		signal.Stop(winch)
		if restore != nil {
			restore()
		}
	}
	wait = func() {
		wg.Wait()
		signal.Stop(winch)
		close(winch)
		console.Close()
		if restore != nil {
			restore()
		}
	}
	return wait, leave
}

// MakeRaw puts the terminal f in raw mode for an attached client (chapter
// 06's attach) and returns the function that restores it.
func MakeRaw(f *os.File) (restore func(), err error) { return makeRaw(f) }

package runtime

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
)

// A fake init on the other end of a sync socket: it reads the config, then
// says what the test tells it to. The host's handshake must refuse
// whatever init has no business saying.
func TestHandshakeDistrustsInit(t *testing.T) {
	pipeR, pipeW, err := os.Pipe()
	require.NoError(t, err)
	defer pipeR.Close()
	defer pipeW.Close()
	tests := []struct {
		name string
		cfg  Config
		say  func(sock *os.File) error
		want string
	}{
		{"a console nobody asked for", Config{}, func(s *os.File) error {
			return sendSync(s, syncMsg{Type: "console"}, int(pipeR.Fd()))
		}, `unexpected sync message "console"`},
		{"a pipe posing as the console", Config{TTY: true}, func(s *os.File) error {
			return sendSync(s, syncMsg{Type: "console"}, int(pipeR.Fd()))
		}, "not a pty master"},
		{"descriptors with started", Config{}, func(s *os.File) error {
			return sendSync(s, syncMsg{Type: "started", Pid: 2}, int(pipeR.Fd()))
		}, "carries none"},
		{"started before placement", Config{Cgroup: &cgroups.Placement{CgroupFD: -1}}, func(s *os.File) error {
			return sendSync(s, syncMsg{Type: "started", Pid: 2})
		}, `unexpected sync message "started"`},
		{"an impossible PID", Config{}, func(s *os.File) error {
			return sendSync(s, syncMsg{Type: "started", Pid: -5})
		}, "impossible PID -5"},
		{"a message too large", Config{}, func(s *os.File) error {
			return sendSync(s, syncMsg{Type: "error", Message: strings.Repeat("x", maxInitMsg)})
		}, "larger than"},
		{"an unknown type", Config{}, func(s *os.File) error {
			return sendSync(s, syncMsg{Type: "hello"})
		}, `unexpected sync message "hello"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, init, err := newSyncPair()
			require.NoError(t, err)
			defer host.Close()
			defer init.Close()
			done := make(chan error, 1)
			go func() {
				if _, fds, err := recvSync(init, maxConfigMsg); err != nil {
					done <- err
				} else {
					closeAll(fds)
					done <- tt.say(init)
				}
			}()
			p := &Process{sync: host}
			err = p.handshake(&tt.cfg, StartOptions{})
			require.NoError(t, <-done)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("handshake after init sent %s: %v, want an error with %q", tt.name, err, tt.want)
			}
			if p.Console != nil {
				t.Errorf("handshake kept a console from %s", tt.name)
			}
		})
	}
}

// A real pty master passes; its slave end does not.
func TestCheckConsole(t *testing.T) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no /dev/ptmx here: %v", err)
	}
	defer unix.Close(m)
	require.NoError(t, unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0))
	require.NoError(t, checkConsole(m))
	s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	require.Zero(t, errno)
	defer unix.Close(int(s))
	if err := checkConsole(int(s)); err == nil {
		t.Errorf("checkConsole(pty slave) = nil, want an error")
	}
}

// init's error line reaches the user's terminal: one line, printable,
// bounded, and only the exit codes a failed start may have.
func TestInitError(t *testing.T) {
	err := initError(syncMsg{Code: 0, Message: "bad\x1b[2J\nsecond line\t" + strings.Repeat("y", 2*maxErrorMsg)})
	msg := err.Error()
	if ExitCode(err, 0) != ExitEngine || strings.ContainsAny(msg, "\x1b\n\t") || len(msg) > maxErrorMsg+3 {
		t.Errorf("initError = code %d, %q; want 125, one printable line of at most %d bytes", ExitCode(err, 0), msg, maxErrorMsg+3)
	}
	if err := initError(syncMsg{Code: ExitNotFound, Message: "exec x"}); ExitCode(err, 0) != ExitNotFound {
		t.Errorf("initError kept code %d, want 127", ExitCode(err, 0))
	}
}

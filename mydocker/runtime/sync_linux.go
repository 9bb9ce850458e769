// The sync socket is the one channel between mydocker and the container's
// init. It is a SOCK_SEQPACKET socketpair, so every message arrives whole,
// and a unix socket, so descriptors can travel with SCM_RIGHTS. The
// conversation:
//
//	host → init   config   (also the "go": init waits for it, so the host
//	                        can first run its createRuntime hooks)
//	init → host   console  (with -t: the pty master, as an SCM_RIGHTS fd)
//	init → host   place    (every path is resolved: init is ready to fork)
//	host → init   cgroup   (the host's cgroup files, as SCM_RIGHTS fds)
//	init → host   started  (the command is running) or error (it could not be)
//
// The cgroup files travel this late on purpose: until init has resolved
// the working directory and the command, it holds no descriptor of the
// host's that a path through /proc/self/fd could reach (CVE-2024-21626).
//
// Init runs inside the container, next to code the host does not trust, so
// the host reads what init says as untrusted input (recvSync, checkConsole,
// checkPid, initError): sizes,
// types, their order and the descriptors that come with them are bounded
// and checked, and a descriptor must be what it claims to be.

package runtime

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"

	"golang.org/x/sys/unix"
)

// Init's inherited descriptors, in the order of exec.Cmd's ExtraFiles
// (Start): initSyncFd is its end of the sync socket, initExeFd the sealed
// binary it is executed from (/proc/self/fd/4), which it closes first
// thing, with everything else above initSyncFd.
// With --trace, initTraceFd is mydocker's own stderr, where init tells its
// steps (trace.FDEnv); init keeps it, close-on-exec, until the command's
// execve.
const (
	initSyncFd  = 3
	initExeFd   = initSyncFd + 1
	initTraceFd = initExeFd + 1
)

// Bounds on one message: a config is a few kilobytes; init's messages are
// smaller still, and the host reads no more than that from it.
const (
	maxConfigMsg = 1 << 20
	maxInitMsg   = 16 << 10
	maxErrorMsg  = 1024 // the line init's error may print on the host
	maxSyncFDs   = 64   // the most descriptors one message may carry
)

type syncMsg struct {
	Type    string  `json:"type"` // config, console, place, cgroup, started, error
	Config  *Config `json:"config,omitempty"`
	Pid     int     `json:"pid,omitempty"`     // started: the command's PID inside
	Code    int     `json:"code,omitempty"`    // error: the exit code it means
	Message string  `json:"message,omitempty"` // error: one line for the user
}

// newSyncPair returns the host's and init's ends of a fresh sync socket.
func newSyncPair() (host, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, os.NewSyscallError("socketpair", err)
	}
	return os.NewFile(uintptr(fds[0]), "sync-host"), os.NewFile(uintptr(fds[1]), "sync-init"), nil
}

// sendSync writes one message, with file descriptors attached if given.
func sendSync(sock *os.File, m syncMsg, fds ...int) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	raw, err := sock.SyscallConn()
	if err != nil {
		return err
	}
	var sendErr error
	err = raw.Write(func(fd uintptr) bool {
		sendErr = unix.Sendmsg(int(fd), data, oob, nil, 0)
		return sendErr != unix.EAGAIN
	})
	if err == nil {
		err = sendErr
	}
	if err != nil {
		return fmt.Errorf("send %s over sync socket: %w", m.Type, os.NewSyscallError("sendmsg", err))
	}
	return nil
}

// recvSync reads one message of at most max bytes and the descriptors that
// came with it (close-on-exec). A closed socket is errSyncClosed. On any
// error, descriptors that arrived are closed, never left for the caller
// to forget.
func recvSync(sock *os.File, max int) (syncMsg, []int, error) {
	buf := make([]byte, max)
	oob := make([]byte, unix.CmsgSpace(maxSyncFDs*4))
	var n, oobn, flags int
	var recvErr error
	raw, err := sock.SyscallConn()
	if err != nil {
		return syncMsg{}, nil, err
	}
	err = raw.Read(func(fd uintptr) bool {
		n, oobn, flags, _, recvErr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
		return recvErr != unix.EAGAIN
	})
	if err == nil {
		err = recvErr
	}
	if err != nil {
		return syncMsg{}, nil, os.NewSyscallError("recvmsg", err)
	}
	fds, fdErr := parseRights(oob[:oobn])
	fail := func(err error) (syncMsg, []int, error) {
		closeAll(fds)
		return syncMsg{}, nil, err
	}
	switch {
	case fdErr != nil:
		return fail(fdErr)
	case flags&unix.MSG_TRUNC != 0:
		return fail(fmt.Errorf("sync message larger than %d bytes", max))
	case flags&unix.MSG_CTRUNC != 0:
		return fail(fmt.Errorf("sync message with more than %d descriptors", maxSyncFDs))
	case n == 0 && len(fds) == 0:
		return syncMsg{}, nil, errSyncClosed
	}
	var m syncMsg
	if err := json.Unmarshal(buf[:n], &m); err != nil {
		return fail(fmt.Errorf("decode sync message: %w", err))
	}
	return m, fds, nil
}

// parseRights returns the descriptors of SCM_RIGHTS messages in oob.
func parseRights(oob []byte) ([]int, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	cmsgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, os.NewSyscallError("parse control message", err)
	}
	var fds []int
	for _, c := range cmsgs {
		got, err := unix.ParseUnixRights(&c)
		if err != nil {
			closeAll(fds)
			return nil, err
		}
		fds = append(fds, got...)
	}
	return fds, nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// checkConsole makes sure a descriptor init sent as the console is a pty
// master (CheckPtyMaster): the host will copy its own terminal into it,
// and nothing else may stand there.
func checkConsole(fd int) error {
	if err := CheckPtyMaster(fd); err != nil {
		return fmt.Errorf("init sent a console that is %w", err)
	}
	return nil
}

// CheckPtyMaster makes sure fd is a pty master, the other end of /dev/ptmx
// (character device 5:2 of a devpts). The monitor checks so a terminal it
// is handed to hold (an exec -dt's).
func CheckPtyMaster(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("not a pty master: %w", os.NewSyscallError("fstat", err))
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 5 || unix.Minor(st.Rdev) != 2 {
		return fmt.Errorf("not a pty master (mode %#o, device %d:%d)", st.Mode, unix.Major(st.Rdev), unix.Minor(st.Rdev))
	}
	// Only a master answers TIOCGPTN (a slave, also 5:2 through ptmx, does not).
	if _, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN); err != nil {
		return fmt.Errorf("not a pty master: %w", os.NewSyscallError("ioctl TIOCGPTN", err))
	}
	return nil
}

// initError turns init's "error" message into the error the user sees: an
// exit code Docker gives for a start that failed (else 125), and one line
// of printable text, bounded.
func initError(m syncMsg) error {
	code := m.Code
	if code != ExitEngine && code != ExitCannotInvoke && code != ExitNotFound {
		code = ExitEngine
	}
	msg := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, m.Message)
	if len(msg) > maxErrorMsg {
		msg = strings.ToValidUTF8(msg[:maxErrorMsg], "") + "..."
	}
	if msg == "" {
		msg = "container init failed and said nothing more"
	}
	return Exitf(code, "%s", msg)
}

// checkPid checks the PID init says the command has, inside the container.
// The host never acts on it (it signals init through the pidfd it got from
// clone), but it does not pass on a number that cannot be right.
func checkPid(pid int) error {
	if pid < 2 || pid > 1<<22 { // PID_MAX_LIMIT; 1 is init itself
		return fmt.Errorf("init reported an impossible PID %d for the command", pid)
	}
	return nil
}

type syncClosedError struct{}

func (syncClosedError) Error() string { return "container init closed the sync socket" }

var errSyncClosed error = syncClosedError{}

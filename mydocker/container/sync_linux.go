// The sync socket is the one channel between mydocker and the container's
// init. It is a SOCK_SEQPACKET socketpair, so every message arrives whole,
// and a unix socket, so init can hand back a file descriptor (the terminal
// it opened inside the container) with SCM_RIGHTS. The conversation:
//
//	host → init   config   (also the "go": init waits for it, so the host can
//	                        first put init into its cgroups)
//	init → host   console  (with -t: the pty master, as an SCM_RIGHTS fd)
//	init → host   started  (the command is running) or error (it could not be)

package container

import (
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// initSyncFd is where init finds its end of the socket: the first of
// exec.Cmd's ExtraFiles.
const initSyncFd = 3

// maxSyncMsg bounds one message; a config is a few kilobytes.
const maxSyncMsg = 1 << 20

type syncMsg struct {
	Type    string  `json:"type"` // config, console, started, error
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

// recvSync reads one message and any file descriptors that came with it.
// A closed socket reads as io.EOF-like: Type "" and err == nil is never
// returned; the caller gets errSyncClosed.
func recvSync(sock *os.File) (syncMsg, []int, error) {
	buf := make([]byte, maxSyncMsg)
	oob := make([]byte, unix.CmsgSpace(4*4))
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
	if n == 0 {
		return syncMsg{}, nil, errSyncClosed
	}
	if flags&unix.MSG_TRUNC != 0 {
		return syncMsg{}, nil, fmt.Errorf("sync message larger than %d bytes", maxSyncMsg)
	}
	var fds []int
	if oobn > 0 {
		cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return syncMsg{}, nil, err
		}
		for _, c := range cmsgs {
			got, err := unix.ParseUnixRights(&c)
			if err != nil {
				return syncMsg{}, nil, err
			}
			fds = append(fds, got...)
		}
	}
	var m syncMsg
	if err := json.Unmarshal(buf[:n], &m); err != nil {
		return syncMsg{}, nil, fmt.Errorf("decode sync message: %w", err)
	}
	return m, fds, nil
}

type syncClosedError struct{}

func (syncClosedError) Error() string { return "container init closed the sync socket" }

var errSyncClosed error = syncClosedError{}

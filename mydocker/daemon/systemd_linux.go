// Socket activation (chapter 09): in the Vagrant VM systemd owns the
// daemon's sockets (scripts/mydocker.socket) and starts `mydocker daemon
// -H fd://` at the first connection, handing it the listening sockets as
// file descriptors 3, 4, ... with LISTEN_FDS=N and LISTEN_PID=its PID, as
// sd_listen_fds(3) describes and as dockerd's own unit does. The sockets
// outlive the daemon: a client that connects while it restarts waits in
// the kernel's backlog instead of failing.

package daemon

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// listenFDsStart is the first descriptor systemd passes (SD_LISTEN_FDS_START).
const listenFDsStart = 3

// SystemdListeners returns the sockets systemd passed to this process. It
// unsets LISTEN_PID and LISTEN_FDS, so that no child (a container's
// monitor) takes them for its own, and marks the descriptors close-on-exec
// for the same reason.
func SystemdListeners() ([]net.Listener, error) {
	pid, fds := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	if pid == "" || fds == "" {
		return nil, fmt.Errorf("-H fd://: no sockets were passed (LISTEN_FDS is unset): start the daemon through mydocker.socket, or give -H unix://PATH")
	}
	if p, err := strconv.Atoi(pid); err != nil || p != os.Getpid() {
		return nil, fmt.Errorf("-H fd://: the sockets passed are for process %s, not this one (%d)", pid, os.Getpid())
	}
	n, err := strconv.Atoi(fds)
	if err != nil || n < 1 || n > 64 {
		return nil, fmt.Errorf("-H fd://: LISTEN_FDS=%q, want a count of sockets", fds)
	}
	var out []net.Listener
	for fd := listenFDsStart; fd < listenFDsStart+n; fd++ {
		unix.CloseOnExec(fd)
		f := os.NewFile(uintptr(fd), "LISTEN_FD_"+strconv.Itoa(fd))
		l, err := net.FileListener(f) // dups the descriptor
		f.Close()
		if err != nil {
			for _, l := range out {
				l.Close()
			}
			return nil, fmt.Errorf("-H fd://: descriptor %d is not a listening socket: %w", fd, err)
		}
		out = append(out, l)
	}
	return out, nil
}

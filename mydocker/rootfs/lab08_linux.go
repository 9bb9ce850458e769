//go:build lab08 && !reference

// Lab 08 built into the engine: `make build LAB=08` compiles this file, and
// every volume, bind and tmpfs mount on a directory lands on the descriptor
// the student's OpenTarget (labs/08-volumes/target.go) returns instead of
// the engine's. A file target (the engine's /etc/hosts) stays the
// engine's: the lab resolves directories. With -tags reference too, this
// file drops out and the engine's own OpenTarget (the lab's reference)
// stays.

package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path"

	"golang.org/x/sys/unix"

	lab08 "github.com/mydocker/mydocker/labs/08-volumes"
)

func init() { openTarget = labOpenTarget }

// labOpenTarget asks the student's OpenTarget for a directory target, and
// keeps the engine's checks around it: whether the image had the directory
// already (copy-up's question), that the answer is a directory, and that
// it is not in the container's /proc or /sys.
func labOpenTarget(rootFd int, target string, dir bool) (int, bool, error) {
	if !dir {
		return OpenTarget(rootFd, target, dir)
	}
	target = path.Clean("/" + target)
	created := false
	if fd, err := openInRoot(rootFd, target, unix.O_PATH); err == nil {
		unix.Close(fd)
	} else if errors.Is(err, unix.ENOENT) {
		created = true
	}
	fd, err := lab08.OpenTarget(rootFd, target)
	if err != nil {
		return -1, false, explainTarget(target, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, false, os.NewSyscallError("fstat", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		unix.Close(fd)
		return -1, false, fmt.Errorf("mount target %s: lab08's OpenTarget returned something that is not a directory", target)
	}
	if err := refuseProc(rootFd, fd, target); err != nil {
		unix.Close(fd)
		return -1, false, err
	}
	return fd, created, nil
}

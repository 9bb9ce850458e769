// The inside half: what the container's init does in its fresh namespaces
// before it runs the command. Each step is one syscall, narrated by trace.

package namespace

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// labSetupChild is nil, unless a lab is built into the engine
// (lab01_linux.go, make build LAB=01): then Enter and EnterHostMode are the
// student's SetupChild.
var labSetupChild func(hostname string) error

// Enter finishes the namespaces clone(2) created: mounts made private, the
// hostname set, lo brought up. It runs in the container's init.
func Enter(hostname string) error {
	if labSetupChild != nil {
		return labSetupChild(hostname)
	}
	return enter(hostname)
}

func enter(hostname string) error {
	if err := MakeMountsPrivate(); err != nil {
		return err
	}
	if err := SetHostname(hostname); err != nil {
		return err
	}
	return LoopbackUp()
}

// EnterHostMode is Enter plus RemountProc: what init does when the
// container keeps the host's filesystem (chapter 01's "host" image).
func EnterHostMode(hostname string) error {
	if labSetupChild != nil {
		return labSetupChild(hostname)
	}
	return enterHostMode(hostname)
}

func enterHostMode(hostname string) error {
	if err := enter(hostname); err != nil {
		return err
	}
	return RemountProc()
}

// MakeMountsPrivate stops mount events crossing between the container and the
// host. A new mount namespace starts as a copy of the host's, and on systemd
// hosts / is a shared mount: without this, a mount made in the container
// would propagate back to the host's table.
func MakeMountsPrivate() error {
	trace.Step("mount(\"\", \"/\", MS_REC|MS_PRIVATE): no mount events in or out")
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return &os.PathError{Op: "make mounts private", Path: "/", Err: err}
	}
	return nil
}

// SetHostname names the container. It changes only the UTS namespace the
// caller is in, so it must run after clone(CLONE_NEWUTS).
func SetHostname(name string) error {
	trace.Step("sethostname(%q)", name)
	if err := unix.Sethostname([]byte(name)); err != nil {
		return os.NewSyscallError("sethostname", err)
	}
	return nil
}

// LoopbackUp brings up lo, the only interface a new network namespace has.
// It starts down, so even 127.0.0.1 is unreachable until this runs. This is
// the classic ioctl that ifconfig uses; the networking chapter speaks netlink.
func LoopbackUp() error {
	trace.Step("ioctl(SIOCSIFFLAGS, \"lo\", IFF_UP)")
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return os.NewSyscallError("ioctl SIOCGIFFLAGS lo", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return os.NewSyscallError("ioctl SIOCSIFFLAGS lo", err)
	}
	return nil
}

// RemountProc mounts a fresh proc filesystem over /proc. procfs shows the
// PID namespace of the process that mounted it, so the old /proc keeps
// showing every process on the host. Mounting on top (like
// `unshare --mount-proc`) is safe only because the mounts are private.
func RemountProc() error {
	trace.Step("mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC)")
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return &os.PathError{Op: "mount proc", Path: "/proc", Err: err}
	}
	return nil
}

// ID names the namespace of the given kind that process pid is in, as the
// kernel does in /proc/PID/ns: "uts:[4026531838]". Two processes share a
// namespace exactly when their IDs are equal.
func ID(pid int, kind string) (string, error) {
	return os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, kind))
}

// Capabilities. Root in a container is still root to the kernel: with
// every capability it could mount the host's disk, load modules, or trace
// any process. Docker keeps 14 capabilities and drops the rest; mydocker
// keeps 13 of them. The fourteenth, CAP_MKNOD, is safe in Docker only
// because a device cgroup refuses every device not on its list, and
// mydocker has none (on cgroup v2 that takes an eBPF program). So the
// container may not make device nodes at all, and the image's own are
// disarmed: its root is mounted nodev (rootfs.mountOverlay), and /dev is a
// tmpfs holding only the harmless ones.
//
// The capabilities are dropped from the bounding set of the thread that
// forks the command: a process's capabilities after execve are limited by
// its bounding set, and a child inherits its parent thread's. That thread
// is thrown away afterwards (onOwnThread), so init keeps all of its own.

package container

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// DefaultCaps are the capabilities the command keeps: Docker's defaults
// but CAP_MKNOD.
var DefaultCaps = []struct {
	Cap  uintptr
	Name string
}{
	{unix.CAP_CHOWN, "CAP_CHOWN"}, {unix.CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE"},
	{unix.CAP_FSETID, "CAP_FSETID"}, {unix.CAP_FOWNER, "CAP_FOWNER"},
	{unix.CAP_NET_RAW, "CAP_NET_RAW"}, {unix.CAP_SETGID, "CAP_SETGID"},
	{unix.CAP_SETUID, "CAP_SETUID"}, {unix.CAP_SETFCAP, "CAP_SETFCAP"},
	{unix.CAP_SETPCAP, "CAP_SETPCAP"}, {unix.CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE"},
	{unix.CAP_SYS_CHROOT, "CAP_SYS_CHROOT"}, {unix.CAP_KILL, "CAP_KILL"},
	{unix.CAP_AUDIT_WRITE, "CAP_AUDIT_WRITE"},
}

// allCaps names every capability the kernel knows, for --cap-add and
// --cap-drop: "SYS_ADMIN" or "CAP_SYS_ADMIN".
var allCaps = map[string]uintptr{
	"CHOWN": unix.CAP_CHOWN, "DAC_OVERRIDE": unix.CAP_DAC_OVERRIDE, "DAC_READ_SEARCH": unix.CAP_DAC_READ_SEARCH,
	"FOWNER": unix.CAP_FOWNER, "FSETID": unix.CAP_FSETID, "KILL": unix.CAP_KILL, "SETGID": unix.CAP_SETGID,
	"SETUID": unix.CAP_SETUID, "SETPCAP": unix.CAP_SETPCAP, "LINUX_IMMUTABLE": unix.CAP_LINUX_IMMUTABLE,
	"NET_BIND_SERVICE": unix.CAP_NET_BIND_SERVICE, "NET_BROADCAST": unix.CAP_NET_BROADCAST,
	"NET_ADMIN": unix.CAP_NET_ADMIN, "NET_RAW": unix.CAP_NET_RAW, "IPC_LOCK": unix.CAP_IPC_LOCK,
	"IPC_OWNER": unix.CAP_IPC_OWNER, "SYS_MODULE": unix.CAP_SYS_MODULE, "SYS_RAWIO": unix.CAP_SYS_RAWIO,
	"SYS_CHROOT": unix.CAP_SYS_CHROOT, "SYS_PTRACE": unix.CAP_SYS_PTRACE, "SYS_PACCT": unix.CAP_SYS_PACCT,
	"SYS_ADMIN": unix.CAP_SYS_ADMIN, "SYS_BOOT": unix.CAP_SYS_BOOT, "SYS_NICE": unix.CAP_SYS_NICE,
	"SYS_RESOURCE": unix.CAP_SYS_RESOURCE, "SYS_TIME": unix.CAP_SYS_TIME, "SYS_TTY_CONFIG": unix.CAP_SYS_TTY_CONFIG,
	"MKNOD": unix.CAP_MKNOD, "LEASE": unix.CAP_LEASE, "AUDIT_WRITE": unix.CAP_AUDIT_WRITE,
	"AUDIT_CONTROL": unix.CAP_AUDIT_CONTROL, "SETFCAP": unix.CAP_SETFCAP, "MAC_OVERRIDE": unix.CAP_MAC_OVERRIDE,
	"MAC_ADMIN": unix.CAP_MAC_ADMIN, "SYSLOG": unix.CAP_SYSLOG, "WAKE_ALARM": unix.CAP_WAKE_ALARM,
	"BLOCK_SUSPEND": unix.CAP_BLOCK_SUSPEND, "AUDIT_READ": unix.CAP_AUDIT_READ, "PERFMON": unix.CAP_PERFMON,
	"BPF": unix.CAP_BPF, "CHECKPOINT_RESTORE": unix.CAP_CHECKPOINT_RESTORE,
}

// Capabilities computes the command's capabilities, Docker's way: the
// defaults, plus --cap-add, minus --cap-drop ("ALL" for every one).
func Capabilities(add, drop []string) ([]string, error) {
	set := map[string]bool{}
	for _, c := range DefaultCaps {
		set[strings.TrimPrefix(c.Name, "CAP_")] = true
	}
	norm := func(flag, name string) (string, error) {
		n := strings.ToUpper(strings.TrimPrefix(strings.ToUpper(name), "CAP_"))
		if _, ok := allCaps[n]; !ok && n != "ALL" {
			return "", fmt.Errorf("unknown capability %q in --%s: want a name like SYS_ADMIN, or ALL", name, flag)
		}
		return n, nil
	}
	for _, d := range drop {
		n, err := norm("cap-drop", d)
		if err != nil {
			return nil, err
		}
		if n == "ALL" {
			set = map[string]bool{}
		}
		delete(set, n)
	}
	for _, a := range add {
		n, err := norm("cap-add", a)
		if err != nil {
			return nil, err
		}
		if n == "ALL" {
			for k := range allCaps {
				set[k] = true
			}
		}
		set[n] = n != "ALL"
	}
	var out []string
	for k, on := range set {
		if on {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

// dropBoundingSet removes every capability but keep from the calling
// thread's bounding set.
func dropBoundingSet(keep []string) error {
	kept := map[uintptr]bool{}
	for _, k := range keep {
		kept[allCaps[k]] = true
	}
	last := uintptr(unix.CAP_LAST_CAP)
	if data, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			last = uintptr(n)
		}
	}
	trace.Step("prctl(PR_CAPBSET_DROP) all but %s", strings.Join(keep, " "))
	for c := uintptr(0); c <= last; c++ {
		if kept[c] {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0); err != nil && err != unix.EINVAL {
			return os.NewSyscallError("prctl PR_CAPBSET_DROP", err)
		}
	}
	return nil
}

// onOwnThread runs fn on an OS thread of its own and throws the thread away
// after: whatever fn does to the thread (its capability bounding set, its
// cgroups) does not outlive it. A goroutine that exits locked to its
// thread takes the thread with it.
func onOwnThread(fn func() (int, error)) (int, error) {
	type result struct {
		pid int
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked, on purpose
		pid, err := fn()
		done <- result{pid, err}
	}()
	r := <-done
	return r.pid, r.err
}

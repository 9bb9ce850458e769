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
// A process has five capability sets, and the command's are all decided
// here. execve(2) computes the new permitted set from three of them:
//
//	P' = (inheritable & file's inheritable) | (file's permitted & bounding) | ambient
//
// and for root every file counts as having them all, so root's P' is
// bounding | inheritable | ambient. Dropping the bounding set alone leaves
// whatever inheritable and ambient capabilities mydocker's own caller had
// (`setpriv --inh-caps +sys_admin --ambient-caps +sys_admin mydocker run
// --cap-drop ALL ...` kept CAP_SYS_ADMIN). So the thread that forks the
// command drops its bounding set to the container's list, clears ambient,
// and empties inheritable, as Docker does since CVE-2022-24769; then root's
// permitted and effective sets after execve are exactly the list. For
// another user, setuid(2) empties permitted, effective and ambient, and
// execve gives nothing back but what a setuid or file-capability binary
// asks for within the bounding set, and not even that under
// no_new_privs. The thread's own permitted set is left whole: the child
// still needs CAP_SETUID to become that user (runc switches the user first
// and sets the sets after; a Go child cannot, but for root execve
// recomputes them anyway). That thread is thrown away afterwards
// (onOwnThread).
//
// Init itself keeps no capability the container does not have, from the
// command's first instruction on, and can gain none by executing anything
// (dropInitCaps, called by releaseCommand): a process in the container
// that may trace init must gain nothing by it.

package runtime

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

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

// capMask is the bit mask of the named capabilities (names without CAP_).
func capMask(names []string) uint64 {
	var m uint64
	for _, n := range names {
		if c, ok := allCaps[n]; ok {
			m |= 1 << c
		}
	}
	return m
}

// lastCap is the highest capability this kernel knows.
func lastCap() uintptr {
	if data, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			return uintptr(n)
		}
	}
	return unix.CAP_LAST_CAP
}

// limitCommandCaps sets the calling thread's capabilities for the command it
// is about to fork: bounding set to keep, ambient and inheritable empty,
// and no_new_privs if asked. The thread must be thrown away after.
func limitCommandCaps(keep []string, noNewPrivs bool) error {
	kept := capMask(keep)
	trace.Step("prctl(PR_CAPBSET_DROP) all but %s; prctl(PR_CAP_AMBIENT_CLEAR_ALL); capset(inheritable=0)", strings.Join(keep, " "))
	for c, last := uintptr(0), lastCap(); c <= last; c++ {
		if kept&(1<<c) != 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0); err != nil && err != unix.EINVAL {
			return os.NewSyscallError("prctl PR_CAPBSET_DROP", err)
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return os.NewSyscallError("prctl PR_CAP_AMBIENT_CLEAR_ALL", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return os.NewSyscallError("capget", err)
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return os.NewSyscallError("capset", err)
	}
	if noNewPrivs {
		// Inherited by the fork, kept across execve, never cleared:
		// setuid bits and file capabilities give the command nothing.
		trace.Step("prctl(PR_SET_NO_NEW_PRIVS, 1): --security-opt no-new-privileges")
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return os.NewSyscallError("prctl PR_SET_NO_NEW_PRIVS", err)
		}
	}
	return nil
}

// initCaps is what init needs once the command runs: to forward signals to
// a command that is not root (or has become another user) it needs
// CAP_KILL, if the container has it. Reaping children needs nothing.
func initCaps(keep []string) []string {
	if capMask(keep)&(1<<unix.CAP_KILL) != 0 {
		return []string{"KILL"}
	}
	return nil
}

// dropInitCaps lowers init's capabilities, on every one of its threads, to
// keep: permitted and effective to keep, inheritable and ambient emptied,
// and no_new_privs set. Capabilities belong to threads, not processes, and
// a Go program has several: AllThreadsSyscall makes the same call on each
// (it refuses in a cgo build, where it cannot know every thread). Each call
// stops the world, so there are two of them, not one per capability.
//
// The bounding set stays as it is, because with no_new_privs nothing reads
// it any more. It only limits what execve(2) grants (root's new permitted
// set is bounding | inheritable), and under no_new_privs execve grants
// nothing beyond the permitted set the caller already has: the kernel
// intersects the new permitted set with the old one (cap_bprm_creds_from_file).
// capset(2) cannot raise permitted, and raises inheritable only within
// permitted without CAP_SETPCAP, which init no longer has; an ambient
// capability must be permitted and inheritable both. So a process that
// takes control of init (by ptrace, with --cap-add SYS_PTRACE) gets at
// most keep, whatever it executes: less than with the bounding set
// dropped and no no_new_privs, where an execve gave it the container's
// bounding set back. Dropping the bounding set took one stop-the-world
// call per capability, about 40, some 8 ms of every start.
func dropInitCaps(keep []string) error {
	kept := capMask(keep)
	trace.Step("init drops its own capabilities to %v and sets no_new_privs, on every thread: never stronger than the container", keep)
	check := func(name string, errno syscall.Errno) error {
		switch errno {
		case 0:
			return nil
		case unix.ENOTSUP:
			return fmt.Errorf("%s on every thread of init: not possible in a cgo build (build mydocker with CGO_ENABLED=0)", name)
		}
		return os.NewSyscallError(name, errno)
	}
	// First no_new_privs: from then on no execve on any thread can gain a
	// capability, whatever the sets say.
	_, _, errno := syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0)
	if err := check("prctl PR_SET_NO_NEW_PRIVS", errno); err != nil {
		return err
	}
	// One capset sets the rest: inheritable empty, permitted and effective
	// to keep; and the kernel keeps ambient within permitted & inheritable
	// (cap_capset), so it is emptied too.
	hdr := &unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := &[2]unix.CapUserData{
		{Effective: uint32(kept), Permitted: uint32(kept)},
		{Effective: uint32(kept >> 32), Permitted: uint32(kept >> 32)},
	}
	// The pointers are converted in the call itself, so that the compiler
	// keeps both structs where the kernel will look (go:uintptrescapes).
	_, _, errno = syscall.AllThreadsSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(hdr)), uintptr(unsafe.Pointer(data)), 0)
	return check("capset", errno)
}

// The main goroutine keeps the main thread for itself, from this init on.
// Go ends a thread whose goroutine exits locked to it, unless it is the
// main thread: that one it parks for good, in whatever state the goroutine
// left it. Without this, a goroutine of onOwnThread (or of any code that
// leaves a thread locked to be thrown away) could run on the main thread
// and leave it in a container's namespaces and cgroup v1 groups, with its
// capabilities lowered, for the life of the daemon; the daemon's PID is
// then listed in the container's cgroup.procs, and removing the container
// killed the daemon.
func init() { runtime.LockOSThread() }

// onOwnThread runs fn on an OS thread of its own and throws the thread away
// after: whatever fn does to the thread (its capability bounding set, its
// cgroups) does not outlive it. A goroutine that exits locked to its
// thread takes the thread with it (never the main thread: see init).
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

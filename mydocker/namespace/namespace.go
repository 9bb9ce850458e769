// Package namespace gives a container its own view of the kernel's global
// resources: its own hostname (UTS), process IDs (PID), mount table (mount),
// System V IPC objects (IPC) and network stack (network).
//
// The story has two halves. On the host, mydocker asks clone(2) for new
// namespaces by passing CloneFlags to the child it re-executes. Inside, the
// child (the container's init) finishes the job before the command runs:
// Enter makes its mounts private, sets the hostname and brings up lo; in
// host mode RemountProc gives it a /proc that shows only its own processes.
// ID reads /proc/PID/ns/KIND, the name the kernel gives each namespace.
package namespace

import (
	"strings"

	"golang.org/x/sys/unix"
)

// A Kind is one type of namespace: the clone(2) flag that creates it and the
// file in /proc/PID/ns that names it.
type Kind struct {
	Flag  uintptr
	Name  string // CLONE_NEWUTS, as in clone(2)
	Proc  string // uts, as in /proc/PID/ns/uts
	Gives string // what the container gets from it
}

// Kinds lists the namespaces a container gets, in the order clone(2) lists them.
var Kinds = []Kind{
	{unix.CLONE_NEWNS, "CLONE_NEWNS", "mnt", "its own mount table"},
	{unix.CLONE_NEWUTS, "CLONE_NEWUTS", "uts", "its own hostname"},
	{unix.CLONE_NEWIPC, "CLONE_NEWIPC", "ipc", "its own System V IPC and POSIX queues"},
	{unix.CLONE_NEWPID, "CLONE_NEWPID", "pid", "its own process IDs, starting at 1"},
	{unix.CLONE_NEWNET, "CLONE_NEWNET", "net", "its own network stack, with only lo"},
}

// CloneFlags is the set of namespaces every container is cloned into. A
// variable only so that lab 01 can be built into the engine
// (lab01_linux.go, make build LAB=01); nothing else assigns it.
var CloneFlags uintptr = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC |
	unix.CLONE_NEWPID | unix.CLONE_NEWNET

// FlagNames spells out clone flags the way clone(2) does:
// "CLONE_NEWNS|CLONE_NEWUTS". Flags it does not know are left out.
func FlagNames(flags uintptr) string {
	var names []string
	for _, k := range allKinds {
		if flags&k.Flag != 0 {
			names = append(names, k.Name)
		}
	}
	if len(names) == 0 {
		return "0"
	}
	return strings.Join(names, "|")
}

// allKinds also knows the namespaces mydocker does not create by default,
// so that FlagNames can name them.
var allKinds = append(Kinds[:len(Kinds):len(Kinds)],
	Kind{unix.CLONE_NEWCGROUP, "CLONE_NEWCGROUP", "cgroup", "its own view of the cgroup tree"},
	Kind{unix.CLONE_NEWUSER, "CLONE_NEWUSER", "user", "its own user and group IDs"},
	Kind{unix.CLONE_NEWTIME, "CLONE_NEWTIME", "time", "its own boot and monotonic clocks"},
)

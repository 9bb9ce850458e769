// Lab 01: namespaces.
//
// Give a process the five namespaces a container gets, then finish them from
// the inside. This file is the only one you edit. Run the checker with
//
//	sudo make lab N=01
//
// and read its failures: each names what the child is missing. Chapter 01's
// README (chapters/01-namespaces/README.md) explains every step; the engine's
// own version is in mydocker/namespace, but try first without peeking.
package lab01

import (
	"errors"
)

// CloneFlags returns the flags the host passes to clone(2) so that the child
// gets its own hostname, process IDs, mount table, IPC objects and network
// stack.
//
// HINT: the flags are constants in golang.org/x/sys/unix, named after
// clone(2): unix.CLONE_NEWUTS and four more. Combine them with |.
func CloneFlags() uintptr {
	// TODO: return the five namespace flags.
	return 0
}

// SetupChild runs inside the new namespaces, before the container's command
// would. It must:
//
//  1. make every mount private (mount "" on "/" with MS_REC|MS_PRIVATE), so
//     that nothing mounted from now on leaks back to the host;
//  2. set the hostname (unix.Sethostname);
//  3. bring up lo, which starts down in a new network namespace
//     (unix.IoctlIfreq with SIOCGIFFLAGS, set IFF_UP, then SIOCSIFFLAGS);
//  4. mount a fresh proc filesystem on /proc, so that it lists only the
//     container's processes.
//
// HINT: the order matters: why must step 1 come before step 4?
func SetupChild(hostname string) error {
	// TODO: the four steps above.
	return errors.New("lab01: not implemented")
}

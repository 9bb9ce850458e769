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
// clone(2).
func CloneFlags() uintptr {
	// TODO
	return 0
}

// SetupChild runs inside the new namespaces, before the container's command
// would. It finishes them: nothing mounted from now on may reach the host,
// the container answers to hostname, its network works on 127.0.0.1, and
// its /proc shows its own processes only.
//
// The checker names what is still missing; the lab's README has hints,
// each a little bigger than the last.
func SetupChild(hostname string) error {
	// TODO
	return errors.New("lab01: not implemented")
}

// Lab 02: a cgroup v2 limiter.
//
// Write the function that turns a container's -m, --memory-swap and
// --pids-limit into the files of its cgroup v2 group. This file is the only
// one you edit. Run the checker with
//
//	sudo make lab N=02
//
// and read its failures: each names a file, what it holds and what it
// should. Chapter 02's README (chapters/02-cgroups/README.md) has the files,
// their units and Docker's meanings; the lab's README has hints, each a
// little bigger than the last, for when you are stuck.
package lab02

import "errors"

// Limit writes l's memory and pids limits into the v2 group at dir, with
// the meanings Docker gives its flags (see Limits). A limit that is not set
// leaves its file alone.
func Limit(dir string, l *Limits) error {
	// TODO
	return errors.New("lab02: not implemented")
}

// Lab 02: a cgroup v2 limiter.
//
// Write the function that turns a container's -m, --memory-swap and
// --pids-limit into the files of its cgroup v2 group. This file is the only
// one you edit. Run the checker with
//
//	sudo make lab N=02
//
// Chapter 02's README (chapters/02-cgroups/README.md) has the files, their
// units and Docker's meanings. Try without reading the engine's own
// (mydocker/cgroups/resources.go, V2Files).
package lab02

import (
	"errors"

	"github.com/mydocker/mydocker/mydocker/cgroups"
)

// Limit writes r's memory and pids limits into the v2 group at dir:
//
//   - memory.max: r.Memory bytes, when r.Memory > 0;
//   - memory.swap.max: the swap the group may use *besides* memory. Docker's
//     --memory-swap (r.MemorySwap) is memory plus swap; -1 means unlimited
//     ("max"); unset (0) means Docker's default, as much swap as memory;
//   - pids.max: r.PidsLimit, when it is > 0.
//
// Leave alone every file whose limit is not set: a fresh group's files hold
// "max" already.
//
// HINT: a cgroup file is written like any file, but in one write(2) of the
// whole value: os.WriteFile(filepath.Join(dir, "pids.max"), []byte("100"), 0)
// does it. strconv.FormatInt turns an int64 into its decimal text.
func Limit(dir string, r *cgroups.Resources) error {
	// TODO: memory.max, memory.swap.max, pids.max.
	return errors.New("lab02: not implemented")
}

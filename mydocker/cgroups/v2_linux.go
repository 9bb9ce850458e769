// cgroup v2: one tree. A controller works in a group only if every ancestor
// lists it in cgroup.subtree_control, and the "no internal processes" rule
// says a group that hands controllers to children may hold no processes of
// its own (the root excepted). So the container's group cannot live under
// the caller's: under `sudo` on Ubuntu the caller sits in a leaf like
// /user.slice/user-1000.slice/session-1.scope, full of processes. Like
// Docker's cgroupfs driver, mydocker uses /sys/fs/cgroup/mydocker/<id>:
// the root hands the controllers to "mydocker", which holds no processes
// and hands them on to each container's group.

package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mydocker/mydocker/mydocker/trace"
)

func newV2(fs *cgroupfs, id string, r *Resources) (g *Group, err error) {
	parent := filepath.Join(fs.Mount, Parent)
	dir := filepath.Join(parent, id)
	g = &Group{Mode: Unified, Dirs: map[string]string{"": dir}}
	// Another container's Destroy may remove the shared parent between
	// our steps: try again from the top if it vanishes.
	for attempt := 0; ; attempt++ {
		err = createV2(fs, parent, dir)
		if err == nil || !errors.Is(err, os.ErrNotExist) || attempt == 5 {
			break
		}
	}
	if err != nil {
		removeIfEmpty(parent)
		return nil, err
	}
	if err := limitV2(fs, dir, r); err != nil {
		g.Destroy()
		return nil, err
	}
	if err := fs.AttachDevices(dir, DefaultDevices); err != nil {
		g.Destroy()
		return nil, err
	}
	return g, nil
}

// createV2 enables the controllers down to parent and makes dir.
func createV2(fs *cgroupfs, parent, dir string) error {
	if err := enableControllers(fs, fs.Mount); err != nil {
		return err
	}
	if _, err := mkdir(parent); err != nil {
		return fmt.Errorf("create cgroup %s: %w", parent, err)
	}
	if err := enableControllers(fs, parent); err != nil {
		return err
	}
	made, err := mkdir(dir)
	if err != nil {
		return fmt.Errorf("create cgroup %s: %w", dir, err)
	}
	if !made {
		return fmt.Errorf("create cgroup %s: it exists already (a container with this ID?)", dir)
	}
	return nil
}

// v2Limits are the controllers mydocker's limits are written to: it cannot
// go on without them where the kernel has them.
var v2Limits = []string{"cpu", "cpuset", "io", "memory", "pids"}

// enableControllers hands every controller dir has to its children, adding
// to cgroup.subtree_control, never taking away. Every one, as runc does for
// Docker (cpuset cpu io memory hugetlb pids rdma misc, as the kernel has
// them): the container's group then shows each controller's files, with or
// without a flag for it, as a Docker container's does.
func enableControllers(fs *cgroupfs, dir string) error {
	avail, err := readString(dir, "cgroup.controllers")
	if err != nil {
		return fmt.Errorf("read %s/cgroup.controllers: %w", dir, err)
	}
	enabled, _ := readString(dir, "cgroup.subtree_control")
	have := strings.Fields(enabled)
	for _, c := range strings.Fields(avail) {
		if slices.Contains(have, c) {
			continue
		}
		if err := fs.Write(dir, "cgroup.subtree_control", "+"+c); err != nil {
			if slices.Contains(v2Limits, c) {
				return err
			}
			// One mydocker sets no limit with: the container goes without
			// its files, as runc's does when a write fails.
			trace.Step("%s stays off in %s: %v", c, dir, err)
		}
	}
	return nil
}

// limitV2 is the limiter New uses: writeV2, or the student's when lab 02 is
// built into the engine (lab02_linux.go, make build LAB=02).
var limitV2 = writeV2

// WriteV2 writes the limits r into the v2 group dir, the files and values of
// V2Files. Lab 02 writes its own version of this function.
func WriteV2(dir string, r *Resources) error { return writeV2(hostFS(), dir, r) }

// writeV2 is WriteV2 on the cgroup filesystem fs.
func writeV2(fs *cgroupfs, dir string, r *Resources) error {
	for _, f := range V2Files(r) {
		if err := fs.Write(dir, f[0], f[1]); err != nil {
			if f[0] == "memory.swap.max" && errors.Is(err, os.ErrNotExist) && r.MemorySwap == 0 {
				continue // no swap support, and the user did not ask: Docker goes on too
			}
			return err
		}
	}
	return nil
}

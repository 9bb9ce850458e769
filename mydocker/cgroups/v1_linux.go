// cgroup v1: a tree per controller. The container's group is made in every
// mounted hierarchy, as Docker's is, beneath the caller's own group there (read from
// /proc/self/cgroup), as runc does with a relative cgroup path: on a machine
// whose memory controller already confines the caller to /process_api/…,
// the container's memory group is /process_api/…/mydocker/<id>, inside the
// caller's own limit, and no group outside the caller's is touched.

package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// newV1 makes the container's group in every mounted v1 hierarchy, as
// Docker does: the limits need only memory, cpu, pids and cpuset, and the
// device rules need devices, but a program inside looks for the others too
// (the JVM and thread-pool libraries size themselves from
// cpuset/cpuset.cpus, present with or without --cpuset-cpus), and the
// command belongs to a group of the container's in each, not to the
// caller's. Named hierarchies without a controller (name=systemd) are
// included, as runc joins them too.
func newV1(fs *cgroupfs, mode Mode, id string, r *Resources) (*Group, error) {
	hs, err := fs.V1()
	if err != nil {
		return nil, err
	}
	g := placeV1(mode, hs, id)
	for _, c := range []string{"memory", "pids", "cpu", "devices"} {
		if g.Dirs[c] == "" {
			return nil, fmt.Errorf("the cgroup v1 %s controller is not mounted: run `mydocker doctor`", c)
		}
	}
	if r.CpusetCpus != "" && g.Dirs["cpuset"] == "" {
		return nil, fmt.Errorf("--cpuset-cpus: the cgroup v1 cpuset controller is not mounted: run `mydocker doctor`")
	}
	for _, dir := range g.dirs() {
		if err := createV1(fs, dir, dir == g.Dirs["cpuset"]); err != nil {
			g.Destroy()
			return nil, err
		}
	}
	if err := writeV1(fs, g, r); err != nil {
		g.Destroy()
		return nil, err
	}
	if err := writeDevicesV1(fs, g.Dirs["devices"], DefaultDevices); err != nil {
		g.Destroy()
		return nil, err
	}
	return g, nil
}

// createV1 makes the mydocker parent and the container's group in one
// hierarchy. A new cpuset group starts with no CPUs and no memory nodes,
// and refuses tasks until given some: copy them down from the parent.
func createV1(fs *cgroupfs, dir string, cpuset bool) error {
	parent := filepath.Dir(dir)
	for attempt := 0; ; attempt++ {
		if _, err := mkdir(parent); err != nil {
			return fmt.Errorf("create cgroup %s: %w", parent, err)
		}
		made, err := mkdir(dir)
		if errors.Is(err, os.ErrNotExist) && attempt < 5 {
			continue // the shared parent was removed under us: again
		}
		if err != nil {
			return fmt.Errorf("create cgroup %s: %w", dir, err)
		}
		if !made {
			return fmt.Errorf("create cgroup %s: it exists already (a container with this ID?)", dir)
		}
		break
	}
	if cpuset {
		for _, d := range []string{parent, dir} {
			for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
				if v, _ := readString(d, f); v == "" {
					from, _ := readString(filepath.Dir(d), f)
					if err := fs.Write(d, f, from); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// writeV1 writes the limits of V1Files, each into its controller's group.
// pids.max gets one more than the limit for now: while init's forking
// thread stands in the group to place the command (Placement.Fork), it
// counts as a task beside the command. Fork writes the limit itself right
// after the fork, while the thread is still there (so the command can
// have the limit minus one meanwhile), and the thread then leaves: the
// command never has more than the limit.
func writeV1(fs *cgroupfs, g *Group, r *Resources) error {
	for _, f := range V1Files(r) {
		dir := g.Dirs[f[0]]
		if dir == "" {
			continue
		}
		if f[1] == "pids.max" {
			g.PidsMax = r.PidsLimit
			f[2] = strconv.FormatInt(r.PidsLimit+1, 10)
		}
		if err := fs.Write(dir, f[1], f[2]); err != nil {
			if strings.Contains(f[1], "memsw") && errors.Is(err, os.ErrNotExist) {
				if r.MemorySwap != 0 {
					fmt.Fprintln(os.Stderr, "WARNING: this kernel does not account swap (no memory.memsw.limit_in_bytes): --memory-swap is ignored")
				}
				continue
			}
			return err
		}
	}
	return nil
}

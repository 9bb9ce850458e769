// Which cgroup hierarchy does this machine have? Three answers exist in the
// wild, and mydocker must work on all of them:
//
//	unified (v2)  one cgroup2 tree at /sys/fs/cgroup with every controller
//	              (Ubuntu 22.04+, Fedora, students' Vagrant VMs)
//	legacy (v1)   a tree per controller: /sys/fs/cgroup/memory, .../cpu, ...
//	hybrid        v1 trees for the controllers, plus a controller-less
//	              cgroup2 at /sys/fs/cgroup/unified (older systemd default)
//
// The test is statfs(2): the filesystem type of /sys/fs/cgroup is
// CGROUP2_SUPER_MAGIC only on a unified host.

package cgroups

import (
	"os"

	"golang.org/x/sys/unix"
)

// Mode is the kind of cgroup hierarchy the host has.
type Mode int

const (
	Legacy  Mode = iota // cgroup v1 only
	Hybrid              // v1 controllers, plus an empty cgroup2 at /sys/fs/cgroup/unified
	Unified             // cgroup v2 only
)

func (m Mode) String() string {
	return [...]string{"v1 (legacy)", "v1/v2 hybrid", "v2 (unified)"}[m]
}

// Mountpoint is where the cgroup hierarchies live.
const Mountpoint = "/sys/fs/cgroup"

// DetectMode tells which hierarchy the host has.
func DetectMode() (Mode, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(Mountpoint, &st); err != nil {
		return 0, &os.PathError{Op: "statfs", Path: Mountpoint, Err: err}
	}
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		return Unified, nil
	}
	if err := unix.Statfs(Mountpoint+"/unified", &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return Hybrid, nil
	}
	return Legacy, nil
}

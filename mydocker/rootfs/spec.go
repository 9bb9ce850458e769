// Package rootfs gives a container its own root filesystem: the step most
// tutorials get wrong. Setup runs in the container's init, in its private
// mount namespace: it mounts the union of the image's layers (chapter 04)
// or binds a plain directory, mounts a fresh /proc, a /dev with the
// standard devices, a read-only /sys and /sys/fs/cgroup, the container's
// /etc/hostname and /etc/hosts, then swaps the root with pivot_root(2) and
// detaches the old one, so nothing of the host stays reachable. Last, it
// masks the /proc and /sys paths that would leak or let the container poke
// the host.
//
// The defaults are runc's (see shared/REFERENCE.md); this file lists them.
package rootfs

// Spec is what init needs to build the container's filesystem.
type Spec struct {
	// Root is the directory that becomes the container's /. With Overlay
	// set, it is the mount point of the union; otherwise it is bound on
	// itself (pivot_root needs a mount point).
	Root    string   `json:"root"`
	Overlay *Overlay `json:"overlay,omitempty"`
	// Binds are the mounts init makes inside the container's mount
	// namespace, each Target resolved inside the new root (never through
	// a symlink out of it): today /etc/hostname and /etc/hosts; volumes
	// (chapter 08, mydocker/volume) and /etc/resolv.conf (chapter 07)
	// add theirs here.
	Binds []Bind `json:"binds,omitempty"`
	// Cgroup is the container's cgroup, shown read-only at /sys/fs/cgroup:
	// on v2 the group's directory (V2); on v1 one directory per hierarchy,
	// by the name the hierarchy has under /sys/fs/cgroup.
	Cgroup *CgroupView `json:"cgroup,omitempty"`
	// Mounts are the user's volumes, binds and tmpfs mounts (chapter 08),
	// parents before children.
	Mounts []VolumeMount `json:"mounts,omitempty"`
	// ReadOnly makes the root itself read-only (--read-only); the
	// mounts on it keep their own flags.
	ReadOnly bool `json:"readOnly,omitempty"`
}

// Overlay is an overlayfs union: read-only layers under a writable one.
type Overlay struct {
	// Lower are the image's layer directories, TOP first, as overlayfs's
	// lowerdir lists them. Relative paths are relative to LowerBase.
	Lower     []string `json:"lower"`
	LowerBase string   `json:"lowerBase,omitempty"`
	Upper     string   `json:"upper"` // the container's writable layer
	Work      string   `json:"work"`  // overlayfs's scratch space, same filesystem as Upper
	// Volatile mounts the overlay without syncing its upper layer: for a
	// container removed when it ends (--rm), whose writable layer no one
	// will read again. Otherwise the overlay's last unmount, when init
	// exits and its mount namespace goes, runs syncfs(2) on the upper
	// layer's whole filesystem, and `run` waits for the disk (and for
	// every other writer's dirty data on it).
	Volatile bool `json:"volatile,omitempty"`
}

// Bind shows the host file Source at Target (a path inside the container).
type Bind struct {
	Source   string `json:"source"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"readOnly,omitempty"`
}

// CgroupView is the container's own cgroup, as the container sees it.
type CgroupView struct {
	V2 string            `json:"v2,omitempty"`
	V1 map[string]string `json:"v1,omitempty"` // "memory" -> host directory
}

// Mount is one filesystem mounted inside the new root, before pivot_root.
type Mount struct {
	Source, Target, FSType string
	Flags                  uintptr
	Data                   string
}

// MaskedPaths are hidden from the container: directories under an empty
// read-only tmpfs, files under /dev/null. /proc/kcore is the host's memory,
// /proc/keys its keyrings, /proc/timer_list its timers and their owners.
var MaskedPaths = []string{
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
}

// ReadonlyPaths can be read but not written: /proc/sys holds the host
// kernel's settings (most are not namespaced), /proc/sysrq-trigger reboots it.
var ReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}

// Device is a device node in the container's /dev.
type Device struct {
	Path         string
	Major, Minor uint32
	Mode         uint32
}

// Devices are the nodes every container gets, as in runc and Docker.
var Devices = []Device{
	{"/dev/null", 1, 3, 0o666},
	{"/dev/zero", 1, 5, 0o666},
	{"/dev/full", 1, 7, 0o666},
	{"/dev/random", 1, 8, 0o666},
	{"/dev/urandom", 1, 9, 0o666},
	{"/dev/tty", 5, 0, 0o666},
}

// DevSymlinks are /dev's conventional links: the process's own fds, and the
// terminal multiplexer of the container's own devpts.
var DevSymlinks = [][2]string{
	{"/proc/self/fd", "/dev/fd"},
	{"/proc/self/fd/0", "/dev/stdin"},
	{"/proc/self/fd/1", "/dev/stdout"},
	{"/proc/self/fd/2", "/dev/stderr"},
	{"pts/ptmx", "/dev/ptmx"},
	{"/proc/kcore", "/dev/core"},
}

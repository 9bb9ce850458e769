// The filesystems a container gets inside its new root, mounted before the
// root switch while the host's paths are still reachable.

package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// DefaultMounts are runc's: a fresh procfs for the container's PID
// namespace; /dev as a small tmpfs (filled by makeDevices); a devpts of its
// own ("newinstance"), so the container's terminals are not the host's;
// shared memory and POSIX queues of its IPC namespace; sysfs read-only.
func DefaultMounts() []Mount {
	const nosuidNodevNoexec = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	return []Mount{
		{"proc", "/proc", "proc", nosuidNodevNoexec, ""},
		{"tmpfs", "/dev", "tmpfs", unix.MS_NOSUID | unix.MS_STRICTATIME, "mode=755,size=65536k"},
		{"devpts", "/dev/pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"},
		{"shm", "/dev/shm", "tmpfs", nosuidNodevNoexec, "mode=1777,size=65536k"},
		{"mqueue", "/dev/mqueue", "mqueue", nosuidNodevNoexec, ""},
		{"sysfs", "/sys", "sysfs", nosuidNodevNoexec | unix.MS_RDONLY, ""},
	}
}

// mount mounts m inside root, creating the mount point if the image lacks it.
func mount(root string, m Mount) error {
	target, err := SecureJoin(root, m.Target)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("create mount point %s: %w", m.Target, err)
	}
	trace.Step("mount(%q, %q, %q, %s, %q)", m.Source, m.Target, m.FSType, flagNames(m.Flags), m.Data)
	if err := unix.Mount(m.Source, target, m.FSType, m.Flags, m.Data); err != nil {
		return &os.PathError{Op: "mount " + m.FSType, Path: m.Target, Err: err}
	}
	return nil
}

// mountOverlay mounts the union of the image's layers and the container's
// writable layer at root. Lower paths are given relative to LowerBase (the
// layer store), which keeps the option string short: the kernel takes at
// most one page of mount options.
func mountOverlay(root string, o *Overlay) error {
	// index, redirect_dir and metacopy off: a renamed directory or a
	// metadata-only copy-up would be recorded in ways no OCI layer can
	// express, and commit could not turn the upper layer into one.
	for _, p := range append(append([]string{}, o.Lower...), o.Upper, o.Work) {
		if strings.ContainsAny(p, ",:") {
			return fmt.Errorf("mount overlay: the path %s has a ',' or ':', which overlayfs's options cannot hold: use a data root (and images) on paths without them", p)
		}
	}
	data := "lowerdir=" + strings.Join(o.Lower, ":") + ",upperdir=" + o.Upper + ",workdir=" + o.Work +
		",index=off,redirect_dir=off,metacopy=off"
	if o.Volatile {
		data += ",volatile" // --rm: no syncfs of the upper filesystem when the overlay goes
	}
	if len(data) >= os.Getpagesize() {
		return fmt.Errorf("mount overlay: %d layers make an option string of %d bytes, more than the kernel's %d", len(o.Lower), len(data), os.Getpagesize())
	}
	if o.LowerBase != "" {
		// Relative lowerdirs are resolved against the cwd at mount time.
		if err := os.Chdir(o.LowerBase); err != nil {
			return err
		}
	}
	// nodev: a device node in an image (a /dev/sda, a /dev/kmsg) opens
	// nothing. The container's /dev is a tmpfs of its own, with the
	// harmless nodes only.
	trace.Step("mount(\"overlay\", %q, \"overlay\", MS_NODEV, %q)", root, data)
	err := unix.Mount("overlay", root, "overlay", unix.MS_NODEV, data)
	if err == unix.EINVAL && o.Volatile { // a kernel before 5.10: without it
		err = unix.Mount("overlay", root, "overlay", unix.MS_NODEV, strings.TrimSuffix(data, ",volatile"))
	}
	if err != nil {
		return &os.PathError{Op: "mount overlay", Path: root, Err: explainOverlay(err, o)}
	}
	return nil
}

func explainOverlay(err error, o *Overlay) error {
	var st unix.Statfs_t
	if errors.Is(err, unix.EINVAL) && unix.Statfs(o.Upper, &st) == nil && st.Type == unix.OVERLAYFS_SUPER_MAGIC {
		return fmt.Errorf("%w (the data root is itself on overlayfs, which cannot hold an upper layer: use --data-root on ext4, xfs or tmpfs)", err)
	}
	if errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("%w (no overlayfs in this kernel: modprobe overlay)", err)
	}
	if _, serr := os.Stat(filepath.Join(o.Work, "work", "incompat", "volatile")); errors.Is(err, unix.EINVAL) && serr == nil {
		return fmt.Errorf("%w (the writable layer was mounted volatile, for --rm, and that run never ended cleanly (a crash?): overlayfs will not trust it again; remove the container)", err)
	}
	return err
}

// bindFile shows the host file b.Source at b.Target inside root, creating an
// empty file to mount on if the image has none there. It goes the way a
// volume does (MountVolume): the target is opened inside the root and the
// bind attached to that descriptor, because /etc may be a volume another
// container shares and can swap a file in for a symlink to the host at will
// (CVE-2021-30465's race). By path, the mount would follow it.
func bindFile(root string, b Bind) error {
	rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(rootFd)
	m := VolumeMount{Kind: "bind", Source: b.Source, Target: b.Target, ReadOnly: b.ReadOnly}
	if err := MountVolume(rootFd, m); err != nil {
		return fmt.Errorf("bind %s at %s: %w", b.Source, b.Target, err)
	}
	return nil
}

// mountCgroup shows the container's own cgroup at /sys/fs/cgroup, read-only:
// programs that size themselves by their limits (a JVM reads memory.max, or
// cpuset/cpuset.cpus on v1) find them there, and nothing of the host's tree.
// On v1 every hierarchy the container's group is in appears by the name it
// has on the host, as in a Docker container: "memory", "cpu,cpuacct", and
// for a co-mounted one a symlink per controller ("cpu" -> "cpu,cpuacct").
func mountCgroup(root string, v *CgroupView) error {
	target, err := SecureJoin(root, "/sys/fs/cgroup")
	if err != nil {
		return err
	}
	// Nothing to run, no devices, no set-user-ID files: runc's flags.
	const flags = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	if v.V2 != "" {
		if err := bind(v.V2, target, "/sys/fs/cgroup"); err != nil {
			return err
		}
		return remountReadOnlyWith(target, flags)
	}
	trace.Step("mount(\"tmpfs\", \"/sys/fs/cgroup\", \"tmpfs\", MS_NOSUID|MS_NODEV|MS_NOEXEC)")
	if err := unix.Mount("tmpfs", target, "tmpfs", flags, "mode=755"); err != nil {
		return &os.PathError{Op: "mount tmpfs", Path: "/sys/fs/cgroup", Err: err}
	}
	names := make([]string, 0, len(v.V1))
	for name := range v.V1 {
		names = append(names, name)
	}
	sort.Strings(names) // the same order in every container, for --trace
	for _, name := range names {
		dir := v.V1[name]
		sub := filepath.Join(target, name)
		if err := os.Mkdir(sub, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
		if err := bind(dir, sub, "/sys/fs/cgroup/"+name); err != nil {
			return err
		}
		if err := remountReadOnlyWith(sub, flags); err != nil {
			return err
		}
	}
	if err := linkCoMounted(target, v.V1); err != nil {
		return err
	}
	return remountReadOnly(target)
}

// linkCoMounted adds, for a hierarchy that carries several controllers
// ("cpu,cpuacct"), a symlink per controller, as the host has and runc makes:
// a program looking for /sys/fs/cgroup/cpu finds it.
func linkCoMounted(target string, hierarchies map[string]string) error {
	for name := range hierarchies {
		if !strings.Contains(name, ",") {
			continue
		}
		for _, c := range strings.Split(name, ",") {
			if _, ok := hierarchies[c]; ok {
				continue
			}
			trace.Step("ln -s %s /sys/fs/cgroup/%s", name, c)
			if err := os.Symlink(name, filepath.Join(target, c)); err != nil && !errors.Is(err, os.ErrExist) {
				return err
			}
		}
	}
	return nil
}

func bind(source, target, shown string) error {
	trace.Step("mount(%q, %q, MS_BIND|MS_REC)", source, shown)
	if err := unix.Mount(source, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return &os.PathError{Op: "bind mount", Path: shown, Err: err}
	}
	return nil
}

// remountReadOnly makes a mount read-only, keeping its other flags: a bind
// mount ignores MS_RDONLY on the first call and takes it on a remount.
func remountReadOnly(path string) error { return remountReadOnlyWith(path, 0) }

// remountReadOnlyWith makes a mount read-only and adds the flags extra
// (MS_NOSUID...), keeping the ones it has: a flag locked on it (in a user
// namespace) cannot be cleared, and the remount would fail with EPERM.
func remountReadOnlyWith(path string, extra uintptr) error {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return &os.PathError{Op: "statfs", Path: path, Err: err}
	}
	flags := uintptr(unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY) | extra
	for _, f := range [][2]int64{{unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV},
		{unix.ST_NOEXEC, unix.MS_NOEXEC}, {unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_RELATIME, unix.MS_RELATIME}} {
		if int64(st.Flags)&f[0] != 0 { // int32 on 32-bit CPUs
			flags |= uintptr(f[1])
		}
	}
	if err := unix.Mount("", path, "", flags, ""); err != nil {
		return &os.PathError{Op: "remount read-only", Path: path, Err: err}
	}
	return nil
}

// flagNames spells mount flags for --trace.
func flagNames(flags uintptr) string {
	names := []struct {
		f uintptr
		n string
	}{{unix.MS_RDONLY, "MS_RDONLY"}, {unix.MS_NOSUID, "MS_NOSUID"}, {unix.MS_NODEV, "MS_NODEV"},
		{unix.MS_NOEXEC, "MS_NOEXEC"}, {unix.MS_STRICTATIME, "MS_STRICTATIME"}, {unix.MS_BIND, "MS_BIND"},
		{unix.MS_REC, "MS_REC"}, {unix.MS_PRIVATE, "MS_PRIVATE"}, {unix.MS_SLAVE, "MS_SLAVE"}}
	var out []string
	for _, x := range names {
		if flags&x.f != 0 {
			out = append(out, x.n)
		}
	}
	if len(out) == 0 {
		return "0"
	}
	return strings.Join(out, "|")
}

package rootfs_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/rootfs"
	"github.com/mydocker/mydocker/mydocker/rootfs/rootfstest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// mountPoints counts this thread's mounts at each mount point.
func mountPoints(t *testing.T) map[string]int {
	f, err := os.Open("/proc/thread-self/mountinfo")
	require.NoError(t, err)
	defer f.Close()
	out := map[string]int{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) > 4 {
			out[fields[4]]++
		}
	}
	return out
}

func openRoot(t *testing.T, dir string) int {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// A symlink in the image cannot send a mount to the host: each target is
// resolved inside the root, however the link is spelled.
func TestMountVolumeSymlinkContained(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	require.NoError(t, os.Symlink("/etc", filepath.Join(root, "abs")))
	require.NoError(t, os.Symlink("../../../../../../etc", filepath.Join(root, "up")))
	require.NoError(t, os.Symlink("/proc/self/root/etc", filepath.Join(root, "magic")))
	// Dangling inside the root, though the host has the place: made inside.
	hostDir := t.TempDir()
	require.NoError(t, os.Symlink(hostDir+"/made", filepath.Join(root, "dangling")))
	require.NoError(t, os.Mkdir(filepath.Join(root, "proc"), 0o755))
	rootfstest.InMountNS(t, func() {
		fd := openRoot(t, root)
		// As in a container: its own /proc is mounted before the volumes.
		require.NoError(t, unix.Mount("proc", filepath.Join(root, "proc"), "proc", 0, ""))
		hostEtc := mountPoints(t)["/etc"]
		for _, target := range []string{"/abs", "/up"} {
			err := rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "tmpfs", Target: target, Data: "size=1m"})
			require.NoError(t, err, target)
			// (By the mount table, not by statfs: in the VM the host's
			// / is itself a tmpfs.)
			if n := mountPoints(t)["/etc"]; n != hostEtc {
				t.Fatalf("MountVolume(%s -> the host's /etc) mounted on the host's /etc", target)
			}
			if mountPoints(t)[filepath.Join(root, "etc")] != 1 {
				t.Errorf("MountVolume(%s) did not land on the root's own /etc", target)
			}
			require.NoError(t, unix.Unmount(filepath.Join(root, "etc"), 0))
		}
		require.NoError(t, rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "tmpfs", Target: "/dangling", Data: "size=1m"}))
		if _, err := os.Stat(filepath.Join(hostDir, "made")); err == nil {
			t.Errorf("MountVolume(/dangling -> host path) made the directory on the host")
		}
		if mountPoints(t)[filepath.Join(root, hostDir, "made")] != 1 {
			t.Errorf("MountVolume(/dangling) did not land at root%s/made", hostDir)
		}
		// A magic link could reach anything: refused outright.
		err := rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "tmpfs", Target: "/magic", Data: "size=1m"})
		if !errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.EXDEV) {
			t.Errorf("MountVolume(/magic -> /proc/self/root/etc) = %v, want ELOOP or EXDEV", err)
		}
	})
}

// The CVE-2021-30465 shape: while mounts are made at /vol/sub, something
// keeps exchanging the directory /vol with a symlink to the host's (here:
// a temp dir playing the host). A target resolved first and mounted by its
// path string would, now and then, be mounted through the symlink onto the
// host; one mounted by descriptor never is.
func TestMountVolumeSymlinkRace(t *testing.T) {
	for _, mount := range []struct {
		name   string
		mount  func(t *testing.T, root string, rootFd int) error
		escape bool
	}{
		{"by descriptor", func(t *testing.T, root string, rootFd int) error {
			return rootfs.MountVolume(rootFd, rootfs.VolumeMount{Kind: "tmpfs", Target: "/vol/sub", Data: "size=64k"})
		}, false},
		{"by path (wrong)", func(t *testing.T, root string, rootFd int) error {
			p, err := rootfs.SecureJoin(root, "/vol/sub")
			if err == nil {
				err = unix.Mount("tmpfs", p, "tmpfs", 0, "size=64k")
			}
			return err
		}, true},
	} {
		t.Run(mount.name, func(t *testing.T) {
			outside := raceMounts(t, mount.mount)
			if outside > 0 && !mount.escape {
				t.Errorf("%d mounts reached the outside, want none", outside)
			}
			if outside == 0 && mount.escape {
				t.Logf("the wrong way escaped 0 times in this run (a race: it usually does)")
			}
			t.Logf("%s: %d of 1000 mounts outside the root", mount.name, outside)
		})
	}
}

// raceMounts makes 1000 mounts at /vol/sub while /vol is swapped, and counts
// those that landed outside the root.
func raceMounts(t *testing.T, mount func(t *testing.T, root string, rootFd int) error) (outside int) {
	root, host := t.TempDir(), t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "vol", "sub"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(host, "sub"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(root, host, "sub"), 0o755)) // where the link leads, inside
	vol, link := filepath.Join(root, "vol"), filepath.Join(root, "link")
	require.NoError(t, os.Symlink(host, link))
	var stop atomic.Bool
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		for !stop.Load() {
			unix.Renameat2(unix.AT_FDCWD, link, unix.AT_FDCWD, vol, unix.RENAME_EXCHANGE)
		}
	}()
	rootfstest.InMountNS(t, func() {
		fd := openRoot(t, root)
		for i := 0; i < 1000; i++ {
			mount(t, root, fd) // a failed attempt is not an escape
		}
		for mp, n := range mountPoints(t) {
			if strings.HasPrefix(mp, host) {
				outside += n
			}
		}
	})
	stop.Store(true)
	<-swapped
	return outside
}

// A new volume starts with the image's content at the target: owners,
// modes, set-user-ID bits, symlinks as they are, extended attributes.
func TestMountVolumeCopyUp(t *testing.T) {
	root, vol := t.TempDir(), t.TempDir()
	app := filepath.Join(root, "app")
	require.NoError(t, os.MkdirAll(filepath.Join(app, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(app, "sub", "conf"), []byte("hello\n"), 0o640))
	require.NoError(t, os.Chown(filepath.Join(app, "sub", "conf"), 1000, 1001))
	require.NoError(t, os.WriteFile(filepath.Join(app, "suid"), nil, 0o755))
	require.NoError(t, os.Chown(filepath.Join(app, "suid"), 0, 0))
	require.NoError(t, os.Chmod(filepath.Join(app, "suid"), 0o4755|os.ModeSetuid))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(app, "passwd")))
	require.NoError(t, os.Chown(app, 33, 33))
	require.NoError(t, os.Chmod(app, 0o750))
	xattrOK := unix.Setxattr(filepath.Join(app, "sub", "conf"), "user.mydocker", []byte("kept"), 0) == nil
	rootfstest.InMountNS(t, func() {
		fd := openRoot(t, root)
		require.NoError(t, rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "bind", Source: vol, Target: "/app", CopyUp: true, NoDev: true}))
	})
	// The copy is in the volume's own directory, on the host.
	check := func(name string, mode os.FileMode, uid, gid uint32) {
		t.Helper()
		fi, err := os.Lstat(filepath.Join(vol, name))
		require.NoError(t, err, name)
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode() != mode || st.Uid != uid || st.Gid != gid {
			t.Errorf("copy-up %q: mode %v owner %d:%d, want %v %d:%d", name, fi.Mode(), st.Uid, st.Gid, mode, uid, gid)
		}
	}
	check(".", os.ModeDir|0o750, 33, 33)
	check("sub/conf", 0o640, 1000, 1001)
	check("suid", 0o755|os.ModeSetuid, 0, 0)
	if got, err := os.Readlink(filepath.Join(vol, "passwd")); err != nil || got != "/etc/passwd" {
		t.Errorf("copy-up of a symlink = %q, %v; want the symlink itself, /etc/passwd", got, err)
	}
	if data, _ := os.ReadFile(filepath.Join(vol, "sub", "conf")); string(data) != "hello\n" {
		t.Errorf("copy-up of sub/conf = %q, want hello", data)
	}
	if xattrOK {
		buf := make([]byte, 16)
		n, err := unix.Getxattr(filepath.Join(vol, "sub", "conf"), "user.mydocker", buf)
		if err != nil || string(buf[:n]) != "kept" {
			t.Errorf("copy-up lost the xattr user.mydocker: %q, %v", buf[:n], err)
		}
	}
}

// A volume that holds anything is never filled again, and no-copy (and a
// target the image lacks) copies nothing.
func TestMountVolumeNoCopy(t *testing.T) {
	root, full, nocopy := t.TempDir(), t.TempDir(), t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "a"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "a", "image-file"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(full, "mine"), nil, 0o644))
	rootfstest.InMountNS(t, func() {
		fd := openRoot(t, root)
		require.NoError(t, rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "bind", Source: full, Target: "/a", CopyUp: true}))
		require.NoError(t, rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "bind", Source: nocopy, Target: "/b/c"}))
	})
	if _, err := os.Stat(filepath.Join(full, "image-file")); err == nil {
		t.Errorf("a volume with data was filled from the image")
	}
	if names, _ := os.ReadDir(nocopy); len(names) != 0 {
		t.Errorf("a volume without copy-up got %v", names)
	}
	if fi, err := os.Stat(filepath.Join(root, "b", "c")); err != nil || !fi.IsDir() {
		t.Errorf("the missing target /b/c was not made inside the root: %v", err)
	}
}

// Flags: a read-only bind refuses writes; a tmpfs honours its size.
func TestMountVolumeFlagsAndSize(t *testing.T) {
	root, src := t.TempDir(), t.TempDir()
	rootfstest.InMountNS(t, func() {
		fd := openRoot(t, root)
		require.NoError(t, rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "bind", Source: src, Target: "/ro", ReadOnly: true}))
		if err := os.WriteFile(filepath.Join(root, "ro", "f"), nil, 0o644); !errors.Is(err, unix.EROFS) {
			t.Errorf("write into a read-only bind = %v, want EROFS", err)
		}
		require.NoError(t, rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "tmpfs", Target: "/small", Data: "size=1m"}))
		err := os.WriteFile(filepath.Join(root, "small", "big"), make([]byte, 2<<20), 0o644)
		if !errors.Is(err, unix.ENOSPC) {
			t.Errorf("2 MiB into a 1 MiB tmpfs = %v, want ENOSPC", err)
		}
		if err := rootfs.MountVolume(fd, rootfs.VolumeMount{Kind: "tmpfs", Target: "/proc/x"}); err == nil {
			t.Errorf("MountVolume(/proc/x) = nil, want refused")
		}
	})
}

// The same race against the engine's own binds (/etc/hosts, hostname,
// resolv.conf): a volume shared at /etc by another container can swap the
// file for a symlink to the host at will. Each bind must land inside the
// root, and no host file may be covered or created.
func TestBindFileSymlinkRace(t *testing.T) {
	root, host := t.TempDir(), t.TempDir()
	src := filepath.Join(t.TempDir(), "hosts")
	require.NoError(t, os.WriteFile(src, []byte("engine's hosts\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "etc", "hosts"), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(host, "hosts"), []byte("host's file\n"), 0o644))
	// The attacker's link: the host's file, or a host name not made yet.
	etc, link := filepath.Join(root, "etc", "hosts"), filepath.Join(root, "link")
	require.NoError(t, os.Symlink(filepath.Join(host, "hosts"), link))
	var stop atomic.Bool
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		for !stop.Load() {
			unix.Renameat2(unix.AT_FDCWD, link, unix.AT_FDCWD, etc, unix.RENAME_EXCHANGE)
		}
	}()
	outside := 0
	rootfstest.InMountNS(t, func() {
		for i := 0; i < 1000; i++ {
			rootfs.BindFile(root, rootfs.Bind{Source: src, Target: "/etc/hosts", ReadOnly: true}) // a failed attempt is not an escape
		}
		for mp, n := range mountPoints(t) {
			if strings.HasPrefix(mp, host) {
				outside += n
			}
		}
	})
	stop.Store(true)
	<-swapped
	if outside > 0 {
		t.Errorf("%d of 1000 binds of /etc/hosts landed on the host's file, want none", outside)
	}
	if data, _ := os.ReadFile(filepath.Join(host, "hosts")); string(data) != "host's file\n" {
		t.Errorf("the host's file now reads %q", data)
	}
}

// Copy-up keeps hardlinks together, as Docker's does: two names of one
// file in the image are two names of one file in the volume.
func TestCopyUpKeepsHardlinks(t *testing.T) {
	testenv.RequireRoot(t, "copy-up keeps owners")
	src, dst := t.TempDir(), t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "bin", "busybox"), []byte("one file\n"), 0o755))
	for _, name := range []string{"bin/sh", "ls"} {
		require.NoError(t, os.Link(filepath.Join(src, "bin", "busybox"), filepath.Join(src, name)))
	}
	s, err := unix.Open(src, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer unix.Close(s)
	d, err := unix.Open(dst, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer unix.Close(d)
	require.NoError(t, rootfs.CopyUp(s, d))
	var first unix.Stat_t
	require.NoError(t, unix.Stat(filepath.Join(dst, "bin", "busybox"), &first))
	for _, name := range []string{"bin/sh", "ls"} {
		var st unix.Stat_t
		require.NoError(t, unix.Stat(filepath.Join(dst, name), &st))
		if st.Ino != first.Ino || st.Nlink != 3 {
			t.Errorf("copy-up of %s: inode %d (%d links), want bin/busybox's %d (3 links)", name, st.Ino, st.Nlink, first.Ino)
		}
	}
}

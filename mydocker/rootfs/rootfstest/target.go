// CheckOpenTarget checks a mount-target resolver (lab 08): a function that
// opens a path of the container's, creating the directories it lacks, as
// an O_PATH descriptor to mount on, without ever leaving the container's
// root. The engine's rootfs.OpenTarget and lab 08 pass the same checker.
//
// It builds a small root whose image plays every trick a hostile image can:
// an absolute symlink to a host directory, a "../../.." one, a dangling one
// that points where the host has a directory, a /proc magic link (with a
// real /proc mounted in the root, as in a container), a file in the way.
// Each descriptor returned is checked by inode against where it must be,
// and the host directory against any change. Last, the CVE-2021-30465
// race: a directory on the path swapped for a symlink to the host while
// the resolver runs, thousands of times.

package rootfstest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// TargetFunc opens target (an absolute path inside the root rootFd) as a
// directory, creating what is missing inside the root, and returns an
// O_PATH descriptor of it.
type TargetFunc func(rootFd int, target string) (int, error)

// CheckOpenTarget runs every case against open, one subtest each.
func CheckOpenTarget(t *testing.T, open TargetFunc) {
	testenv.RequireRoot(t, "a /proc mounted inside the test root, in a mount namespace of its own")
	root, host := t.TempDir(), t.TempDir() // host plays the host's /etc
	mustDo(t, os.MkdirAll(filepath.Join(root, "etc", "app"), 0o755))
	mustDo(t, os.MkdirAll(filepath.Join(root, "proc"), 0o755))
	mustDo(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o644))
	mustDo(t, os.MkdirAll(filepath.Join(host, "x"), 0o755))
	mustDo(t, os.MkdirAll(filepath.Join(root, host, "x"), 0o755)) // where the links lead, inside
	mustDo(t, os.Symlink(host, filepath.Join(root, "abs")))
	mustDo(t, os.Symlink(strings.Repeat("../", 12)+strings.TrimPrefix(host, "/"), filepath.Join(root, "etc", "up")))
	mustDo(t, os.Symlink(host+"/made/here", filepath.Join(root, "dangling")))
	mustDo(t, os.Symlink("/proc/self/root"+host, filepath.Join(root, "magic")))
	before := listTree(host)

	cases := []struct {
		name, target string
		want         string // where the descriptor must be, inside root; "" for an error
	}{
		{"an existing directory", "/etc/app", "/etc/app"},
		{"a missing directory, made inside", "/new/deep/dir", "/new/deep/dir"},
		{"an absolute symlink stays inside", "/abs/x", host + "/x"},
		{"a ../ symlink stops at the root", "/etc/up/x", host + "/x"},
		{"a ../ path stops at the root", "/../../../etc/app", "/etc/app"},
		{"a dangling symlink is made inside", "/dangling", host + "/made/here"},
		{"a /proc magic link is refused", "/magic/x", ""},
		{"a file in the way is refused", "/file/sub", ""},
	}
	InMountNS(t, func() {
		rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		mustDo(t, err)
		defer unix.Close(rootFd)
		// As in a container: its own /proc, mounted before the volumes.
		mustDo(t, unix.Mount("proc", filepath.Join(root, "proc"), "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""))
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				fd, err := open(rootFd, c.target)
				if c.want == "" {
					if err == nil {
						unix.Close(fd)
						t.Errorf("open(%q) = a descriptor of %s, want an error", c.target, whereIs(fd, root))
					}
					return
				}
				if err != nil {
					t.Fatalf("open(%q) = %v, want a descriptor of root%s", c.target, err, c.want)
				}
				defer unix.Close(fd)
				if !sameFile(fd, filepath.Join(root, c.want)) {
					t.Errorf("open(%q) = a descriptor of %s, want root%s: outside the container's root", c.target, whereIs(fd, root), c.want)
				}
			})
		}
		t.Run("the host untouched", func(t *testing.T) {
			if after := listTree(host); after != before {
				t.Errorf("the host directory changed:\nbefore %s\nafter  %s", before, after)
			}
		})
		t.Run("race: a directory swapped for a symlink to the host", func(t *testing.T) {
			if n := raceTarget(t, root, host, rootFd, open); n > 0 {
				t.Errorf("%d descriptor(s) of the host's directory, while /race was swapped for a symlink to it: the path was resolved, then used again as a string", n)
			}
		})
	})
}

// raceTarget resolves /race/x while /race is exchanged with a symlink to
// the host, and counts the descriptors that landed on the host's x.
func raceTarget(t *testing.T, root, host string, rootFd int, open TargetFunc) (outside int) {
	race, link := filepath.Join(root, "race"), filepath.Join(root, "racelink")
	mustDo(t, os.MkdirAll(filepath.Join(race, "x"), 0o755))
	mustDo(t, os.Symlink(host, link))
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			unix.Renameat2(unix.AT_FDCWD, link, unix.AT_FDCWD, race, unix.RENAME_EXCHANGE)
		}
	}()
	defer func() { stop.Store(true); <-done }()
	var hostX unix.Stat_t
	mustDo(t, unix.Stat(filepath.Join(host, "x"), &hostX))
	for i := 0; i < 5000 && outside == 0; i++ {
		fd, err := open(rootFd, "/race/x")
		if err != nil {
			continue // refusing is safe
		}
		var st unix.Stat_t
		if unix.Fstat(fd, &st) == nil && st.Dev == hostX.Dev && st.Ino == hostX.Ino {
			outside++
		}
		unix.Close(fd)
	}
	return outside
}

// InMountNS runs f on an OS thread of its own in a new, private mount
// namespace. The thread is never unlocked, so Go discards it afterwards,
// and its mounts go with it: the host never sees them.
func InMountNS(t *testing.T, f func()) {
	t.Helper()
	testenv.RequireRoot(t, "mount namespaces")
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with its namespace
		if err := unix.Unshare(unix.CLONE_FS | unix.CLONE_NEWNS); err != nil {
			t.Errorf("unshare(CLONE_NEWNS): %v", err)
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
			t.Errorf("make / rprivate: %v", err)
			return
		}
		f()
	}()
	<-done
}

func sameFile(fd int, path string) bool {
	var a unix.Stat_t
	b, err := os.Stat(path)
	if unix.Fstat(fd, &a) != nil || err != nil {
		return false
	}
	st := b.Sys().(*syscall.Stat_t)
	return a.Dev == st.Dev && a.Ino == st.Ino
}

// whereIs names what fd is, relative to root when inside it.
func whereIs(fd int, root string) string {
	p, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		return "?"
	}
	if rel, ok := strings.CutPrefix(p, root); ok {
		return "root" + rel
	}
	return p + " (on the host)"
}

// listTree is a directory's names, recursively, for a before/after check.
func listTree(dir string) string {
	var names []string
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			names = append(names, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return strings.Join(names, " ")
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

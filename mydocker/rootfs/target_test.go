package rootfs_test

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/rootfs"
	"github.com/mydocker/mydocker/mydocker/rootfs/rootfstest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// engineOpenTarget is rootfs.OpenTarget in the lab's shape.
func engineOpenTarget(rootFd int, target string) (int, error) {
	fd, _, err := rootfs.OpenTarget(rootFd, target, true)
	return fd, err
}

// The engine's target resolution passes the checker lab 08 is held to.
func TestOpenTarget(t *testing.T) { rootfstest.CheckOpenTarget(t, engineOpenTarget) }

func rootPath(rootFd int) string {
	p, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", rootFd))
	return p
}

// Plausible wrong answers, each of which the checker must fail, in its own words.
var wrongTargets = map[string]struct {
	open rootfstest.TargetFunc
	want string
}{
	// The host's path resolution: symlinks followed on the host.
	"host path": {func(rootFd int, target string) (int, error) {
		p := rootPath(rootFd) + target
		if err := os.MkdirAll(p, 0o755); err != nil {
			return -1, err
		}
		return unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
	}, "outside the container's root"},
	// Opened inside the root, but what is missing made by the host's
	// path: a dangling symlink in the image is followed on the host (here
	// MkdirAll stops at it; had its parents been missing, they would be
	// made there), and never made inside.
	"mkdir by path": {func(rootFd int, target string) (int, error) {
		how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
		fd, err := unix.Openat2(rootFd, target, how)
		if err == unix.ENOENT {
			if err := os.MkdirAll(rootPath(rootFd)+target, 0o755); err != nil {
				return -1, err
			}
			fd, err = unix.Openat2(rootFd, target, how)
		}
		return fd, err
	}, `open("/dangling")`},
	// Resolved inside the root, then used again as a string: the race.
	"resolve, then open the path": {func(rootFd int, target string) (int, error) {
		p, err := rootfs.SecureJoin(rootPath(rootFd), target)
		if err != nil {
			return -1, err
		}
		if err := os.MkdirAll(p, 0o755); err != nil {
			return -1, err
		}
		return unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
	}, "the path was resolved, then used again as a string"},
}

func TestOpenTargetCheckerCatchesWrongAnswers(t *testing.T) {
	if w := testenv.WrongAnswer(); w != "" {
		rootfstest.CheckOpenTarget(t, wrongTargets[w].open)
		return
	}
	testenv.RequireRoot(t, "mount namespaces")
	for name, w := range wrongTargets {
		t.Run(name, func(t *testing.T) {
			testenv.CheckerFails(t, "TestOpenTargetCheckerCatchesWrongAnswers", name, w.want)
		})
	}
}

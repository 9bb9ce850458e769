// The freezer: `mydocker pause` stops every process of a container at once,
// without a signal the processes could see, catch or ignore, and `unpause`
// lets them go on where they were. A SIGSTOP would not do: the container's
// own processes could be waiting for it (a shell's job control), and a
// process forking in a loop could outrun a loop of kill(2)s. The kernel
// freezes the whole group instead, and new children are born frozen.
//
//	v1  freezer.state: write FROZEN; the group reads FREEZING until every
//	    task has stopped, then FROZEN. Tasks show state D in /proc.
//	v2  cgroup.freeze: write 1; cgroup.events says "frozen 1" once every
//	    task has stopped, and the kernel notifies the file (inotify
//	    IN_MODIFY, or poll POLLPRI) when it changes. Tasks stay S in /proc,
//	    stopped in the kernel's freezer trap; their CPU time stands still.
//
// The freezer is a v1 controller, but on v2 it is part of the core: every
// group but the root has cgroup.freeze, with or without controllers (the
// hybrid's controller-less /sys/fs/cgroup/unified has it too).

package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// FreezeTimeout is how long Freeze waits for every task to stop. A task in
// an uninterruptible sleep (a hung NFS read) cannot freeze until it wakes.
var FreezeTimeout = 5 * time.Second

// ErrNoFreezer is returned on a v1 host without the freezer hierarchy.
var ErrNoFreezer = errors.New("the cgroup v1 freezer controller is not mounted: run `mydocker doctor`")

// Freeze stops every process in the group and returns once all have.
func (g *Group) Freeze() error { return g.setFrozen(true) }

// Thaw lets the group's processes run again.
func (g *Group) Thaw() error { return g.setFrozen(false) }

// Frozen reports whether the group is frozen (a v1 group still FREEZING
// counts as frozen: pause began, and only Thaw undoes it).
func (g *Group) Frozen() (bool, error) {
	if g.Mode == Unified {
		return FrozenV2(g.Dirs[""])
	}
	dir := g.Dirs["freezer"]
	if dir == "" {
		return false, ErrNoFreezer
	}
	return FrozenV1(dir)
}

func (g *Group) setFrozen(frozen bool) error {
	if g.Mode == Unified {
		return FreezeV2(g.Dirs[""], frozen)
	}
	dir := g.Dirs["freezer"]
	if dir == "" {
		return ErrNoFreezer
	}
	return FreezeV1(dir, frozen)
}

// FreezeV1 freezes (or thaws) the v1 freezer group at dir. Freezing is
// not instant: the kernel sends each task a fake signal and the group
// stays FREEZING until the last one has stopped. runc writes FROZEN again
// while it waits, since a task forked meanwhile may have been missed; so
// does this, and it gives up (thawing again) after FreezeTimeout rather
// than leave a half-frozen container behind.
func FreezeV1(dir string, frozen bool) error {
	want := "THAWED"
	if frozen {
		want = "FROZEN"
	}
	deadline := time.Now().Add(FreezeTimeout)
	for delay := 100 * time.Microsecond; ; delay = min(2*delay, 10*time.Millisecond) {
		if err := writeFile(dir, "freezer.state", want); err != nil {
			return err
		}
		state, err := readString(dir, "freezer.state")
		if err != nil {
			return fmt.Errorf("read %s: %w", filepath.Join(dir, "freezer.state"), err)
		}
		if state == want {
			return nil
		}
		if time.Now().After(deadline) {
			if frozen {
				writeFile(dir, "freezer.state", "THAWED")
			}
			return fmt.Errorf("freeze %s: still %s after %v (a task in uninterruptible sleep?)", dir, state, FreezeTimeout)
		}
		time.Sleep(delay)
	}
}

// FrozenV1 reads a v1 freezer group's state.
func FrozenV1(dir string) (bool, error) {
	state, err := readString(dir, "freezer.state")
	if err != nil {
		return false, err
	}
	return state != "THAWED", nil
}

// FreezeV2 freezes (or thaws) the v2 group at dir and waits until
// cgroup.events says so. The wait sleeps on inotify, which the kernel
// wakes when it rewrites cgroup.events, rather than polling the file.
func FreezeV2(dir string, frozen bool) error {
	value := "0"
	if frozen {
		value = "1"
	}
	// Watch before writing, so that the change cannot slip between the
	// write and the watch.
	in, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return os.NewSyscallError("inotify_init1", err)
	}
	defer unix.Close(in)
	events := filepath.Join(dir, "cgroup.events")
	if _, err := unix.InotifyAddWatch(in, events, unix.IN_MODIFY); err != nil {
		return &os.PathError{Op: "inotify_add_watch", Path: events, Err: err}
	}
	if err := writeFile(dir, "cgroup.freeze", value); err != nil {
		return err
	}
	deadline := time.Now().Add(FreezeTimeout)
	for {
		got, err := FrozenV2(dir)
		if err != nil {
			return err
		}
		if got == frozen {
			trace.Step("%s: frozen %s", events, value)
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			if frozen {
				writeFile(dir, "cgroup.freeze", "0")
			}
			return fmt.Errorf("freeze %s: cgroup.events did not say frozen %s within %v", dir, value, FreezeTimeout)
		}
		fds := []unix.PollFd{{Fd: int32(in), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, int(left.Milliseconds())+1); err != nil && !errors.Is(err, unix.EINTR) {
			return os.NewSyscallError("poll", err)
		}
		drain(in)
	}
}

// drain empties the inotify queue: only "something changed" matters.
func drain(fd int) {
	var buf [512]byte
	for {
		if n, err := unix.Read(fd, buf[:]); n <= 0 || err != nil {
			return
		}
	}
}

// FrozenV2 reads "frozen" from a v2 group's cgroup.events.
func FrozenV2(dir string) (bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.events"))
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && k == "frozen" {
			return v == "1", nil
		}
	}
	return false, fmt.Errorf("%s has no \"frozen\" line (kernel before 5.2?)", filepath.Join(dir, "cgroup.events"))
}

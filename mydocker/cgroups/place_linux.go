// Placing the command into the group before its first instruction.
//
// mydocker's init is PID 1 of the container but, like Docker's shim, it is
// not inside the container's cgroup: its Go runtime threads would count
// against --pids-limit, its memory against -m, and a fork bomb or an OOM
// kill could take the container's supervisor down with it. So init is
// cloned into the namespaces only, and it is the *command* that init starts
// inside the group:
//
//	v2  clone3(CLONE_INTO_CGROUP) with a directory fd of the group: the
//	    command is born in it, atomically.
//	v1  clone3 cannot (it needs v2). But v1 groups hold threads, not just
//	    processes, and a child is born into its parent *thread's* groups.
//	    So init locks its forking goroutine to an OS thread, moves just that
//	    thread into the group (it writes "0", itself, to each hierarchy's
//	    "tasks"), forks, and moves the thread back.
//
// Either way the host opens the files (init may have switched root by then
// and cannot see the host's /sys/fs/cgroup) and passes them to init.

package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// Placement is what init needs to start the command in the group: numbers
// of file descriptors init holds (the host sends the files over the sync
// socket and init renumbers them).
type Placement struct {
	CgroupFD int      `json:"cgroupFD"`          // v2: the group's directory; -1 on v1
	Join     []int    `json:"join,omitempty"`    // v1: the group's "tasks" files
	Back     []int    `json:"back,omitempty"`    // v1: init's own groups' "tasks" files
	PidsFD   int      `json:"pidsFD,omitempty"`  // v1 with --pids-limit: the group's pids.max
	PidsMax  int64    `json:"pidsMax,omitempty"` // ... and the limit to write there
	Paths    []string `json:"paths,omitempty"`   // for trace and errors
}

// Open opens the files for init, numbered from firstFD on in the order
// returned. The caller passes them to init, and closes its copies once
// init has started.
func (g *Group) Open(firstFD int) (*Placement, []*os.File, error) {
	p, list := g.plan(firstFD)
	files, err := openAll(list)
	if err != nil {
		return nil, nil, err
	}
	return p, files, nil
}

// Placement numbers the files OpenFiles opens, from firstFD on, without
// opening them: the group need not exist yet. The engine sends init its
// Placement with the config, and makes the group while init starts.
func (g *Group) Placement(firstFD int) *Placement {
	p, _ := g.plan(firstFD)
	return p
}

// OpenFiles opens the files Placement numbered, in that order.
func (g *Group) OpenFiles() ([]*os.File, error) {
	_, list := g.plan(0)
	return openAll(list)
}

// cgroupFile is one file init gets: its path and how it is opened.
type cgroupFile struct {
	path string
	flag int
}

// plan is Open's work without the opening: the Placement, and the files
// in the order it numbers them.
func (g *Group) plan(firstFD int) (*Placement, []cgroupFile) {
	p := &Placement{CgroupFD: -1}
	var list []cgroupFile
	add := func(path string, flag int) int {
		list = append(list, cgroupFile{path, flag})
		return firstFD + len(list) - 1
	}
	if g.Mode == Unified {
		p.CgroupFD, p.Paths = add(g.Dirs[""], unix.O_RDONLY|unix.O_DIRECTORY), []string{g.Dirs[""]}
		return p, list
	}
	for _, dir := range g.dirs() {
		ctrl := ""
		for c, d := range g.Dirs {
			if d == dir {
				ctrl = c
				break
			}
		}
		join := add(filepath.Join(dir, "tasks"), os.O_WRONLY)
		back := add(filepath.Join(g.Back[ctrl], "tasks"), os.O_WRONLY)
		p.Join, p.Back, p.Paths = append(p.Join, join), append(p.Back, back), append(p.Paths, dir)
	}
	if g.PidsMax > 0 {
		p.PidsFD, p.PidsMax = add(filepath.Join(g.Dirs["pids"], "pids.max"), os.O_WRONLY), g.PidsMax
	}
	return p, list
}

// openAll opens the files in order; on an error, none stays open.
func openAll(list []cgroupFile) ([]*os.File, error) {
	files := make([]*os.File, 0, len(list))
	for _, cf := range list {
		f, err := os.OpenFile(cf.path, cf.flag, 0)
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Fork runs fork (which must fork the command right away, on the calling
// thread) so that the child is born in the group. It is init's side of
// Placement. On v2 the caller must itself pass CgroupFD to clone3; Fork
// then only calls fork.
func (p *Placement) Fork(fork func() (int, error)) (int, error) {
	if p == nil || p.CgroupFD >= 0 {
		if p != nil {
			trace.Step("clone3(CLONE_INTO_CGROUP, %s): the command is born in its group", p.Paths[0])
		}
		return fork()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// "0" is the writing thread itself: Linux 6.0+ moves it without the lock
	// whose writer waits an RCU grace period (11 ms here for a TID, 0.15 for 0).
	const self = "0"
	if err := writeFDs(p.Join, self); err != nil {
		writeFDs(p.Back, self)
		return 0, fmt.Errorf("move init's thread into the container's cgroup: %v", err)
	}
	trace.Step("echo %s > tasks of %v: init's forking thread moves itself into the group (no kernel-wide lock), the fork is born there", self, p.Paths)
	pid, err := fork()
	if p.PidsMax > 0 {
		// The limit itself, before the thread leaves (see writeV1): while
		// it stays, the command can have at most the limit minus one, plus
		// the thread; once it is gone, the limit.
		trace.Step("echo %d > pids.max: the exact limit, while the thread still counts", p.PidsMax)
		if werr := writeFDs([]int{p.PidsFD}, strconv.FormatInt(p.PidsMax, 10)); werr != nil && err == nil {
			err = fmt.Errorf("set pids.max: %v", werr)
		}
	}
	trace.Step("echo %s > tasks of init's own groups: the thread moves back", self)
	if berr := writeFDs(p.Back, self); berr != nil && err == nil {
		// A thread of init left in the group would count as one of the
		// container's tasks; the command runs anyway.
		fmt.Fprintf(os.Stderr, "mydocker init: move thread back out of the container's cgroup: %v\n", berr)
	}
	return pid, err
}

func writeFDs(fds []int, value string) error {
	for _, fd := range fds {
		if _, err := unix.Write(fd, []byte(value)); err != nil {
			return os.NewSyscallError("write tasks", err)
		}
	}
	return nil
}

// Close closes init's copies of the files: once the command is placed, init
// needs them no more, and they must not linger where the container could
// reach them.
func (p *Placement) Close() {
	if p == nil {
		return
	}
	fds := append(append([]int{}, p.Join...), p.Back...)
	if p.CgroupFD >= 0 {
		fds = append(fds, p.CgroupFD)
	}
	if p.PidsMax > 0 {
		fds = append(fds, p.PidsFD)
	}
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// `mydocker exec`: the engine's half. It checks the container is running
// (not paused: a frozen cgroup would freeze the new process at its birth,
// and Docker refuses), builds the process's settings from the container's
// own (its capabilities, user, environment and working directory, each
// overridden by -u, -e, -w), holds init by a pidfd, opens the container's
// cgroup files, and hands all of it to runtime.Exec, which enters the
// container on a thread of its own (see runtime/exec_linux.go).

package engine

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

// ExecOptions are `mydocker exec`'s flags.
type ExecOptions struct {
	Args       []string
	Env        []string // -e KEY=VALUE (or KEY, taken from mydocker's own environment)
	User       string   // -u
	WorkingDir string   // -w
	TTY        bool     // -t
	Detach     bool     // -d: Exec starts a go-between, which exits once the command runs
	Rows, Cols uint16   // the caller's terminal size, with -t
	Stdio      [3]*os.File
	// Leash, the read end of a pipe, makes the process a go-between that
	// the caller lets go by closing the write end (runtime's
	// gobetween_linux.go): with Detach, it starts the command only once
	// a byte came; without, it waits for the command unless let go.
	Leash *os.File
}

// Exec starts a process in a running container and returns it; the caller
// waits for it (runtime.WaitExec) unless it is detached.
func Exec(s *Store, ref string, o ExecOptions) (*runtime.ExecProcess, error) {
	if err := checkEnv(o.Env); err != nil {
		return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	c, err := s.Get(ref)
	if err != nil {
		return nil, err
	}
	// Under the container's lock: a pause, stop or rm cannot slip in
	// between the check and the fork.
	unlock, err := s.LockContainer(c.ID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c, err = s.Load(c.ID); err != nil {
		return nil, err
	}
	if err := Check(c.State.Status, ActExec, ref); err != nil {
		return nil, err
	}
	initFD := pidfd(c.State.Pid, c.State.PidStart)
	if initFD < 0 {
		return nil, conflict("container %s is not running", ref)
	}
	cfg := execConfig(c.Config, o)
	place, err := execPlacement(c)
	if err != nil {
		unix.Close(initFD)
		return nil, fmt.Errorf("open the cgroup of container %s: %w", ref, err)
	}
	defer place.Close()
	return runtime.Exec(initFD, cfg, place, o.Stdio, o.Detach, o.Leash) // it closes initFD
}

// execConfig is the container's Config with the exec's process in it.
func execConfig(base runtime.Config, o ExecOptions) *runtime.Config {
	cfg := base
	cfg.Args = o.Args
	cfg.Env = mergeEnv(base.Env, base.Hostname, o.TTY, o.Env) // run's rules: -e wins, TERM with -t
	if o.User != "" {
		cfg.User = o.User
	}
	if o.WorkingDir != "" {
		cfg.Cwd = o.WorkingDir
	}
	cfg.TTY, cfg.ConsoleRows, cfg.ConsoleCols = o.TTY, o.Rows, o.Cols
	cfg.Cgroup = nil
	return &cfg
}

// execPlacement opens the container's cgroup files for the exec's fork,
// numbered as this process's own descriptors. The thread that forks leaves
// for the caller's own groups (Locate's Back), and dies after.
func execPlacement(c *Container) (*cgroups.Placement, error) {
	if c.Cgroup == nil {
		return nil, nil
	}
	here, err := cgroups.Locate(c.ID)
	if err != nil {
		return nil, err
	}
	g := *c.Cgroup
	g.Back, g.PidsMax = here.Back, 0
	p, files, err := g.Open(0)
	if err != nil {
		return nil, err
	}
	// Raw descriptors, owned by the Placement from here on (runtime.Exec
	// may swap one for the container's own view, and Close closes them).
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i], err = unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 3)
		f.Close()
		if err != nil {
			for _, fd := range fds[:i] {
				unix.Close(fd)
			}
			return nil, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", err)
		}
	}
	if p.CgroupFD >= 0 {
		p.CgroupFD = fds[p.CgroupFD]
	}
	for i := range p.Join {
		p.Join[i] = fds[p.Join[i]]
	}
	for i := range p.Back {
		p.Back[i] = fds[p.Back[i]]
	}
	return p, nil
}

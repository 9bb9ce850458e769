// The lifecycle commands on a container that runs under a monitor: stop,
// kill, pause, unpause, wait, and the kill that rm -f does first. Each
// checks the transition with Check and changes the record under the
// container's lock (Store.Update), so two of them racing cannot both win.
//
// Signals go to the container's init through a pidfd (pidfd_open(2),
// pidfd_send_signal(2)), opened and then checked against the start time the
// record holds: a PID can be reused once its process is gone, a pidfd
// cannot, so a stop never reaches a stranger that got init's old PID. And
// a pidfd polls readable when its process exits: stop and wait sleep in
// poll(2) until then, rather than looping on kill(pid, 0).

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// pidfd opens a pidfd for pid if it is still the process that started at
// start; -1 if it is gone.
func pidfd(pid int, start uint64) int {
	if pid <= 0 {
		return -1
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1
	}
	// Checked after opening: from here on fd holds that very process.
	if got, err := ProcessStartTime(pid); err != nil || (start != 0 && got != start) {
		unix.Close(fd)
		return -1
	}
	return fd
}

// waitFD sleeps until the process of a pidfd exits, or timeout passes
// (< 0: no limit). It reports whether the process exited.
func waitFD(fd int, timeout time.Duration) bool {
	ms := -1
	if timeout >= 0 {
		ms = int(timeout.Milliseconds())
	}
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return err == nil && n > 0
	}
}

// signalInit sends sig to the container's init, which passes it on to the
// command (init is PID 1 of the namespace: see pid1_linux.go). It returns
// init's pidfd, or -1 if init is gone.
func signalInit(c *Container, sig unix.Signal) int {
	fd := pidfd(c.State.Pid, c.State.PidStart)
	if fd < 0 {
		return -1
	}
	trace.Step("pidfd_send_signal(init %d, %v)", c.State.Pid, sig)
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		unix.Close(fd)
		return -1
	}
	return fd
}

// WaitMonitor waits for the container's monitor to exit: it has recorded
// the end by then.
func WaitMonitor(c *Container, timeout time.Duration) error {
	fd := pidfd(c.State.Monitor, c.State.MonitorStart)
	if fd < 0 {
		return nil
	}
	defer unix.Close(fd)
	if !waitFD(fd, timeout) {
		return fmt.Errorf("the monitor of container %s (pid %d) did not finish within %v", ShortID(c.ID), c.State.Monitor, timeout)
	}
	return nil
}

// Stop is `mydocker stop -t`: the image's StopSignal (SIGTERM by default)
// to the command, SIGKILL after timeout if it is still there, and the
// restart policy suspended until the next start. It returns once the end
// is recorded. A container that is not running is left as it is.
func Stop(s *Store, ref string, timeout time.Duration) error {
	id, err := s.Find(ref)
	if err != nil {
		return err
	}
	// The signal goes while the container's lock is held, once the record
	// says "stopped by hand" and before it is written: the command ends
	// while the record is saved, and the monitor, which takes the lock to
	// record the end, reads the mark before it decides on a restart.
	fd := -1
	c, err := s.Update(id, func(c *Container) error {
		if err := Check(c.State.Status, ActStop, c.Name); err != nil {
			return err
		}
		c.ManuallyStopped = true
		sig, err := ParseSignal(c.StopSignal)
		if err != nil {
			sig = unix.SIGTERM
		}
		if fd = signalInit(c, sig); fd >= 0 {
			// A paused command cannot act on the signal: thaw it, as
			// Docker does (the record says so once the monitor
			// records the end).
			thawIfPaused(c)
		}
		return nil
	})
	if fd >= 0 {
		defer unix.Close(fd)
	}
	if errors.Is(err, ErrNotModified) {
		return nil
	}
	if err != nil && fd < 0 {
		return err
	}
	if fd >= 0 && !waitFD(fd, timeout) {
		trace.Step("still running after %v: SIGKILL", timeout)
		unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
		waitFD(fd, -1)
	}
	if werr := WaitMonitor(c, 10*time.Second); werr != nil {
		return werr
	}
	return err
}

// Kill is `mydocker kill -s`: one signal to the command, and the restart
// policy suspended, as Docker's kill does.
func Kill(s *Store, ref string, sig unix.Signal) error {
	c, err := s.Get(ref)
	if err != nil {
		return err
	}
	c, err = s.Update(c.ID, func(c *Container) error {
		if err := Check(c.State.Status, ActKill, c.Name); err != nil {
			return err
		}
		c.ManuallyStopped = true
		return nil
	})
	if err != nil {
		return err
	}
	fd := signalInit(c, sig)
	if fd < 0 {
		if c.State.Status == Restarting {
			return nil // between two runs: the suspended policy ends it
		}
		return &ConflictError{Msg: fmt.Sprintf("cannot kill container: %s: container %s is not running", c.Name, c.Name)}
	}
	defer unix.Close(fd)
	if sig == unix.SIGKILL {
		// On cgroup v1 a frozen task does not die until thawed.
		thawIfPaused(c)
		waitFD(fd, -1)
		return WaitMonitor(c, 10*time.Second)
	}
	return nil
}

func thawIfPaused(c *Container) {
	if c.State.Status == Paused && c.Cgroup != nil {
		c.Cgroup.Thaw()
	}
}

// StopNow ends a container at once for `rm -f`: SIGKILL, thaw, and wait
// for the monitor. One still starting has no init yet: it waits for it.
func StopNow(s *Store, id string) error {
	if _, err := s.Update(id, func(c *Container) error { c.ManuallyStopped = true; return nil }); err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		c, err := s.Load(id)
		if err != nil || !c.MonitorAlive() {
			return err
		}
		if c.State.Pid > 0 {
			if fd := signalInit(c, unix.SIGKILL); fd >= 0 {
				thawIfPaused(c)
				waitFD(fd, 10*time.Second)
				unix.Close(fd)
			}
		}
		if c.State.Pid > 0 || c.State.Status == Restarting || c.State.Status == Exited {
			return WaitMonitor(c, 10*time.Second)
		}
	}
	return fmt.Errorf("container %s did not start or end within 10s", ShortID(id))
}

// Rm is `mydocker rm [-f]` of one container. A container with a live
// monitor is refused in Docker's words, unless forced: then it is killed
// first (StopNow). The check and the removal happen under the container's
// lock, which a monitor must take to claim the container: a monitor that
// `run -d` started just before it was killed either has the container
// (and rm -f stops it) or finds it gone, never half removed.
func Rm(s *Store, id string, force bool) error {
	for attempt := 0; ; attempt++ {
		// Once killed (StopNow), a --rm container may remove itself
		// before we look again: gone, as asked (docker rm -f of a --rm
		// container succeeds).
		gone := func(err error) bool { return attempt > 0 && errors.Is(err, ErrNotFound) }
		unlock, err := s.LockContainer(id)
		if err != nil {
			if gone(err) {
				return nil
			}
			return err
		}
		c, err := s.Load(id)
		if err != nil {
			unlock()
			if gone(err) {
				return nil
			}
			return err
		}
		if !c.MonitorAlive() {
			// A "removing" record seen under the lock was left by a
			// remover that was killed: dead, and removed now.
			if c.State.Status == Removing {
				c.State.Set(Dead)
			}
			if !force {
				if err := Check(c.State.Status, ActRemove, c.Name); err != nil {
					unlock()
					return err
				}
			}
			err := removeLocked(s, id)
			unlock()
			return err
		}
		unlock()
		if attempt == 3 {
			return fmt.Errorf("cannot remove container %q: it keeps running", "/"+c.Name)
		}
		if !force {
			if c.State.Status == Created {
				return fmt.Errorf("cannot remove container %q: container is starting: stop the container before removing or force remove", "/"+c.Name)
			}
			if err := Check(c.State.Status, ActRemove, c.Name); err != nil {
				return err
			}
			// Exited, and its monitor is finishing up (removing the
			// cgroup): wait for it, then remove.
			if err := WaitMonitor(c, 10*time.Second); err != nil {
				return err
			}
			continue
		}
		if err := StopNow(s, id); err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil // it removed itself (--rm) while we stopped it
			}
			return err
		}
	}
}

// Pause freezes every process of the container (cgroups' freezer).
func Pause(s *Store, ref string) error {
	return freeze(s, ref, ActPause, Paused)
}

// Unpause thaws them.
func Unpause(s *Store, ref string) error {
	return freeze(s, ref, ActUnpause, Running)
}

func freeze(s *Store, ref string, action Action, to Status) error {
	c, err := s.Get(ref)
	if err != nil {
		return err
	}
	_, err = s.Update(c.ID, func(c *Container) error {
		if err := Check(c.State.Status, action, c.Name); err != nil {
			return err
		}
		if c.Cgroup == nil {
			return fmt.Errorf("container %s has no cgroup to freeze", c.Name)
		}
		if action == ActPause {
			err = c.Cgroup.Freeze()
		} else {
			err = c.Cgroup.Thaw()
		}
		if err != nil {
			return fmt.Errorf("%s container %s: %w", action, c.Name, err)
		}
		c.State.Set(to)
		return nil
	})
	return err
}

// Wait blocks until the container is not running, and returns its exit
// code: `mydocker wait`.
func Wait(s *Store, ref string) (int, error) {
	c, err := s.Get(ref)
	if err != nil {
		return 0, err
	}
	for {
		if !c.State.Running {
			return c.State.ExitCode, nil
		}
		if !c.MonitorAlive() {
			// Gone since the record was read: read it again (Load
			// tells a monitor that recorded the end from one killed).
			if c, err = s.Load(c.ID); err != nil {
				return 0, err
			}
			continue
		}
		pid := c.State.Pid
		if fd := pidfd(pid, c.State.PidStart); fd >= 0 {
			waitFD(fd, -1)
			unix.Close(fd)
		}
		// init is gone; the monitor records the end a moment later.
		for {
			if c, err = s.Load(c.ID); err != nil {
				return 0, err
			}
			if c.State.Pid != pid || !c.State.Running || !c.MonitorAlive() {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if c.State.Status == Restarting || !c.State.Running {
			return c.State.ExitCode, nil
		}
	}
}

// ParseSignal reads a signal as Docker's --signal and STOPSIGNAL do:
// "SIGTERM", "TERM", "15". Empty is SIGTERM.
func ParseSignal(s string) (unix.Signal, error) {
	if s == "" {
		return unix.SIGTERM, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal: %s", s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal: %s", s)
}

// Rename gives a container a new name, unique among the store's: the
// store's lock makes check-and-rename atomic against Create.
func Rename(s *Store, ref, name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	c, err := s.Get(ref)
	if err != nil {
		return err
	}
	if c.Name == name {
		return fmt.Errorf("renaming a container with the same name as its current name: %s", name)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	all, err := s.list()
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.Name == name {
			return &ConflictError{Msg: fmt.Sprintf("container name %q is already in use by container %s: remove it or choose another name", "/"+name, ShortID(o.ID))}
		}
	}
	_, err = s.Update(c.ID, func(c *Container) error { c.Name = name; return nil })
	return err
}

// Processes lists the host PIDs of a running container's processes: its
// init, and every process in its cgroup. `mydocker top` shows them.
func Processes(s *Store, ref string) ([]int, error) {
	c, err := s.Get(ref)
	if err != nil {
		return nil, err
	}
	if !c.State.Running || c.State.Pid == 0 || !c.MonitorAlive() {
		return nil, &ConflictError{Msg: fmt.Sprintf("container %s is not running", ref)}
	}
	pids := []int{c.State.Pid}
	if c.Cgroup != nil {
		dir := c.Cgroup.Dir("pids")
		if dir == "" {
			dir = c.Cgroup.Dir("")
		}
		data, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		for _, f := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids, nil
}

// Signal passes sig on to the container's command and changes nothing in
// the record: attach's --sig-proxy, for a signal the client received.
func Signal(s *Store, id string, sig unix.Signal) error {
	c, err := s.Load(id)
	if err != nil {
		return err
	}
	if fd := signalInit(c, sig); fd >= 0 {
		unix.Close(fd)
	}
	return nil
}

// The monitor process: `mydocker monitor DATA-ROOT ID`, started by Spawn.
// It starts the container's command, logs its output, waits for it, and
// records the end; then it restarts it if the policy says so, after
// Docker's back-off, and finally releases what the container held.

package monitor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/logs"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// monitor is one container's monitor.
type monitor struct {
	store  *engine.Store
	id     string
	log    *logs.Writer
	status *os.File // the pipe to the caller, until the first report
	hub    *hub     // attach's server (attach_linux.go)
}

// Main is the monitor process's main: args are the data root and the ID.
func Main(args []string) int {
	if len(args) != 2 && (len(args) != 3 || args[2] != attachedArg) {
		fmt.Fprintln(os.Stderr, "usage: mydocker monitor DATA-ROOT ID [attached] (started by mydocker run -d)")
		return 2
	}
	m := &monitor{id: args[1], status: os.NewFile(statusFD, "status")}
	if err := m.open(args[0]); err != nil {
		m.tell(report{Error: err.Error(), Code: runtime.ExitCode(err, runtime.ExitEngine)})
		return 1
	}
	defer m.log.Close()
	if err := m.serveAttach(len(args) == 3); err != nil {
		m.failed(err)
		m.end()
		return 1
	}
	m.run()
	return 0
}

// open claims the container: the record names this process as its
// monitor, so that everyone else knows it is alive and who writes its end.
func (m *monitor) open(dataRoot string) error {
	store, err := engine.OpenStore(dataRoot)
	if err != nil {
		return err
	}
	m.store = store
	me := os.Getpid()
	start, err := engine.ProcessStartTime(me)
	if err != nil {
		return err
	}
	c, err := store.Update(m.id, func(c *engine.Container) error {
		if c.MonitorAlive() {
			return fmt.Errorf("container %s has a monitor already (pid %d)", engine.ShortID(c.ID), c.State.Monitor)
		}
		if err := engine.Check(c.State.Status, engine.ActStart, c.Name); err != nil {
			return err
		}
		c.State.Monitor, c.State.MonitorStart = me, start
		c.ManuallyStopped, c.RestartCount = false, 0
		return nil
	})
	if err != nil {
		return err
	}
	opts, err := c.HostConfig.LogConfig.Options()
	if err != nil {
		return err
	}
	m.log, err = logs.Create(c.LogPath, opts)
	return err
}

// run starts the command, and again while the restart policy says so.
func (m *monitor) run() {
	var backoff engine.Backoff
	for {
		code, ran, err := m.once()
		if err != nil {
			break // could not start: recorded, and no restart
		}
		restart := false
		c, err := m.store.Update(m.id, func(c *engine.Container) error {
			if c.HostConfig.RestartPolicy.ShouldRestart(code, c.RestartCount, c.ManuallyStopped) {
				restart = true
				c.State.Set(engine.Restarting)
				c.RestartCount++
			}
			return nil
		})
		if err != nil || !restart {
			break
		}
		delay := backoff.Next(ran)
		trace.Step("restart policy %s: exit %d, restart %d in %v", c.HostConfig.RestartPolicy, code, c.RestartCount, delay)
		if !m.sleep(delay) {
			break
		}
	}
	m.end()
}

// once runs the command one time: it makes the cgroup, starts init with
// pipes for stdout and stderr, logs what comes out, waits for init, and
// records the end. It returns the exit code, how long the command ran,
// and an error only if the command could not start.
func (m *monitor) once() (int, time.Duration, error) {
	c, err := m.store.Load(m.id)
	if err != nil {
		return 0, 0, m.failed(err)
	}
	// A group left by a monitor that was killed (kill -9) would make New
	// fail: no process of the container can be in it now (init died with
	// that monitor), so it goes first.
	if stale, err := cgroups.Locate(c.ID); err == nil {
		stale.Destroy()
	}
	group, err := cgroups.New(c.ID, &c.HostConfig.Resources)
	if err != nil {
		return 0, 0, m.failed(err)
	}
	placement, files, err := group.Open(0)
	if err != nil {
		group.Destroy()
		return 0, 0, m.failed(fmt.Errorf("open cgroup of container: %w", err))
	}
	c.Config.Cgroup = placement
	// Chapter 07: an address, the bridge and the published ports, held by
	// this monitor for as long as the command runs.
	net, err := engine.AttachNetwork(m.store.DataRoot(), c, os.Getpid())
	if err == nil {
		if err = m.store.RefreshNetworkFiles(c, net); err != nil {
			net.Detach()
		}
	}
	if err != nil {
		closeAll(files)
		group.Destroy()
		return 0, 0, m.failed(err)
	}
	var pipes [2][2]*os.File // stdout, stderr: read end, write end
	for i := range pipes {
		if pipes[i][0], pipes[i][1], err = os.Pipe(); err != nil {
			closeAll(files)
			net.Detach()
			group.Destroy()
			return 0, 0, m.failed(err)
		}
	}
	// -i: a stdin pipe, whose write end the monitor keeps for attach.
	stdin, stdinW, err := stdinPipe(c)
	if err != nil {
		closeAll(append(files, pipes[0][0], pipes[0][1], pipes[1][0], pipes[1][1]))
		net.Detach()
		group.Destroy()
		return 0, 0, m.failed(err)
	}
	p, err := runtime.Start(&c.Config, runtime.StartOptions{
		Cloneflags:    engine.CloneFlags(net),
		CreateRuntime: []func(*runtime.Process) error{engine.JoinNetwork(net)},
		JoinNetPid:    net.JoinedPid(),
		CgroupFiles:   files,
		Stdin:         stdin,
		Stdout:        pipes[0][1],
		Stderr:        pipes[1][1],
	})
	// The write ends are init's now; ours must go, or the read ends
	// would never see the end of the streams.
	for _, f := range append(files, pipes[0][1], pipes[1][1]) {
		f.Close()
	}
	if stdin != nil {
		stdin.Close() // init's now
	}
	if err != nil {
		pipes[0][0].Close()
		pipes[1][0].Close()
		if stdinW != nil {
			stdinW.Close()
		}
		net.Detach()
		group.Destroy()
		return 0, 0, m.failed(err)
	}
	m.hub.startRun(stdinW, p.Console)
	started := time.Now()
	pidStart, _ := engine.ProcessStartTime(p.Pid)
	m.store.Update(m.id, func(c *engine.Container) error {
		c.State.Started(p.Pid, started)
		c.State.PidStart, c.Cgroup = pidStart, group
		c.NetworkSettings = &net.Settings
		return nil
	})
	m.tell(report{Pid: p.Pid})

	var copiers sync.WaitGroup
	copy := func(name string, r io.ReadCloser) {
		copiers.Add(1)
		go func() {
			defer copiers.Done()
			s := m.log.Stream(name)
			// Each piece goes to the log and to every attached client.
			io.Copy(io.MultiWriter(s, m.hub.stream(streamType(name))), r)
			s.Close()
			r.Close()
		}()
	}
	copy("stdout", pipes[0][0])
	copy("stderr", pipes[1][0])
	if p.Console != nil {
		// -t: the terminal's master side is the only output. The monitor
		// holds it for as long as the container runs.
		copy("stdout", p.Console)
	}
	code, _ := p.Wait()
	trace.Step("init exited: status %d", code)
	// init's death ends the PID namespace: every writer of the pipes is
	// gone, and the copiers see the end of the streams.
	copiers.Wait()
	// The address and ports are free again before the end is recorded;
	// the veth goes with the namespace.
	if err := net.DetachExited(); err != nil {
		trace.Step("%v", err)
	}
	usage := group.Stats()
	if err := group.Destroy(); err != nil {
		trace.Step("%v", err)
	}
	m.store.Update(m.id, func(c *engine.Container) error {
		c.State.Exited(code, usage.OOMKills > 0, time.Now())
		c.State.PidStart, c.State.Usage = 0, &usage
		return nil
	})
	// Attached clients learn the end once the record says it.
	m.hub.endRun(code)
	return code, time.Since(started), nil
}

// failed records that the command could not start, tells the caller if it
// still listens, and returns err. Docker leaves such a container "created",
// with the exit code and the error.
func (m *monitor) failed(err error) error {
	code := runtime.ExitCode(err, runtime.ExitEngine)
	m.store.Update(m.id, func(c *engine.Container) error {
		c.State.Set(engine.Created)
		c.State.ExitCode, c.State.Error, c.State.FinishedAt = code, err.Error(), time.Now().UTC()
		return nil
	})
	m.tell(report{Error: err.Error(), Code: code})
	return err
}

// tell sends the caller the first report, and then lets go of the
// caller's stderr: from here on the monitor speaks only through the record.
func (m *monitor) tell(r report) {
	if m.status == nil {
		return
	}
	data, _ := json.Marshal(r)
	m.status.Write(data) // the caller may be gone (kill -9): nothing to do
	m.status.Close()
	m.status = nil
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		unix.Dup2(int(null.Fd()), 1)
		unix.Dup2(int(null.Fd()), 2)
		null.Close()
	}
}

// sleep waits out a restart delay, unless stop (or rm -f) comes first:
// it reports whether to restart.
func (m *monitor) sleep(d time.Duration) bool {
	for end := time.Now().Add(d); ; {
		c, err := m.store.Load(m.id)
		if err != nil || c.ManuallyStopped {
			return false
		}
		left := time.Until(end)
		if left <= 0 {
			return true
		}
		time.Sleep(min(left, 20*time.Millisecond))
	}
}

// end records that no monitor looks after the container any more, and
// removes it if --rm.
func (m *monitor) end() {
	if m.hub != nil {
		m.hub.close() // the socket goes before the record says no monitor
	}
	c, err := m.store.Update(m.id, func(c *engine.Container) error {
		if c.State.Status == engine.Restarting {
			c.State.Set(engine.Exited)
		}
		c.State.Monitor, c.State.MonitorStart = 0, 0
		return nil
	})
	if errors.Is(err, engine.ErrNotFound) {
		return // removed meanwhile (rm -f)
	}
	if err == nil && c.HostConfig.AutoRemove {
		m.log.Close()
		engine.Remove(m.store, m.id)
	}
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

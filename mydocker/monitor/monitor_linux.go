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
	start  uint64   // when this process started (engine.ProcessStartTime)
	goPipe *os.File // run -d's pipe to the monitor, until its Go
	hub    *hub     // attach's server (attach_linux.go)
}

// Main is the monitor process's main: args are the data root and the ID,
// after handedFlag if run -d started it before the record existed.
func Main(args []string) int {
	handed := len(args) > 0 && args[0] == handedFlag
	if handed {
		args = args[1:]
	}
	// run -d (handed) is never attached: goFD is attachFD's number.
	if len(args) != 2 && (len(args) != 3 || args[2] != attachedArg || handed) {
		fmt.Fprintln(os.Stderr, "usage: mydocker monitor [--handed] DATA-ROOT ID [attached] (started by mydocker run -d or start)")
		return 2
	}
	m := &monitor{id: args[1], status: os.NewFile(statusFD, "status")}
	// What does not depend on the record is done while it is written.
	err := m.openStore(args[0])
	if handed {
		m.goPipe = os.NewFile(goFD, "go")
		if m.await(wordRecorded) != nil {
			return 0 // the caller gave up before the record existed: nothing made
		}
	}
	var c *engine.Container
	if err == nil {
		c, err = m.claim(handed)
	}
	if err != nil {
		m.tell(report{Error: err.Error(), Code: runtime.ExitCode(err, runtime.ExitEngine)})
		return 1
	}
	defer m.log.Close()
	if err := m.serveAttach(c, len(args) == 3); err != nil {
		m.failed(err)
		m.end()
		return 1
	}
	m.run()
	return 0
}

// await reads run -d's next word (Monitor.Recorded, Monitor.Go): an error
// if the caller ended without it.
func (m *monitor) await(word byte) error {
	var b [1]byte
	if n, _ := m.goPipe.Read(b[:]); n == 1 && b[0] == word {
		return nil
	}
	m.goPipe.Close()
	m.goPipe = nil
	return errors.New("mydocker run -d ended before the container was ready to start")
}

// awaitGo is the first createRuntime hook of a run -d's first start: init
// exists and waits, and gets its config once the caller has prepared the
// root and made it durable (Monitor.Go).
func (m *monitor) awaitGo(*runtime.Process) error {
	if m.goPipe == nil {
		return nil // a restart: the root was prepared long ago
	}
	err := m.await(wordGo)
	if m.goPipe != nil {
		m.goPipe.Close()
		m.goPipe = nil
	}
	return err
}

// openStore opens the data root's container store, and reads when this
// monitor started, which the record holds to tell it from a later process
// given the same PID.
func (m *monitor) openStore(dataRoot string) (err error) {
	m.store, err = engine.OpenStore(dataRoot)
	if err == nil {
		m.start, err = engine.ProcessStartTime(os.Getpid())
	}
	return err
}

// claim makes the container this monitor's: the record names this process
// as its monitor, so that everyone else knows it is alive and who writes
// its end. A monitor run -d handed the container to finds itself named
// already. Then it opens the log. It returns the record as it read it.
func (m *monitor) claim(handed bool) (c *engine.Container, err error) {
	me, start := os.Getpid(), m.start
	if handed {
		c, err = m.store.Load(m.id)
		if err == nil && (c.State.Monitor != me || c.State.MonitorStart != start) {
			err = fmt.Errorf("container %s names another monitor (pid %d)", engine.ShortID(c.ID), c.State.Monitor)
		}
	} else {
		c, err = m.store.Update(m.id, func(c *engine.Container) error {
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
	}
	if err != nil {
		return nil, err
	}
	opts, err := c.HostConfig.LogConfig.Options()
	if err != nil {
		return nil, err
	}
	m.log, err = logs.Create(c.LogPath, opts)
	return c, err
}

// run starts the command, and again while the restart policy says so.
func (m *monitor) run() {
	var backoff engine.Backoff
	for {
		end, err := m.once()
		if err != nil {
			break // could not start: recorded, and no restart
		}
		// The end, the policy's decision and, if it is the last, that no
		// monitor looks after the container any more: one write, under
		// the lock that stop and rm -f take to mark it stopped.
		restart := false
		c, err := m.store.Update(m.id, func(c *engine.Container) error {
			c.State.Exited(end.code, end.usage.OOMKills > 0, end.at)
			c.State.PidStart, c.State.Usage = 0, &end.usage
			if c.HostConfig.RestartPolicy.ShouldRestart(end.code, c.RestartCount, c.ManuallyStopped) {
				restart = true
				c.State.Set(engine.Restarting)
				c.RestartCount++
			} else {
				// The socket goes before the record says no monitor.
				m.hub.stopListening()
				c.State.Monitor, c.State.MonitorStart = 0, 0
			}
			return nil
		})
		// Attached clients learn the end once the record says it.
		m.hub.endRun(end.code)
		if err != nil || !restart {
			m.hub.close()
			m.removeIfAuto(c, err)
			return
		}
		delay := backoff.Next(end.ran)
		trace.Step("restart policy %s: exit %d, restart %d in %v", c.HostConfig.RestartPolicy, end.code, c.RestartCount, delay)
		if !m.sleep(delay) {
			break
		}
	}
	m.end()
}

// exit is how one run of the command ended.
type exit struct {
	code  int
	at    time.Time
	ran   time.Duration
	usage cgroups.Stats
}

// once runs the command one time: it makes the cgroup, starts init with
// pipes for stdout and stderr, logs what comes out, waits for init, and
// releases the cgroup and the network. It returns how the command ended
// (run records it), and an error only if the command could not start.
func (m *monitor) once() (exit, error) {
	c, err := m.store.Load(m.id)
	if err != nil {
		return exit{}, m.failed(err)
	}
	// A group left by a monitor that was killed (kill -9) would make New
	// fail: no process of the container can be in it now (init died with
	// that monitor), so it goes first.
	if stale, err := cgroups.Locate(c.ID); err == nil {
		stale.Destroy()
	}
	group, err := cgroups.New(c.ID, &c.HostConfig.Resources)
	if err != nil {
		return exit{}, m.failed(err)
	}
	placement, files, err := group.Open(0)
	if err != nil {
		group.Destroy()
		return exit{}, m.failed(fmt.Errorf("open cgroup of container: %w", err))
	}
	c.Config.Cgroup = placement
	// Chapter 07: an address, the bridge and the published ports, held by
	// this monitor for as long as the command runs.
	net, err := engine.AttachNetwork(m.store.DataRoot(), c, os.Getpid())
	if err != nil {
		closeAll(files)
		group.Destroy()
		return exit{}, m.failed(err)
	}
	var pipes [2][2]*os.File // stdout, stderr: read end, write end
	for i := range pipes {
		if pipes[i][0], pipes[i][1], err = os.Pipe(); err != nil {
			closeAll(files)
			net.Detach()
			group.Destroy()
			return exit{}, m.failed(err)
		}
	}
	// -i: a stdin pipe, whose write end the monitor keeps for attach.
	stdin, stdinW, err := stdinPipe(c)
	if err != nil {
		closeAll(append(files, pipes[0][0], pipes[0][1], pipes[1][0], pipes[1][1]))
		net.Detach()
		group.Destroy()
		return exit{}, m.failed(err)
	}
	p, err := runtime.Start(&c.Config, runtime.StartOptions{
		Cloneflags: engine.CloneFlags(net),
		CreateRuntime: []func(*runtime.Process) error{
			m.awaitGo, // run -d: the root is ready (its files are the caller's until then)
			func(*runtime.Process) error { return m.store.RefreshNetworkFiles(c, net) },
			engine.JoinNetwork(net),
		},
		JoinNetPid:  net.JoinedPid(),
		CgroupFiles: files,
		Stdin:       stdin,
		Stdout:      pipes[0][1],
		Stderr:      pipes[1][1],
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
		return exit{}, m.failed(err)
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
	end := exit{code: code, at: time.Now()}
	end.ran = end.at.Sub(started)
	trace.Step("init exited: status %d", code)
	// init's death ends the PID namespace: every writer of the pipes is
	// gone, and the copiers see the end of the streams.
	copiers.Wait()
	// The address and ports are free again, and the group is gone, before
	// the end is recorded (run): a start that follows at once makes them
	// anew, and must not find this run's. The veth goes with the namespace.
	if err := net.DetachExited(); err != nil {
		trace.Step("%v", err)
	}
	end.usage = group.Stats()
	if err := group.Destroy(); err != nil {
		trace.Step("%v", err)
	}
	return end, nil
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

// end records that no monitor looks after the container any more, after
// a start that failed or a restart that stop called off, and removes it
// if --rm.
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
	m.removeIfAuto(c, err)
}

// removeIfAuto removes the container if --rm, once the end is recorded,
// and then its anonymous volumes, as a foreground run --rm does (and
// Docker's --rm).
func (m *monitor) removeIfAuto(c *engine.Container, err error) {
	if errors.Is(err, engine.ErrNotFound) {
		return // removed meanwhile (rm -f)
	}
	if err == nil && c.HostConfig.AutoRemove {
		m.log.Close()
		if engine.Remove(m.store, m.id) == nil {
			engine.RemoveAnonymousVolumes(m.store.DataRoot(), m.store, c)
		}
	}
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

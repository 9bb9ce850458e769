// Package monitor is the process that looks after one detached container,
// as containerd's shim or podman's conmon does: `mydocker run -d` starts a
// monitor and records the container (engine.Record), and `mydocker start`
// starts one for a container recorded before. The monitor
//
//   - leaves the caller's session (setsid), so that neither the caller's
//     exit nor a hang-up of its terminal touches the container;
//   - is the parent of the container's init: it alone can wait(2) for it,
//     so it alone learns the exit code and the time, and records them;
//   - holds the other end of the container's stdout and stderr pipes (or
//     the terminal's master side with -t) and writes them into the
//     json-file log (mydocker/logs);
//   - makes the container's cgroup at each start and removes it at each
//     end, and runs the restart policy with Docker's back-off;
//   - exits when the container is over for good, removing it if --rm.
//
// If the monitor is killed (kill -9), init dies with it (Pdeathsig) and
// with init the whole PID namespace: nothing runs unobserved. The record
// still says "running", naming a monitor that is gone; whoever reads it
// next (engine.Store) finds that out and reports the container exited
// (255, as Docker does when it lost the exit code), and `rm` removes what
// the monitor left (the cgroup).
//
// This file is the caller's half: Spawn starts the monitor of a recorded
// container (start); Begin, Recorded and Go start one before the record
// exists and set it to work in step with the caller (run -d). Either way
// the caller waits for the monitor to say the command has started (or why
// not).
package monitor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// report is what the monitor tells the caller, once: the command's init
// PID, or why it could not start and with what exit code.
type report struct {
	Pid   int    `json:"pid,omitempty"`
	Error string `json:"error,omitempty"`
	Code  int    `json:"code,omitempty"`
}

// statusFD is where the monitor finds the pipe to the caller; goFD, for
// run -d, the pipe from it (run -d is never attached: attachFD, the same
// number, is start's).
const (
	statusFD = 3
	goFD     = 4
)

// handedFlag, before the data root, says the monitor was started by
// run -d before the record existed (Begin): it reads two words on goFD,
// wordRecorded and then wordGo, and the record names it already.
const handedFlag = "--handed"

const (
	wordRecorded = 'r' // the record exists: make the cgroup, start init
	wordGo       = 'g' // the root is prepared and on disk: send init its config
)

// A Monitor is a monitor started and not yet heard from.
type Monitor struct {
	Pid    int
	id     string
	cmd    *exec.Cmd
	status *os.File // its reports
	goPipe *os.File // run -d's word that the record exists, or nil
}

// Spawn starts the monitor of container id and returns init's PID once
// the command runs. If it did not start, the error carries Docker's exit
// code (125, 126, 127), and the record says why. The monitor claims the
// container (the record names it) before it starts anything: `start`.
func Spawn(dataRoot, id string) (int, error) { return SpawnAttached(dataRoot, id, nil) }

// SpawnAttached is Spawn with the caller attached from the start (`start
// -a`, a foreground `run --restart`): conn is the monitor's end of a
// socket pair whose other end the caller reads with attach.Session, so
// that no output comes before the caller is there to see it.
func SpawnAttached(dataRoot, id string, conn *os.File) (int, error) {
	m, err := start(dataRoot, id, false, conn)
	if err != nil {
		return 0, err
	}
	return m.report()
}

// Begin starts the monitor of a container that does not exist yet, for
// run -d: the Go runtime of a second process comes up while the caller
// makes the record (engine.Record, which names m.Pid as the monitor).
// Until Recorded, the monitor waits and touches nothing; if the caller
// ends first (an error, or kill -9), the pipe's end tells it to exit, and
// nothing was made.
func Begin(dataRoot, id string) (*Monitor, error) {
	return start(dataRoot, id, true, nil)
}

// Recorded tells the monitor the record exists: it makes the cgroup and
// starts init (which comes up in its namespaces and waits) while the
// caller prepares the root (engine.Prepare). If the caller ends before Go,
// the monitor kills init, releases what it made, and records why.
func (m *Monitor) Recorded() {
	m.goPipe.Write([]byte{wordRecorded}) // if it is gone, Go reports why
}

// Go tells the monitor the root is prepared and on disk, and returns
// init's PID once the command runs (or why not, as Spawn does).
func (m *Monitor) Go() (int, error) {
	m.goPipe.Write([]byte{wordGo})
	m.goPipe.Close()
	return m.report()
}

// Cancel ends a monitor Go will not be called for, and waits for it to
// exit: once Cancel returns, nothing it made is left, and the record (if
// Recorded) says the start was called off.
func (m *Monitor) Cancel() {
	m.goPipe.Close()
	m.status.Close()
	m.cmd.Wait()
}

func start(dataRoot, id string, handed bool, attached *os.File) (*Monitor, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/proc/self/exe", "monitor", dataRoot, id)
	cmd.Args[0] = "mydocker" // ps on the host shows "mydocker monitor <data-root> <id>"
	cmd.ExtraFiles = []*os.File{w}
	m := &Monitor{id: id, cmd: cmd, status: r}
	var goRead *os.File
	switch {
	case handed:
		if goRead, m.goPipe, err = os.Pipe(); err != nil {
			r.Close()
			w.Close()
			return nil, err
		}
		cmd.Args = []string{"mydocker", "monitor", handedFlag, dataRoot, id}
		cmd.ExtraFiles = append(cmd.ExtraFiles, goRead) // goFD
	case attached != nil:
		cmd.Args = append(cmd.Args, attachedArg)
		cmd.ExtraFiles = append(cmd.ExtraFiles, attached) // attachFD
	}
	// updatemaxprocs=0 and containermaxprocs=0: Go's runtime would read
	// the caller's cgroup CPU files at start-up and again later, for a
	// process that is nearly always asleep.
	cmd.Env = append([]string{"GODEBUG=updatemaxprocs=0,containermaxprocs=0"}, monitorEnv()...)
	// The monitor's own stderr is ours only while it starts the container
	// (for --trace); it lets go of it once it has reported.
	if trace.Enabled() {
		cmd.Stderr = os.Stderr
	}
	// A session of its own: no controlling terminal, so no SIGHUP when
	// the caller's terminal closes, and no signal from the caller's
	// process group (a Ctrl-C meant for the caller).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if goRead != nil {
		goRead.Close()
	}
	if err != nil {
		r.Close()
		if m.goPipe != nil {
			m.goPipe.Close()
		}
		return nil, fmt.Errorf("start monitor of container %s: %w", engine.ShortID(id), err)
	}
	m.Pid = cmd.Process.Pid
	trace.Step("monitor of container %s: pid %d, in a session of its own", engine.ShortID(id), m.Pid)
	return m, nil
}

// report reads the monitor's one report.
func (m *Monitor) report() (int, error) {
	// The monitor is our child until we exit; then it is reparented (to
	// init, or the nearest subreaper), which reaps it. A caller that
	// lives on (the daemon, chapter 09) must reap it itself, or each
	// monitor that ends would stay a zombie: a goroutine waits for it.
	// The monitor does not die with us (no Pdeathsig): containers
	// outlive a kill -9 of the daemon.
	go m.cmd.Wait()
	defer m.status.Close()
	data, err := io.ReadAll(io.LimitReader(m.status, 64<<10))
	if err != nil {
		return 0, err
	}
	var rep report
	if len(data) == 0 || json.Unmarshal(data, &rep) != nil {
		// It died before a word: its record says created, with no
		// monitor alive; rm removes it.
		return 0, runtime.Exitf(runtime.ExitEngine, "the monitor of container %s exited before starting it", engine.ShortID(m.id))
	}
	if rep.Error != "" {
		return 0, &runtime.ExitError{Code: rep.Code, Err: errors.New(rep.Error)}
	}
	trace.Step("the monitor reports: init (pid %d) runs the command, and the record says so", rep.Pid)
	return rep.Pid, nil
}

// monitorEnv is what the monitor keeps of the caller's environment: the
// trace switch, PATH (the monitor runs iptables, as dockerd does, chapter
// 07), and mydocker's own settings (MYDOCKER_BRIDGE, the layer limits...).
// Nothing else: the monitor outlives the shell that started it.
func monitorEnv() []string {
	env := trace.Environ()
	path := "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "PATH="):
			path = kv
		case strings.HasPrefix(kv, "MYDOCKER_") && !slices.Contains(env, kv):
			env = append(env, kv)
		}
	}
	return append(env, path)
}

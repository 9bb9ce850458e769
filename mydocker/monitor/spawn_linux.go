// Package monitor is the process that looks after one detached container,
// as containerd's shim or podman's conmon does: `mydocker run -d` records
// the container (engine.Create) and starts a monitor, which
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
// This file is the caller's half: Spawn starts the monitor and waits for it
// to say the command has started (or why not).
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

// statusFD is where the monitor finds the pipe to the caller.
const statusFD = 3

// Spawn starts the monitor of container id and returns init's PID once
// the command runs. If it did not start, the error carries Docker's exit
// code (125, 126, 127), and the record says why.
func Spawn(dataRoot, id string) (int, error) { return spawn(dataRoot, id, nil) }

// SpawnAttached is Spawn with the caller attached from the start (`start
// -a`, a foreground `run --restart`): conn is the monitor's end of a
// socket pair whose other end the caller reads with attach.Session, so
// that no output comes before the caller is there to see it.
func SpawnAttached(dataRoot, id string, conn *os.File) (int, error) {
	return spawn(dataRoot, id, conn)
}

func spawn(dataRoot, id string, attached *os.File) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	cmd := exec.Command("/proc/self/exe", "monitor", dataRoot, id)
	cmd.Args[0] = "mydocker" // ps on the host shows "mydocker monitor <data-root> <id>"
	cmd.ExtraFiles = []*os.File{w}
	if attached != nil {
		cmd.Args = append(cmd.Args, attachedArg)
		cmd.ExtraFiles = append(cmd.ExtraFiles, attached) // attachFD
	}
	cmd.Env = append([]string{"GODEBUG=updatemaxprocs=0"}, monitorEnv()...)
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
	if err != nil {
		return 0, fmt.Errorf("start monitor of container %s: %w", engine.ShortID(id), err)
	}
	trace.Step("monitor of container %s: pid %d, in a session of its own", engine.ShortID(id), cmd.Process.Pid)
	// The monitor is our child until we exit; then it is reparented (to
	// init, or the nearest subreaper), which reaps it. A caller that
	// lives on (the daemon, chapter 09) must reap it itself, or each
	// monitor that ends would stay a zombie: a goroutine waits for it.
	// The monitor does not die with us (no Pdeathsig): containers
	// outlive a kill -9 of the daemon.
	go cmd.Wait()
	data, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return 0, err
	}
	var rep report
	if len(data) == 0 || json.Unmarshal(data, &rep) != nil {
		// It died before a word: its record says created, with no
		// monitor alive; rm removes it.
		return 0, runtime.Exitf(runtime.ExitEngine, "the monitor of container %s exited before starting it", engine.ShortID(id))
	}
	if rep.Error != "" {
		return 0, &runtime.ExitError{Code: rep.Code, Err: errors.New(rep.Error)}
	}
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

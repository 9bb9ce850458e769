// `mydocker exec`, as `docker exec`: a command in a running container. The
// engine starts it (engine.Exec); this file wires the terminal and stdio and
// turns the process's end into mydocker's exit code.

package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

// execFlags are docker exec's flags.
func execFlags(o *engine.ExecOptions, interactive, detach *bool, keys *string) *FlagSet {
	fs := NewFlagSet("exec")
	fs.Bool(detach, "detach", "d", "detached mode: run command in the background")
	fs.String(keys, "detach-keys", "", "string", `override the key sequence for detaching a container (default "ctrl-p,ctrl-q")`)
	fs.List(&o.Env, "env", "e", "list", "set environment variables (KEY=VALUE)")
	fs.Bool(interactive, "interactive", "i", "keep STDIN open even if not attached")
	fs.Bool(&o.TTY, "tty", "t", "allocate a pseudo-TTY")
	fs.String(&o.User, "user", "u", "string", "username or UID (format: <name|uid>[:<group|gid>])")
	fs.String(&o.WorkingDir, "workdir", "w", "string", "working directory inside the container")
	return fs
}

func execCmd(g *Globals, args []string) error {
	var o engine.ExecOptions
	var interactive, detach bool
	var keySpec string
	rest, err := parse(g, execFlags(&o, &interactive, &detach, &keySpec), args, 2, -1)
	if err != nil {
		return err
	}
	o.Args, o.Detach = rest[1:], detach
	if o.TTY && interactive && !detach && !runtime.IsTerminal(os.Stdin) {
		return runtime.Exitf(1, "the input device is not a TTY: drop -t, or run from a terminal")
	}
	if o.TTY {
		o.Rows, o.Cols = runtime.TerminalSize(os.Stdin)
	}
	if g.client != nil {
		return remoteExec(g, rest[0], o, interactive, detach, keySpec) // chapter 09
	}
	// Docker's daemon refuses bad keys at exec create: exit 1, nothing run.
	keys, err := attach.ParseDetachKeys(firstNonEmpty(keySpec, attach.DefaultDetachKeys))
	if err != nil {
		return err
	}
	// From here on, this process runs from a copy of mydocker nobody can
	// write: its child is mydocker until its execve (CVE-2019-5736).
	if err := runtime.ReexecSealed(); err != nil {
		return err
	}
	o.Stdio = [3]*os.File{os.Stdin, os.Stdout, os.Stderr}
	if !interactive || detach {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return err
		}
		defer null.Close()
		o.Stdio[0] = null
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	if detach {
		o.Stdio[1], o.Stdio[2] = o.Stdio[0], o.Stdio[0]
		return execDetached(store, rest[0], o)
	}
	return execAttached(store, rest[0], o, interactive, keys)
}

// execAttached is exec without -d: our stdio is the process's (or relayed
// to its terminal), and its exit code is ours; with -it into a container
// with a monitor, the detach keys leave it running (execdetach.go).
func execAttached(store *engine.Store, ref string, o engine.ExecOptions, interactive bool, keys []byte) error {
	var d *detacher
	if o.TTY && interactive {
		var err error
		if d, err = newDetacher(store, ref, keys); err != nil {
			return err
		}
		if d != nil {
			o.Leash = d.leash
		}
	}
	p, err := engine.Exec(store, ref, o)
	d.started()
	if err != nil {
		d.close()
		return err
	}
	wait, leave := func() {}, func() {}
	if p.Console != nil {
		var in io.Reader
		if interactive {
			in = d.keys(os.Stdin, p.Console)
		}
		wait, leave = runtime.RelayConsole(p.Console, os.Stdin, in, os.Stdout)
	}
	code, err := runtime.WaitExec(p.Pid)
	if d.detached() {
		leave() // the command runs on, its terminal the monitor's
		return nil
	}
	d.close()
	wait()
	if err != nil {
		return err
	}
	if code != 0 {
		return &statusError{code}
	}
	return nil
}

// execDetached is `exec -d`. The process is a go-between that starts the
// command and exits (runtime.ExecDetached): reaped here, it leaves the
// command to the container's init, which adopts and reaps it. With -t the
// go-between starts the command only once the container's monitor holds
// its terminal: refused, nothing runs.
func execDetached(store *engine.Store, ref string, o engine.ExecOptions) error {
	holder, err := terminalHolder(store, ref, o.TTY)
	if err != nil {
		return err
	}
	var leash *os.File
	if o.TTY {
		if o.Leash, leash, err = runtime.Leash(); err != nil {
			holder.Close()
			return err
		}
		defer leash.Close()
	}
	p, err := engine.Exec(store, ref, o)
	if o.Leash != nil {
		o.Leash.Close() // the go-between's now
	}
	if err != nil {
		holder.Close()
		return err
	}
	if err := holder.hold(p.Console, ref); err != nil {
		leash.Close() // the go-between ends without starting the command
		runtime.WaitExec(p.Pid)
		return err
	}
	if leash != nil {
		leash.Write([]byte{1}) // go
	}
	code, err := runtime.WaitExec(p.Pid)
	if err == nil && code != 0 {
		err = runtime.Exitf(code, "exec -d: the command did not start in container %s (its go-between ended with %d; a --pids-limit reached?)", ref, code)
	}
	return err
}

// terminalHolder connects to the monitor that will hold an `exec -dt`'s
// terminal (need), or is nil. Docker's exec is held by the shim that runs
// it; here the container's monitor is the one process that outlives
// `mydocker exec` and the command alike. A container in the foreground of
// its `mydocker run` has none, and is refused before anything starts.
func terminalHolder(store *engine.Store, ref string, need bool) (*monitorConn, error) {
	if !need {
		return nil, nil
	}
	c, err := store.Get(ref)
	if err != nil {
		return nil, err
	}
	conn, err := attach.Dial(store.Dir(c.ID))
	if errors.Is(err, attach.ErrNoMonitor) {
		if err := engine.Check(c.State.Status, engine.ActExec, ref); err != nil {
			return nil, err // as exec says it
		}
		return nil, runtime.Exitf(runtime.ExitEngine, "exec -dt: container %s runs in the foreground of its mydocker run, which has no monitor to hold the terminal: drop -t, or start the container with run -d", ref)
	}
	if err != nil {
		return nil, err
	}
	return &monitorConn{conn}, nil
}

// monitorConn is a connection to a container's monitor, or nil.
type monitorConn struct{ conn *net.UnixConn }

// hold hands the terminal to the monitor, which holds it while the
// command runs, and waits for its answer (attach.HoldTerminal); then
// closes our copy (the monitor's keeps it open) and the connection.
func (m *monitorConn) hold(master *os.File, ref string) error {
	if m == nil || master == nil {
		if master != nil {
			master.Close()
		}
		return nil
	}
	err := attach.HoldTerminal(m.conn, master)
	master.Close()
	m.conn.Close()
	if err != nil {
		return fmt.Errorf("exec -dt into container %s: %w; nothing was started", ref, err)
	}
	return nil
}

func (m *monitorConn) Close() {
	if m != nil {
		m.conn.Close()
	}
}

// Chapter 06's commands on containers that outlive the command line:
// create, start, stop, kill, restart, pause, unpause, wait and logs, with
// Docker's flags and output. Each prints the container as the user named
// it, one per line, and goes on to the next after a failure, as docker
// does; the exit status is 1 if any failed.

package cli

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/logs"
	"github.com/mydocker/mydocker/mydocker/monitor"
)

// runDetached is `run -d`. Three processes' work overlaps: the monitor's
// Go runtime comes up while the image is found (ensureImage: pulled if it
// must be) and the record written; the monitor makes the
// cgroup and starts init while the root is prepared; the ID is printed
// once the monitor says the command runs and the record says so.
func runDetached(g *Globals, o engine.RunOptions, ensureImage func() error) error {
	o.ID = engine.NewID()
	m, err := monitor.Begin(g.DataRoot, o.ID)
	if err != nil {
		return err
	}
	o.Monitor = m.Pid
	err = ensureImage()
	var c *engine.Container
	if err == nil {
		c, err = engine.Record(g.DataRoot, o)
	}
	if err != nil {
		m.Cancel()
		return err
	}
	m.Recorded()
	if err := engine.Prepare(g.DataRoot, c); err != nil {
		m.Cancel() // it releases what it made before it exits
		engine.UndoCreate(g.DataRoot, c)
		return err
	}
	if _, err := m.Go(); err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, c.ID)
	return nil
}

// eachContainer runs fn on each named container, printing each name that
// succeeded, and joins the errors.
func eachContainer(g *Globals, refs []string, fn func(store *engine.Store, ref string) error) error {
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range refs {
		if err := fn(store, ref); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintln(g.Stdout, ref)
	}
	return errors.Join(errs...)
}

func startCmd(g *Globals, args []string) error {
	var attached, interactive bool
	keys := attach.DefaultDetachKeys
	fs := NewFlagSet("start")
	fs.Bool(&attached, "attach", "a", "attach STDOUT/STDERR and forward signals")
	fs.Bool(&interactive, "interactive", "i", "attach the container's STDIN")
	fs.String(&keys, "detach-keys", "", "string", `override the key sequence for detaching a container (default "ctrl-p,ctrl-q")`)
	refs, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	if attached || interactive {
		if len(refs) > 1 {
			return errors.New("you cannot start and attach multiple containers at once")
		}
		detachKeys, err := attach.ParseDetachKeys(keys)
		if err != nil {
			return err
		}
		o := attachOptions{stdin: interactive, detachKeys: detachKeys, keySpec: keys, sigProxy: true}
		if g.client != nil {
			return remoteStartCmd(g, refs[0], o) // chapter 09
		}
		return startAndAttach(g, refs[0], o)
	}
	if g.client != nil {
		return remoteEach(g, refs, "POST", "/start", nil)
	}
	return eachContainer(g, refs, func(store *engine.Store, ref string) error {
		c, err := store.Get(ref)
		if err != nil {
			return err
		}
		if c.State.Running && c.MonitorAlive() {
			return nil // Docker's 304: already running
		}
		_, err = monitor.Spawn(g.DataRoot, c.ID)
		return err
	})
}

// startAndAttach is `start -a [-i]` of one container: started with the
// caller attached, or, if it runs already, attached to.
func startAndAttach(g *Globals, ref string, o attachOptions) error {
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	c, err := store.Get(ref)
	if err != nil {
		return err
	}
	o.stdin = o.stdin && c.OpenStdin
	if c.State.Running && c.MonitorAlive() {
		if err := engine.Check(c.State.Status, engine.ActAttach, c.Name); err != nil {
			return err
		}
		conn, err := dialMonitor(store, c)
		if err != nil {
			return err
		}
		return session(g, store, c, conn, o)
	}
	return startAttached(g, store, c, o)
}

func stopCmd(g *Globals, args []string) error {
	refs, timeout, err := parseStop(g, "stop", args)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteEach(g, refs, "POST", "/stop", stopQuery(timeout))
	}
	return eachContainer(g, refs, func(store *engine.Store, ref string) error {
		return engine.Stop(store, ref, timeout)
	})
}

// parseStop parses the flags stop and restart share: -t, then the
// containers.
func parseStop(g *Globals, name string, args []string) ([]string, time.Duration, error) {
	var seconds string
	fs := NewFlagSet(name)
	fs.String(&seconds, "time", "t", "int", "seconds to wait for it to stop before killing it (default 10)")
	refs, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return nil, 0, err
	}
	timeout, err := stopTimeout(seconds)
	if err != nil {
		return nil, 0, &usageError{name, err}
	}
	return refs, timeout, nil
}

// stopTimeout reads -t: whole seconds, 10 by default; -1 waits for ever.
func stopTimeout(s string) (time.Duration, error) {
	if s == "" {
		return 10 * time.Second, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -1 {
		return 0, fmt.Errorf("invalid argument %q for \"-t, --time\" flag: want whole seconds", s)
	}
	if n == -1 {
		return -1, nil
	}
	return time.Duration(n) * time.Second, nil
}

func restartCmd(g *Globals, args []string) error {
	refs, timeout, err := parseStop(g, "restart", args)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteEach(g, refs, "POST", "/restart", stopQuery(timeout))
	}
	return eachContainer(g, refs, func(store *engine.Store, ref string) error {
		if err := engine.Stop(store, ref, timeout); err != nil {
			return err
		}
		c, err := store.Get(ref)
		if err != nil {
			return err
		}
		_, err = monitor.Spawn(g.DataRoot, c.ID)
		return err
	})
}

func killCmd(g *Globals, args []string) error {
	signal := "KILL"
	fs := NewFlagSet("kill")
	fs.String(&signal, "signal", "s", "string", "signal to send to the container (default KILL)")
	refs, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	sig, err := engine.ParseSignal(signal)
	if err != nil {
		return &usageError{"kill", err}
	}
	if g.client != nil {
		return remoteEach(g, refs, "POST", "/kill", url.Values{"signal": {strconv.Itoa(int(sig))}})
	}
	return eachContainer(g, refs, func(store *engine.Store, ref string) error {
		return engine.Kill(store, ref, sig)
	})
}

func pauseCmd(g *Globals, args []string) error {
	refs, err := parse(g, NewFlagSet("pause"), args, 1, -1)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteEach(g, refs, "POST", "/pause", nil)
	}
	return eachContainer(g, refs, engine.Pause)
}

func unpauseCmd(g *Globals, args []string) error {
	refs, err := parse(g, NewFlagSet("unpause"), args, 1, -1)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteEach(g, refs, "POST", "/unpause", nil)
	}
	return eachContainer(g, refs, engine.Unpause)
}

// waitCmd prints each container's exit code once it has stopped.
func waitCmd(g *Globals, args []string) error {
	refs, err := parse(g, NewFlagSet("wait"), args, 1, -1)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteWait(g, refs)
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range refs {
		code, err := engine.Wait(store, ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintln(g.Stdout, code)
	}
	return errors.Join(errs...)
}

func logsCmd(g *Globals, args []string) error {
	var follow, timestamps bool
	var tail, since string
	fs := NewFlagSet("logs")
	fs.Bool(&follow, "follow", "f", "follow log output")
	fs.Bool(&timestamps, "timestamps", "t", "show timestamps")
	fs.String(&tail, "tail", "n", "string", `number of lines to show from the end of the logs (default "all")`)
	fs.String(&since, "since", "", "string", "show logs since timestamp (e.g. 2026-11-30T05:00:00Z) or relative (e.g. 42m for 42 minutes)")
	refs, err := parse(g, fs, args, 1, 1)
	if err != nil {
		return err
	}
	opts := logs.ReadOptions{Tail: -1, Follow: follow}
	if tail != "" && tail != "all" {
		if opts.Tail, err = strconv.Atoi(tail); err != nil {
			return &usageError{"logs", fmt.Errorf("invalid argument %q for \"-n, --tail\" flag: want a number or \"all\"", tail)}
		}
	}
	if opts.Since, err = logs.ParseSince(since, time.Now()); err != nil {
		return &usageError{"logs", err}
	}
	if g.client != nil {
		return remoteLogs(g, refs[0], opts, timestamps)
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	c, err := store.Get(refs[0])
	if err != nil {
		return err
	}
	if c.LogPath == "" {
		return fmt.Errorf("container %s has no log: it was made before mydocker kept one for every container", refs[0])
	}
	opts.Done = func() bool {
		now, err := store.Load(c.ID)
		return err != nil || !now.MonitorAlive()
	}
	err = logs.Read(c.LogPath, opts, func(e logs.Entry) error {
		w := g.Stdout
		if e.Stream == "stderr" {
			w = g.Stderr
		}
		if timestamps {
			io.WriteString(w, e.Time.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")+" ")
		}
		_, err := io.WriteString(w, e.Log)
		return err
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil // never started: no log yet
	}
	return err
}

func renameCmd(g *Globals, args []string) error {
	refs, err := parse(g, NewFlagSet("rename"), args, 2, 2)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteRename(g, refs[0], refs[1])
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	return engine.Rename(store, refs[0], refs[1])
}

// topCmd runs the host's ps (with the given options, -ef by default, as
// docker top does) and keeps the lines of the container's processes.
func topCmd(g *Globals, args []string) error {
	// Flags stop at the container's name: what follows it is ps's.
	rest, err := parse(g, NewFlagSet("top"), args, 1, -1)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteTop(g, rest[0], rest[1:])
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	pids, err := engine.Processes(store, rest[0])
	if err != nil {
		return err
	}
	psArgs := rest[1:]
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	out, err := exec.Command("ps", psArgs...).Output()
	if err != nil {
		return fmt.Errorf("ps %s: %w", strings.Join(psArgs, " "), err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	col := slices.Index(strings.Fields(lines[0]), "PID")
	if col < 0 {
		return fmt.Errorf("ps %s: its output has no PID column", strings.Join(psArgs, " "))
	}
	fmt.Fprintln(g.Stdout, lines[0])
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) <= col {
			continue
		}
		if pid, err := strconv.Atoi(f[col]); err == nil && slices.Contains(pids, pid) {
			fmt.Fprintln(g.Stdout, line)
		}
	}
	return nil
}

// The containers endpoints: each does what the command line's command of
// the same name does (cli/lifecycle.go), through the same engine calls;
// this file translates Docker's query parameters and answers. Creating is
// in create.go, what a container looks like to the API (list, inspect) in
// container_json.go, the streams (wait, logs, attach, stats) in
// streams.go.
//
// A container never runs as the daemon's child: start spawns its monitor
// (monitor.Spawn) in a session of its own, which outlives the daemon.

package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/monitor"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

func (s *Server) containerRoutes() {
	s.handle("POST /containers/create", s.createContainer)
	s.handle("GET /containers/json", s.listContainers)
	s.handle("GET /containers/{id}/json", s.inspectContainer)
	s.handle("POST /containers/{id}/start", s.startContainer)
	s.handle("POST /containers/{id}/stop", s.stopContainer)
	s.handle("POST /containers/{id}/restart", s.restartContainer)
	s.handle("POST /containers/{id}/kill", s.killContainer)
	s.handle("POST /containers/{id}/pause", s.onContainer(engine.Pause))
	s.handle("POST /containers/{id}/unpause", s.onContainer(engine.Unpause))
	s.handle("DELETE /containers/{id}", s.removeContainer)
	s.handle("POST /containers/{id}/rename", s.renameContainer)
	s.handle("GET /containers/{id}/top", s.topContainer)
	s.handle("POST /containers/{id}/resize", s.resizeContainer)
	s.handle("POST /containers/{id}/wait", s.waitContainer)
	s.handle("GET /containers/{id}/logs", s.logsContainer)
	s.handle("POST /containers/{id}/attach", s.attachContainer)
	s.handle("GET /containers/{id}/stats", s.statsContainer)
}

// lookup finds the container the path names, or Docker's 404.
func (s *Server) lookup(r *http.Request) (*engine.Store, *engine.Container, error) {
	return s.lookupRef(r.PathValue("id"))
}

// lookupRef finds the container ref names (a name, an ID or a prefix of
// one), or Docker's 404; an ambiguous prefix is a 400.
func (s *Server) lookupRef(ref string) (*engine.Store, *engine.Container, error) {
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return nil, nil, err
	}
	c, err := containers.Get(ref)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, nil, notFound("No such container: %s", ref)
	}
	if err != nil {
		return nil, nil, badRequest("%v", err) // an ambiguous prefix
	}
	return containers, c, nil
}

// noContent is the answer of a request that changed something and says
// nothing more (Docker's 204).
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) startContainer(w http.ResponseWriter, r *http.Request) error {
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	if c.State.Running && c.MonitorAlive() {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if err := engine.Check(c.State.Status, engine.ActStart, r.PathValue("id")); err != nil && !errors.Is(err, engine.ErrNotModified) {
		return err
	}
	if _, err := spawn(s.DataRoot, c.ID); err != nil {
		// Two starts at once: the monitor of the first claimed the
		// container (it is starting it, or runs it), and the second
		// monitor said so (monitor.open) and went.
		if msg := err.Error(); strings.Contains(msg, "has a monitor already") || msg == engine.ErrNotModified.Error() {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		if c.HostConfig.AutoRemove { // answered once its monitor removed it, as Docker does
			ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
			waitFor(r.WithContext(ctx), containers, c, "removed")
			cancel()
		}
		return startError(err)
	}
	return noContent(w)
}

// spawn starts the container's monitor, with the client that attached
// before the start (docker run's) as its first client.
func spawn(dataRoot, id string) (int, error) {
	if f := pending.take(id); f != nil {
		defer f.Close()
		return monitor.SpawnAttached(dataRoot, id, f)
	}
	return monitor.Spawn(dataRoot, id)
}

// startError words a failed start so that the docker client derives the
// exit code Docker's would (docker/cli's runStartContainerErr): 127 when
// the text holds "executable file not found" or "no such file or
// directory", 126 when it holds "permission denied", 125 otherwise.
func startError(err error) error {
	msg := err.Error()
	switch runtime.ExitCode(err, runtime.ExitEngine) {
	case runtime.ExitNotFound:
		if !strings.Contains(msg, "executable file not found") && !strings.Contains(msg, "no such file or directory") {
			msg += ": executable file not found in $PATH"
		}
		return badRequest("%s", msg)
	case runtime.ExitCannotInvoke:
		if !strings.Contains(msg, "permission denied") {
			msg += ": permission denied"
		}
		return badRequest("%s", msg)
	}
	return err
}

// maxStopTimeout bounds ?t=: 2147483 s (24.8 days, poll(2)'s int of
// milliseconds). Unbounded, t seconds overflow time.Duration past 292
// years, into a negative wait (for ever) or a small one (an at once kill).
const maxStopTimeout = 2147483

// stopTimeout reads ?t= (whole seconds; -1 waits for ever), 10 by default.
func stopTimeout(r *http.Request) (time.Duration, error) {
	t := r.URL.Query().Get("t")
	if t == "" {
		return 10 * time.Second, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < -1 || n > maxStopTimeout {
		return 0, badRequest("invalid value for t: %q: want whole seconds, -1 to %d", t, maxStopTimeout)
	}
	if n == -1 {
		return -1, nil
	}
	return time.Duration(n) * time.Second, nil
}

func (s *Server) stopContainer(w http.ResponseWriter, r *http.Request) error {
	timeout, err := stopTimeout(r)
	if err != nil {
		return err
	}
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	if !c.State.Running || !c.MonitorAlive() {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if err := engine.Stop(containers, c.ID, timeout); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) restartContainer(w http.ResponseWriter, r *http.Request) error {
	timeout, err := stopTimeout(r)
	if err != nil {
		return err
	}
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	if err := engine.Stop(containers, c.ID, timeout); err != nil {
		return err
	}
	if _, err := spawn(s.DataRoot, c.ID); err != nil {
		return startError(err)
	}
	return noContent(w)
}

func (s *Server) killContainer(w http.ResponseWriter, r *http.Request) error {
	sig, err := engine.ParseSignal(firstNonEmpty(r.URL.Query().Get("signal"), "KILL"))
	if err != nil {
		return badRequest("%v", err)
	}
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	if !c.State.Running || !c.MonitorAlive() {
		return conflict("Container %s is not running", c.ID)
	}
	if err := engine.Kill(containers, c.ID, sig); err != nil {
		return err
	}
	return noContent(w)
}

// onContainer serves a request that is one engine call on the container
// (pause, unpause).
func (s *Server) onContainer(fn func(*engine.Store, string) error) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		containers, c, err := s.lookup(r)
		if err != nil {
			return err
		}
		if err := fn(containers, c.ID); err != nil {
			return err
		}
		return noContent(w)
	}
}

func (s *Server) removeContainer(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	force, volumes := boolValue(r, "force"), boolValue(r, "v")
	if c.MonitorAlive() && !force && c.State.Running {
		return conflict("You cannot remove a %s container %s. Stop the container before attempting removal or force remove", c.State.Status, c.ID)
	}
	if err := engine.RemoveContainers(s.DataRoot, []string{c.ID}, force, volumes, func(string) {}); err != nil {
		return err
	}
	execs.forget(c.ID)
	if f := pending.take(c.ID); f != nil {
		f.Close() // ends the attach of a client that waited for a start
	}
	return noContent(w)
}

func (s *Server) renameContainer(w http.ResponseWriter, r *http.Request) error {
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(r.URL.Query().Get("name"), "/")
	if err := engine.CheckName(name); err != nil {
		return badRequest("%v", err)
	}
	if err := engine.Rename(containers, c.ID, name); err != nil {
		if status(err) == http.StatusInternalServerError {
			return badRequest("%v", err) // the same name again
		}
		return err
	}
	return noContent(w)
}

// topContainer runs the host's ps (ps_args, -ef by default) and keeps the
// container's processes: {"Titles": [...], "Processes": [[...], ...]}.
func (s *Server) topContainer(w http.ResponseWriter, r *http.Request) error {
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	pids, err := engine.Processes(containers, c.ID)
	if err != nil {
		return err
	}
	args := strings.Fields(firstNonEmpty(r.URL.Query().Get("ps_args"), "-ef"))
	out, err := exec.Command("ps", args...).Output()
	if err != nil {
		return fmt.Errorf("ps %s: %w", strings.Join(args, " "), err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	titles := strings.Fields(lines[0])
	col := -1
	for i, t := range titles {
		if t == "PID" {
			col = i
		}
	}
	if col < 0 {
		return badRequest("Couldn't find PID field in ps output")
	}
	top := struct {
		Titles    []string
		Processes [][]string
	}{Titles: titles, Processes: [][]string{}}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < len(titles) {
			continue
		}
		// The last column (the command) may hold spaces: it is the rest.
		row := append(f[:len(titles)-1:len(titles)-1], strings.Join(f[len(titles)-1:], " "))
		if pid, err := strconv.Atoi(row[col]); err == nil && containsInt(pids, pid) {
			top.Processes = append(top.Processes, row)
		}
	}
	return writeJSON(w, http.StatusOK, top)
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// resizeContainer sets the size of a container's terminal (?h=&w=).
func (s *Server) resizeContainer(w http.ResponseWriter, r *http.Request) error {
	h, w2, err := terminalSize(r)
	if err != nil {
		return err
	}
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	if !c.State.Running || !c.MonitorAlive() {
		return conflict("Container %s is not running", c.ID)
	}
	if err := resizeConsole(containers, c, h, w2); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// terminalSize reads ?h= and ?w=.
func terminalSize(r *http.Request) (uint16, uint16, error) {
	var size [2]uint16
	for i, k := range []string{"h", "w"} {
		v := r.URL.Query().Get(k)
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return 0, 0, badRequest("invalid value for %s: %q: want a number of cells", k, v)
		}
		size[i] = uint16(n)
	}
	return size[0], size[1], nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

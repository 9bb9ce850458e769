// The lifecycle's state machine. A container is always in one of Docker's
// seven states, and every lifecycle command is a transition that is allowed
// from some states only; the others are conflicts, which Docker's daemon
// answers with HTTP 409 and one sentence, and the CLI with exit status 1.
// The monitor (mydocker/monitor) and the commands change a container's
// state only through Transition, under the container's lock, so that two
// commands racing (stop against rm, pause against exec) cannot both win.
//
//	            start                pause
//	 created ──────────▶ running ◀─────────▶ paused
//	    ▲                 │  ▲       unpause
//	    │        exit     │  │ back-off over
//	    │     ┌───────────┘  │
//	    │     ▼   policy     │
//	    │   exited ───▶ restarting
//	    │     │ start ▲
//	    └─────┘───────┘     rm: any ─▶ removing ─▶ (gone)   failure in rm ─▶ dead

package engine

import (
	"errors"
	"fmt"
	"time"
)

// Status is one of Docker's container states, as `docker inspect` prints
// them in .State.Status.
type Status string

const (
	Created    Status = "created"
	Running    Status = "running"
	Paused     Status = "paused"
	Restarting Status = "restarting"
	Removing   Status = "removing"
	Exited     Status = "exited"
	Dead       Status = "dead"
)

// Action is a lifecycle command, as the state machine sees it.
type Action string

const (
	ActStart   Action = "start"
	ActStop    Action = "stop"
	ActKill    Action = "kill"
	ActPause   Action = "pause"
	ActUnpause Action = "unpause"
	ActExec    Action = "exec"
	ActRemove  Action = "remove" // rm without -f
	ActForceRm Action = "rm -f"
	ActAttach  Action = "attach"
)

// ErrConflict is what every refused transition wraps: the request cannot be
// carried out in the container's present state (Docker's 409).
var ErrConflict = errors.New("conflict")

// ErrNotModified is returned where Docker answers 304: the container is
// already where the request would take it (start of a running container,
// stop of a stopped one). Callers treat it as success.
var ErrNotModified = errors.New("not modified")

// A ConflictError is a refused transition, worded as Docker words it.
type ConflictError struct {
	Msg string
}

func (e *ConflictError) Error() string { return e.Msg }
func (e *ConflictError) Unwrap() error { return ErrConflict }

// HTTPStatus is the status Docker's API gives this error.
func (e *ConflictError) HTTPStatus() int { return 409 }

func conflict(format string, args ...any) error {
	return &ConflictError{Msg: fmt.Sprintf(format, args...)}
}

// Check says whether action may be applied to container name (as the user
// named it) in state s: nil, ErrNotModified, or a ConflictError with
// Docker's message. It changes nothing.
func Check(s Status, action Action, name string) error {
	switch s {
	case Removing:
		if action == ActForceRm {
			return nil // a second rm -f finishes what a crashed one began
		}
		return conflict("removal of container %s is already in progress", name)
	case Dead:
		switch action {
		case ActRemove, ActForceRm:
			return nil
		case ActStop:
			return ErrNotModified
		}
		return conflict("container %s is marked for removal and cannot be %s", name, doneForm(action))
	}
	switch action {
	case ActStart:
		switch s {
		case Running, Restarting:
			return ErrNotModified
		case Paused:
			return conflict("cannot start a paused container %s, try unpause instead", name)
		}
	case ActStop:
		if s == Created || s == Exited {
			return ErrNotModified
		}
	case ActKill:
		if s != Running && s != Paused && s != Restarting {
			return conflict("cannot kill container: %s: container %s is not running", name, name)
		}
	case ActPause:
		switch s {
		case Paused:
			return conflict("cannot pause container %s: container %s is already paused", name, name)
		case Restarting:
			return conflict("cannot pause container %s: container %s is restarting, wait until the container is running", name, name)
		case Running:
		default:
			return conflict("cannot pause container %s: container %s is not running", name, name)
		}
	case ActUnpause:
		if s != Paused {
			return conflict("cannot unpause container %s: container %s is not paused", name, name)
		}
	case ActAttach:
		switch s {
		case Paused:
			return conflict("You cannot attach to a paused container, unpause it first")
		case Restarting:
			return conflict("You cannot attach to a restarting container, wait until it is running")
		case Running:
		default:
			return conflict("You cannot attach to a stopped container, start it first")
		}
	case ActExec:
		switch s {
		case Paused:
			return conflict("container %s is paused, unpause the container before %s", name, action)
		case Restarting:
			return conflict("container %s is restarting, wait until the container is running", name)
		case Running:
		default:
			return conflict("container %s is not running", name)
		}
	case ActRemove:
		if s == Running || s == Paused || s == Restarting {
			return conflict("cannot remove container \"/%s\": container is %s: stop the container before removing or force remove", name, s)
		}
	}
	return nil
}

func doneForm(a Action) string {
	switch a {
	case ActStart:
		return "started"
	case ActStop:
		return "stopped"
	case ActKill:
		return "killed"
	case ActAttach:
		return "attached to"
	case ActExec:
		return "exec'd into"
	}
	return string(a) + "d"
}

// DockerState is a container's lifecycle record: `docker inspect`'s .State.
// The container store's State embeds it, beside what mydocker needs to
// check it against the process table.
type DockerState struct {
	Status     Status    `json:"Status"`
	Running    bool      `json:"Running"`
	Paused     bool      `json:"Paused"`
	Restarting bool      `json:"Restarting"`
	OOMKilled  bool      `json:"OOMKilled"`
	Dead       bool      `json:"Dead"`
	Pid        int       `json:"Pid"`
	ExitCode   int       `json:"ExitCode"`
	Error      string    `json:"Error"`
	StartedAt  time.Time `json:"StartedAt"`
	FinishedAt time.Time `json:"FinishedAt"`
}

// Set moves the state to s and keeps Docker's booleans in step with it:
// Running is true while paused and restarting too, as in Docker.
func (st *DockerState) Set(s Status) {
	st.Status = s
	st.Running = s == Running || s == Paused || s == Restarting
	st.Paused = s == Paused
	st.Restarting = s == Restarting
	st.Dead = s == Dead
	if !st.Running {
		st.Pid = 0
	}
}

// Started records a start at t by init pid.
func (st *DockerState) Started(pid int, t time.Time) {
	st.Set(Running)
	st.Pid, st.StartedAt, st.ExitCode, st.Error, st.OOMKilled = pid, t.UTC(), 0, "", false
}

// Exited records the end of the command at t.
func (st *DockerState) Exited(code int, oom bool, t time.Time) {
	st.Set(Exited)
	st.ExitCode, st.OOMKilled, st.FinishedAt = code, oom, t.UTC()
}

// String is `docker ps`'s STATUS column: "Up 5 seconds (Paused)",
// "Exited (137) 2 minutes ago", "Restarting (1) 3 seconds ago".
func (st *DockerState) String(now time.Time, human func(time.Duration) string) string {
	switch st.Status {
	case Running:
		return "Up " + human(now.Sub(st.StartedAt))
	case Paused:
		return "Up " + human(now.Sub(st.StartedAt)) + " (Paused)"
	case Restarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, human(now.Sub(st.FinishedAt)))
	case Removing:
		return "Removal In Progress"
	case Dead:
		return "Dead"
	case Exited:
		if st.StartedAt.IsZero() {
			return "Created"
		}
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, human(now.Sub(st.FinishedAt)))
	}
	return "Created"
}

// HumanDuration prints a duration as Docker does: "Less than a second",
// "About a minute", "3 hours".
func HumanDuration(d time.Duration) string {
	s := int(d.Seconds())
	switch {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	}
	m := int(d.Minutes())
	switch {
	case m == 1:
		return "About a minute"
	case m < 60:
		return fmt.Sprintf("%d minutes", m)
	}
	h := int(d.Hours() + 0.5)
	switch {
	case h == 1:
		return "About an hour"
	case h < 48:
		return fmt.Sprintf("%d hours", h)
	case h < 24*7*2:
		return fmt.Sprintf("%d days", h/24)
	case h < 24*30*2:
		return fmt.Sprintf("%d weeks", h/24/7)
	case h < 24*365*2:
		return fmt.Sprintf("%d months", h/24/30)
	}
	return fmt.Sprintf("%d years", h/24/365)
}

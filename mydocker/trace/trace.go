// Package trace narrates the kernel steps mydocker takes, as they happen, on
// stderr. It is the instructor's demo mode: `mydocker --trace run ...` or
// MYDOCKER_TRACE=1 prints one "=>" line per clone, mount, cgroup write or
// netlink call, in the spirit of contained.c's "=> setting hostname...done".
//
// Callers write trace.Step("sethostname(%q)", name) right before the syscall.
// Steps cost nothing when tracing is off. The setting travels to the container's
// init through the environment, so both sides of the story are told.
package trace

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// Env is the environment variable that turns tracing on ("1") for mydocker
// and for the init it re-executes.
const Env = "MYDOCKER_TRACE"

// StartEnv carries the moment mydocker started (Unix nanoseconds) to init,
// so that every step, on either side, shows the time since then.
const StartEnv = "MYDOCKER_TRACE_START"

var (
	mu      sync.Mutex
	out     io.Writer = os.Stderr
	enabled           = os.Getenv(Env) == "1"
	role              = "host"
	start             = startTime()
)

func startTime() time.Time {
	if ns, err := strconv.ParseInt(os.Getenv(StartEnv), 10, 64); err == nil {
		return time.Unix(0, ns)
	}
	return time.Now()
}

// Environ is what a child needs to go on with the story: empty when
// tracing is off.
func Environ() []string {
	if !Enabled() {
		return nil
	}
	return []string{Env + "=1", StartEnv + "=" + strconv.FormatInt(start.UnixNano(), 10)}
}

// Enable turns tracing on for this process and for the processes it starts.
func Enable() {
	mu.Lock()
	defer mu.Unlock()
	enabled = true
	os.Setenv(Env, "1")
}

// Enabled reports whether steps are printed.
func Enabled() bool {
	mu.Lock()
	defer mu.Unlock()
	return enabled
}

// SetRole names the side telling the story: "host" for mydocker itself,
// "init" for the container's first process.
func SetRole(r string) {
	mu.Lock()
	defer mu.Unlock()
	role = r
}

// SetOutput redirects the narration; tests use it.
func SetOutput(w io.Writer) {
	mu.Lock()
	defer mu.Unlock()
	out = w
}

// Step prints one kernel step, formatted like fmt.Printf.
func Step(format string, args ...any) {
	mu.Lock()
	defer mu.Unlock()
	if !enabled {
		return
	}
	ms := float64(time.Since(start).Microseconds()) / 1000
	fmt.Fprintf(out, "=> [%s %5.1fms] %s\n", role, ms, fmt.Sprintf(format, args...))
}

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
	"syscall"
	"time"
)

// Env is the environment variable that turns tracing on ("1") for mydocker
// and for the init it re-executes.
const Env = "MYDOCKER_TRACE"

// StartEnv carries the moment mydocker started (Unix nanoseconds) to init,
// so that every step, on either side, shows the time since then.
const StartEnv = "MYDOCKER_TRACE_START"

// FDEnv names the descriptor init tells its story on: mydocker's own
// stderr, handed to init beside the container's stdio (runtime.Start),
// so that init's steps reach the instructor's screen in order with the
// host's, and never the container's output or its log.
const FDEnv = "MYDOCKER_TRACE_FD"

var (
	mu      sync.Mutex
	out     io.Writer = stderr(outFD())
	enabled           = os.Getenv(Env) == "1"
	role              = "host"
	start             = startTime()
)

// stderr writes the narration to descriptor 2 with write(2) itself, not
// through os.Stderr: Go ends a program whose os.Stdout or os.Stderr write
// finds a closed pipe (SIGPIPE, as a C program would die), and
// `mydocker --trace run … 2>&1 | head` would then be killed mid-run, its
// record and cgroups left behind. A raw write gets EPIPE instead (Go's
// runtime ignores the signal for other writes), and a narration nobody
// reads any more is dropped: the story goes on untold.
type stderr int

func (fd stderr) Write(p []byte) (int, error) {
	for written := 0; written < len(p); {
		n, err := syscall.Write(int(fd), p[written:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return len(p), nil
}

// outFD is where the narration goes: FDEnv's descriptor in init, else 2.
func outFD() int {
	if fd, err := strconv.Atoi(os.Getenv(FDEnv)); err == nil && fd > 2 {
		return fd
	}
	return 2
}

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

// Package enginetest checks a restart policy: the decision whether a
// command that exited starts again, and Docker's back-off before it does.
// The engine's own (engine.RestartPolicy.ShouldRestart, engine.NextDelay)
// and lab 06 pass the same checker, so the lab cannot drift from the engine.
package enginetest

import (
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
)

// Restarter is what the checker holds to Docker's rules.
type Restarter struct {
	// ShouldRestart says whether a command that exited with code, after
	// restarts restarts, starts again; stopped is true after stop or kill.
	ShouldRestart func(p engine.RestartPolicy, code, restarts int, stopped bool) bool
	// NextDelay is the wait before the next restart, from the last one
	// (prev; 0 before the first restart) and how long the command ran.
	NextDelay func(prev, ran time.Duration) time.Duration
}

// Decisions are the cases ShouldRestart is held to.
var Decisions = []struct {
	Name           string
	Policy         engine.RestartPolicy
	Code, Restarts int
	Stopped        bool
	Want           bool
}{
	{"no: never", engine.RestartPolicy{Name: engine.PolicyNo}, 1, 0, false, false},
	{"always: after a clean exit too", engine.RestartPolicy{Name: engine.PolicyAlways}, 0, 100, false, true},
	{"always: not after stop", engine.RestartPolicy{Name: engine.PolicyAlways}, 143, 0, true, false},
	{"unless-stopped: after a failure", engine.RestartPolicy{Name: engine.PolicyUnlessStopped}, 1, 0, false, true},
	{"unless-stopped: not after stop", engine.RestartPolicy{Name: engine.PolicyUnlessStopped}, 137, 0, true, false},
	{"on-failure: not after exit 0", engine.RestartPolicy{Name: engine.PolicyOnFailure}, 0, 0, false, false},
	{"on-failure: no limit without :N", engine.RestartPolicy{Name: engine.PolicyOnFailure}, 1, 99, false, true},
	{"on-failure:3: the third restart", engine.RestartPolicy{Name: engine.PolicyOnFailure, MaximumRetryCount: 3}, 1, 2, false, true},
	{"on-failure:3: no fourth", engine.RestartPolicy{Name: engine.PolicyOnFailure, MaximumRetryCount: 3}, 1, 3, false, false},
	{"on-failure:3: not after kill", engine.RestartPolicy{Name: engine.PolicyOnFailure, MaximumRetryCount: 3}, 137, 0, true, false},
}

// Delays is a history of runs and the delay Docker waits after each.
var Delays = []struct {
	Ran  time.Duration
	Want time.Duration
}{
	{0, 100 * time.Millisecond},
	{time.Second, 200 * time.Millisecond},
	{2 * time.Second, 400 * time.Millisecond},
	{9 * time.Second, 800 * time.Millisecond},
	{10 * time.Second, 100 * time.Millisecond}, // ran 10 s: start over
	{0, 200 * time.Millisecond},
}

// CheckRestarter runs the decisions, the delays, and the one-minute cap.
func CheckRestarter(t *testing.T, r Restarter) {
	t.Run("decisions", func(t *testing.T) {
		for _, d := range Decisions {
			if got := r.ShouldRestart(d.Policy, d.Code, d.Restarts, d.Stopped); got != d.Want {
				t.Errorf("%s: ShouldRestart(%s, code %d, restarts %d, stopped %v) = %v, want %v",
					d.Name, d.Policy, d.Code, d.Restarts, d.Stopped, got, d.Want)
			}
		}
	})
	t.Run("delays", func(t *testing.T) {
		prev := time.Duration(0)
		for i, d := range Delays {
			got := r.NextDelay(prev, d.Ran)
			if got != d.Want {
				t.Errorf("restart %d: NextDelay(%v, ran %v) = %v, want %v", i+1, prev, d.Ran, got, d.Want)
			}
			prev = d.Want
		}
	})
	t.Run("cap", func(t *testing.T) {
		prev := time.Duration(0)
		for i := 0; i < 20; i++ {
			prev = r.NextDelay(prev, 0)
		}
		if prev != engine.MaxDelay {
			t.Errorf("after 20 quick exits, NextDelay = %v, want %v (the cap)", prev, engine.MaxDelay)
		}
	})
}

package engine_test

import (
	"testing"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/engine/enginetest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

var restarter = enginetest.Restarter{
	ShouldRestart: func(p engine.RestartPolicy, code, restarts int, stopped bool) bool {
		return p.ShouldRestart(code, restarts, stopped)
	},
	NextDelay: engine.NextDelay,
}

// The engine's restart policy passes the checker lab 06 is held to.
func TestRestarter(t *testing.T) { enginetest.CheckRestarter(t, restarter) }

// Wrong answers to lab 06: the checker must fail each, for its reason.
var wrongAnswers = map[string]struct {
	r    enginetest.Restarter
	want string
}{
	// on-failure:N counts restarts, not runs: N restarts, N+1 runs.
	"on-failure:N counting the first run": {enginetest.Restarter{
		ShouldRestart: func(p engine.RestartPolicy, code, restarts int, stopped bool) bool {
			if p.Name == engine.PolicyOnFailure && p.MaximumRetryCount > 0 {
				return !stopped && code != 0 && restarts+1 < p.MaximumRetryCount
			}
			return p.ShouldRestart(code, restarts, stopped)
		},
		NextDelay: engine.NextDelay,
	}, "on-failure:3: the third restart"},
	// stop must win over always.
	"always ignoring stop": {enginetest.Restarter{
		ShouldRestart: func(p engine.RestartPolicy, code, restarts int, stopped bool) bool {
			if p.Name == engine.PolicyAlways {
				return true
			}
			return p.ShouldRestart(code, restarts, stopped)
		},
		NextDelay: engine.NextDelay,
	}, "always: not after stop"},
	// A command that ran 10 s starts the back-off over.
	"no reset after a long run": {enginetest.Restarter{
		ShouldRestart: restarter.ShouldRestart,
		NextDelay: func(prev, ran time.Duration) time.Duration {
			return engine.NextDelay(prev, 0)
		},
	}, "NextDelay(800ms, ran 10s) = 1.6s, want 100ms"},
	// The delay stops growing at a minute.
	"no cap": {enginetest.Restarter{
		ShouldRestart: restarter.ShouldRestart,
		NextDelay: func(prev, ran time.Duration) time.Duration {
			if ran >= engine.ResetAfter || prev == 0 {
				return engine.FirstDelay
			}
			return 2 * prev
		},
	}, "want 1m0s (the cap)"},
}

// The checker lab 06 is held to fails each wrong answer above.
func TestCheckerCatchesWrongAnswers(t *testing.T) {
	if w := testenv.WrongAnswer(); w != "" {
		enginetest.CheckRestarter(t, wrongAnswers[w].r)
		return
	}
	for name, w := range wrongAnswers {
		t.Run(name, func(t *testing.T) { testenv.CheckerFails(t, "TestCheckerCatchesWrongAnswers", name, w.want) })
	}
}

//go:build lab06 && reference

package engine

import (
	"time"

	lab06 "github.com/mydocker/mydocker/labs/06-lifecycle"
)

// labShouldRestart and labNextDelay are lab 06's reference, the engine's
// own rules, wired through the lab's seam and its types: CI builds them
// into the engine to prove the seam.
func labShouldRestart(p lab06.Policy, code, restarts int, stopped bool) bool {
	return engineShouldRestart(RestartPolicy{Name: PolicyName(p.Name), MaximumRetryCount: p.MaxRetries}, code, restarts, stopped)
}

func labNextDelay(prev, ran time.Duration) time.Duration { return engineNextDelay(prev, ran) }

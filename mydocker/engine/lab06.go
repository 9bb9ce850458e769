//go:build lab06

// Lab 06 built into the engine: `make build LAB=06` compiles this file, and
// every monitor decides restarts and waits its back-off by the student's
// ShouldRestart and NextDelay (labs/06-lifecycle/restart.go). With
// -tags reference too, the engine's own rules go through the same seam.

package engine

import (
	"time"

	lab06 "github.com/mydocker/mydocker/labs/06-lifecycle"
	"github.com/mydocker/mydocker/mydocker/trace"
)

func init() {
	shouldRestart = func(p RestartPolicy, code, restarts int, stopped bool) bool {
		ok := labShouldRestart(lab06.Policy{Name: string(p.Name), MaxRetries: p.MaximumRetryCount}, code, restarts, stopped)
		trace.Step("lab 06: ShouldRestart(%s, exit %d, restarts %d, stopped %v) = %v", p, code, restarts, stopped, ok)
		return ok
	}
	nextDelay = func(prev, ran time.Duration) time.Duration {
		d := labNextDelay(prev, ran)
		trace.Step("lab 06: NextDelay(%v, ran %v) = %v", prev, ran, d)
		return d
	}
}

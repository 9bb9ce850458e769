//go:build !reference

package lab06

import (
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/engine/enginetest"
)

// impl is the code you write in restart.go.
var impl = enginetest.Restarter{
	ShouldRestart: func(p engine.RestartPolicy, code, restarts int, stopped bool) bool {
		return ShouldRestart(Policy{Name: string(p.Name), MaxRetries: p.MaximumRetryCount}, code, restarts, stopped)
	},
	NextDelay: NextDelay,
}

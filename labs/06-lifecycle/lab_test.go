package lab06

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/engine/enginetest"
)

// impl is your ShouldRestart and NextDelay, or with -tags reference the engine's.
func TestRestarter(t *testing.T) { enginetest.CheckRestarter(t, impl) }

package remotetest

import "testing"

// The engine's fetcher passes the checker lab 05 is held to.
func TestEngine(t *testing.T) { Check(t, Engine) }

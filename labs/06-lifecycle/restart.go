// Lab 06: the restart policy.
//
// When a detached container's command exits, its monitor decides whether
// to start it again (--restart), and how long to wait first. Write both
// decisions. This file is the only one you edit. Run the checker with
//
//	make lab N=06
//
// Chapter 06's README (chapters/06-lifecycle/README.md, "Restart
// policies") gives Docker's rules. The engine's own version is
// mydocker/engine/restart.go, but try first without it. This file may use
// the standard library only: `make build LAB=06` compiles it into the
// engine, whose monitor then restarts containers by your rules.
package lab06

import "time"

// Policy is --restart, parsed: Name is "no", "always", "unless-stopped" or
// "on-failure"; MaxRetries is on-failure's N, 0 for no limit.
type Policy struct {
	Name       string
	MaxRetries int
}

// ShouldRestart says whether a command that exited with code starts again,
// under policy p, when it has been restarted restarts times already since
// the last `start`. stopped is true when `stop`, `kill` or `rm -f` ended it.
//
// HINT: a user's stop always wins; on-failure:N allows N restarts, so N+1
// runs in all.
func ShouldRestart(p Policy, code, restarts int, stopped bool) bool {
	// TODO: lab06: not implemented. The stub never restarts.
	return false
}

// NextDelay is how long to wait before the next restart. prev is the
// delay waited before the last restart (0 if there was none), ran how long
// the command ran this time.
//
// HINT: 100 ms the first time, then twice prev, never more than a minute;
// a command that ran 10 s or more starts the count over.
func NextDelay(prev, ran time.Duration) time.Duration {
	// TODO: lab06: not implemented. The stub restarts at once.
	return 0
}

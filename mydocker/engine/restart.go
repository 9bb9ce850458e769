// Restart policies: what the monitor does when the command exits. Parsed as
// Docker parses `--restart`, and carried out with Docker's back-off: the
// first restart waits 100 ms, each next one twice as long (at most a
// minute), and a command that ran 10 s or more starts the count of delays
// over, so a server that crashes once a day restarts at once, while one
// that crashes at start-up does not burn a CPU restarting.

package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PolicyName is the part of --restart before the colon.
type PolicyName string

const (
	PolicyNo            PolicyName = "no"
	PolicyOnFailure     PolicyName = "on-failure"
	PolicyAlways        PolicyName = "always"
	PolicyUnlessStopped PolicyName = "unless-stopped"
)

// RestartPolicy is `docker inspect`'s .HostConfig.RestartPolicy.
type RestartPolicy struct {
	Name              PolicyName `json:"Name"`
	MaximumRetryCount int        `json:"MaximumRetryCount"`
}

// ParseRestartPolicy parses --restart's value: no, always,
// unless-stopped, on-failure or on-failure:N. Errors are Docker's.
func ParseRestartPolicy(s string) (RestartPolicy, error) {
	if s == "" {
		return RestartPolicy{Name: PolicyNo}, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) > 2 {
		return RestartPolicy{}, fmt.Errorf("invalid restart policy format: %q: want no, always, unless-stopped or on-failure[:max-retries]", s)
	}
	p := RestartPolicy{Name: PolicyName(parts[0])}
	if len(parts) == 2 {
		n, err := strconv.Atoi(parts[1])
		if err != nil {
			return RestartPolicy{}, fmt.Errorf("invalid restart policy format: maximum retry count must be an integer: %q", parts[1])
		}
		p.MaximumRetryCount = n
	}
	switch p.Name {
	case PolicyNo, PolicyAlways, PolicyUnlessStopped:
		if len(parts) == 2 {
			return RestartPolicy{}, fmt.Errorf("invalid restart policy: maximum retry count can only be used with 'on-failure'")
		}
	case PolicyOnFailure:
		if p.MaximumRetryCount < 0 {
			return RestartPolicy{}, fmt.Errorf("invalid restart policy: maximum retry count cannot be negative")
		}
	default:
		return RestartPolicy{}, fmt.Errorf("invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", p.Name)
	}
	return p, nil
}

func (p RestartPolicy) String() string {
	if p.Name == PolicyOnFailure && p.MaximumRetryCount > 0 {
		return fmt.Sprintf("%s:%d", p.Name, p.MaximumRetryCount)
	}
	if p.Name == "" {
		return string(PolicyNo)
	}
	return string(p.Name)
}

// ShouldRestart says whether a command that exited with code, after
// restarts restarts, starts again. stopped is true when `stop`, `kill` or
// `rm -f` ended it: a user's stop always wins over the policy, until the
// next `start`.
func (p RestartPolicy) ShouldRestart(code, restarts int, stopped bool) bool {
	return shouldRestart(p, code, restarts, stopped)
}

// shouldRestart and nextDelay are the engine's rules, or lab 06's when it
// is built in (lab06.go).
var (
	shouldRestart = engineShouldRestart
	nextDelay     = engineNextDelay
)

func engineShouldRestart(p RestartPolicy, code, restarts int, stopped bool) bool {
	if stopped {
		return false
	}
	switch p.Name {
	case PolicyAlways, PolicyUnlessStopped:
		return true
	case PolicyOnFailure:
		return code != 0 && (p.MaximumRetryCount == 0 || restarts < p.MaximumRetryCount)
	}
	return false
}

// Docker's back-off constants (moby's restartmanager).
const (
	FirstDelay = 100 * time.Millisecond
	MaxDelay   = time.Minute
	ResetAfter = 10 * time.Second
)

// Backoff is the delay before the next restart.
type Backoff struct {
	delay time.Duration
}

// Next returns how long to wait before restarting a command that ran for
// ran, and remembers it for the next time.
func (b *Backoff) Next(ran time.Duration) time.Duration {
	b.delay = NextDelay(b.delay, ran)
	return b.delay
}

// NextDelay is Docker's back-off rule: 100 ms after a first exit, then
// twice the last delay (prev), up to a minute; 100 ms again after a run of
// 10 s or more, however long the delays had grown.
func NextDelay(prev, ran time.Duration) time.Duration { return nextDelay(prev, ran) }

func engineNextDelay(prev, ran time.Duration) time.Duration {
	if ran >= ResetAfter {
		prev = 0
	}
	next := 2 * prev
	if prev == 0 {
		next = FirstDelay
	}
	return min(next, MaxDelay)
}

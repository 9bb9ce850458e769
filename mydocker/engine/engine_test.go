package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func ExampleBackoff() {
	var b Backoff
	for _, ran := range []time.Duration{0, time.Second, 2 * time.Second, 11 * time.Second, 0} {
		fmt.Println(b.Next(ran))
	}
	// Output:
	// 100ms
	// 200ms
	// 400ms
	// 100ms
	// 200ms
}

func TestBackoffCapsAtAMinute(t *testing.T) {
	var b Backoff
	var d time.Duration
	for i := 0; i < 20; i++ {
		d = b.Next(0)
	}
	if d != MaxDelay {
		t.Errorf("Next after 20 quick exits = %v, want %v", d, MaxDelay)
	}
}

func TestParseRestartPolicy(t *testing.T) {
	tests := []struct {
		in   string
		want RestartPolicy
		err  string
	}{
		{"", RestartPolicy{Name: PolicyNo}, ""},
		{"no", RestartPolicy{Name: PolicyNo}, ""},
		{"always", RestartPolicy{Name: PolicyAlways}, ""},
		{"unless-stopped", RestartPolicy{Name: PolicyUnlessStopped}, ""},
		{"on-failure", RestartPolicy{Name: PolicyOnFailure}, ""},
		{"on-failure:3", RestartPolicy{Name: PolicyOnFailure, MaximumRetryCount: 3}, ""},
		{"on-failure:x", RestartPolicy{}, "maximum retry count must be an integer"},
		{"on-failure:-1", RestartPolicy{}, "cannot be negative"},
		{"always:3", RestartPolicy{}, "can only be used with 'on-failure'"},
		{"sometimes", RestartPolicy{}, "unknown policy 'sometimes'"},
		{"on-failure:1:2", RestartPolicy{}, "invalid restart policy format"},
	}
	for _, tt := range tests {
		got, err := ParseRestartPolicy(tt.in)
		if tt.err == "" && (err != nil || got != tt.want) || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("ParseRestartPolicy(%q) = %+v, %v, want %+v, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestShouldRestart(t *testing.T) {
	tests := []struct {
		policy         string
		code, restarts int
		stopped        bool
		want           bool
	}{
		{"no", 1, 0, false, false},
		{"always", 0, 100, false, true},
		{"always", 0, 0, true, false}, // stop wins
		{"unless-stopped", 1, 0, false, true},
		{"unless-stopped", 1, 0, true, false},
		{"on-failure", 0, 0, false, false},
		{"on-failure", 1, 99, false, true},
		{"on-failure:3", 1, 2, false, true},
		{"on-failure:3", 1, 3, false, false}, // exactly three restarts
		{"on-failure:3", 137, 0, true, false},
	}
	for _, tt := range tests {
		p, err := ParseRestartPolicy(tt.policy)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.ShouldRestart(tt.code, tt.restarts, tt.stopped); got != tt.want {
			t.Errorf("%s.ShouldRestart(%d, %d, %v) = %v, want %v", tt.policy, tt.code, tt.restarts, tt.stopped, got, tt.want)
		}
	}
}

func ExampleCheck() {
	fmt.Println(Check(Exited, ActPause, "web"))
	fmt.Println(Check(Paused, ActPause, "web"))
	fmt.Println(Check(Running, ActUnpause, "web"))
	fmt.Println(Check(Paused, ActExec, "web"))
	fmt.Println(Check(Running, ActRemove, "web"))
	fmt.Println(Check(Exited, ActStop, "web"))
	// Output:
	// cannot pause container web: container web is not running
	// cannot pause container web: container web is already paused
	// cannot unpause container web: container web is not paused
	// container web is paused, unpause the container before exec
	// cannot remove container "/web": container is running: stop the container before removing or force remove
	// not modified
}

// TestCheckTable holds every state against every action: allowed (nil),
// nothing to do (ErrNotModified), or a conflict.
func TestCheckTable(t *testing.T) {
	const ok, same, no = "ok", "304", "409"
	states := []Status{Created, Running, Paused, Restarting, Removing, Exited, Dead}
	want := map[Action][]string{
		//         created running paused restarting removing exited dead
		ActStart:   {ok, same, no, same, no, ok, no},
		ActStop:    {same, ok, ok, ok, no, same, same},
		ActKill:    {no, ok, ok, ok, no, no, no},
		ActPause:   {no, ok, no, no, no, no, no},
		ActUnpause: {no, no, ok, no, no, no, no},
		ActExec:    {no, ok, no, no, no, no, no},
		ActRemove:  {ok, no, no, no, no, ok, ok},
		ActForceRm: {ok, ok, ok, ok, ok, ok, ok},
	}
	for action, row := range want {
		for i, s := range states {
			err := Check(s, action, "c")
			got := ok
			switch {
			case errors.Is(err, ErrNotModified):
				got = same
			case errors.Is(err, ErrConflict):
				got = no
			case err != nil:
				got = err.Error()
			}
			if got != row[i] {
				t.Errorf("Check(%s, %s) = %s (%v), want %s", s, action, got, err, row[i])
			}
		}
	}
}

func TestStateString(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	human := func(d time.Duration) string { return d.String() }
	var st DockerState
	st.Started(42, now.Add(-5*time.Second))
	if got := st.String(now, human); got != "Up 5s" || !st.Running || st.Pid != 42 {
		t.Errorf("running: String = %q, Running %v Pid %d", got, st.Running, st.Pid)
	}
	st.Set(Paused)
	if got := st.String(now, human); got != "Up 5s (Paused)" || !st.Running || !st.Paused {
		t.Errorf("paused: String = %q, Running %v Paused %v", got, st.Running, st.Paused)
	}
	st.Exited(143, false, now.Add(-time.Minute))
	if got := st.String(now, human); got != "Exited (143) 1m0s ago" || st.Running || st.Pid != 0 {
		t.Errorf("exited: String = %q, Running %v Pid %d", got, st.Running, st.Pid)
	}
}

package daemon

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A client cannot make the daemon hold exec instances without end: one
// container's unstarted ones are capped, and a removed container's go.
func TestExecTableLimits(t *testing.T) {
	table := &execTable{byID: map[string]*execInstance{}}
	for i := range maxExecUnstarted {
		if err := table.add(&execInstance{ID: fmt.Sprint("c", i), Container: "c"}); err != nil {
			t.Fatalf("add(exec %d) = %v, want it kept", i, err)
		}
	}
	err := table.add(&execInstance{ID: "one too many", Container: "c"})
	var se *apiError
	if !errors.As(err, &se) || se.status != http.StatusConflict {
		t.Errorf("add(exec %d) = %v, want a 409", maxExecUnstarted+1, err)
	}
	if err := table.add(&execInstance{ID: "d0", Container: "d"}); err != nil {
		t.Errorf("add(an exec of another container) = %v, want it kept", err)
	}
	table.forget("c")
	if got := table.of("c"); len(got) != 0 {
		t.Errorf("after forget(c), of(c) = %d instances, want none", len(got))
	}
	if got := table.of("d"); len(got) != 1 {
		t.Errorf("after forget(c), of(d) = %q, want d0 kept", got)
	}
	// One never started, of a container removed behind the daemon's back
	// (a --rm container's monitor): gone at the next create, execKeep on.
	now := time.Now()
	table.add(&execInstance{ID: "stale", Container: "gone", created: now.Add(-execKeep - time.Second)})
	table.add(&execInstance{ID: "fresh", Container: "gone", created: now.Add(-time.Second)})
	if err := table.add(&execInstance{ID: "e0", Container: "e", created: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := table.get("stale"); err == nil {
		t.Errorf("an exec created %v ago and never started is still held", execKeep+time.Second)
	}
	if _, err := table.get("fresh"); err != nil {
		t.Errorf("a second-old exec was dropped: %v", err)
	}
}

func TestExecConfigSize(t *testing.T) {
	big := execConfig{Cmd: []string{"echo", strings.Repeat("x", maxExecConfig)}}
	if n := execConfigSize(big); n <= maxExecConfig {
		t.Errorf("execConfigSize(a 64 KiB argument) = %d, want over %d", n, maxExecConfig)
	}
	if n := execConfigSize(execConfig{Cmd: []string{"true"}, Env: []string{"A=1"}}); n != 9 {
		t.Errorf("execConfigSize(true, A=1) = %d, want 9", n)
	}
}

// A start that gives up (here: no such container, and a connection that
// cannot be hijacked) ends the instance with a code: one left started and
// not ended was held, and inspected as running, for good.
func TestExecStartThatGivesUpEnds(t *testing.T) {
	s := New(t.TempDir())
	e := &execInstance{ID: "gives-up", Container: "missing", Config: execConfig{Cmd: []string{"true"}}, created: time.Now()}
	if err := execs.add(e); err != nil {
		t.Fatal(err)
	}
	defer execs.forget("missing")
	r := httptest.NewRequest("POST", "/exec/gives-up/start", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(httptest.NewRecorder(), r)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running || e.exitCode == nil {
		t.Errorf("after a start that could not run: running %v, exit code %v; want ended with a code", e.running, e.exitCode)
	}
}

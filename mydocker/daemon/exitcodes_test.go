package daemon

import (
	"testing"
	"time"
)

// await waits while a relay of the container runs: a code the relay puts
// is returned, a relay that ends without one ends the wait at once.
func TestExitCodesAwait(t *testing.T) {
	e := newExitCodes()
	done := e.relaying("a")
	go func() {
		time.Sleep(50 * time.Millisecond)
		e.put("a", 7)
		done()
	}()
	if code, ok := e.await("a"); !ok || code != 7 {
		t.Errorf("await(a) = %d, %v, want 7, true", code, ok)
	}
	done = e.relaying("b")
	go func() {
		time.Sleep(50 * time.Millisecond)
		done()
	}()
	if code, ok := e.await("b"); ok {
		t.Errorf("await(b) = %d, %v, want no code once its relay ended", code, ok)
	}
	if code, ok := e.await("c"); ok {
		t.Errorf("await(c) = %d, %v, want no code for a container with no relay", code, ok)
	}
}

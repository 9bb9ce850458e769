package runtime

import (
	"testing"

	"golang.org/x/sys/unix"
)

// onOwnThread throws its thread away, and Go never ends the main thread:
// it would wedge it instead, in whatever state fn left it (a container's
// namespaces, cgroups, capabilities), for the life of the process. So fn
// must never run on the main thread; the package's init keeps it for the
// main goroutine.
func TestOnOwnThreadNeverMain(t *testing.T) {
	for i := 0; i < 500; i++ {
		tid, _ := onOwnThread(func() (int, error) { return unix.Gettid(), nil })
		if tid == unix.Getpid() {
			t.Fatalf("run %d: fn ran on the main thread, which Go wedges, never ends", i)
		}
	}
}

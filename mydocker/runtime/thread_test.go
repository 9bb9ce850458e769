package runtime

import (
	"fmt"
	"os"
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

// The go-between's leash cannot be opened again through /proc/PID/fd, as
// a pipe could by a container process in the moment before the
// go-between makes itself non-dumpable.
func TestLeashCannotBeReopened(t *testing.T) {
	a, b, err := Leash()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	for _, f := range []*os.File{a, b} {
		if g, err := os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", f.Fd()), os.O_WRONLY, 0); err == nil {
			g.Close()
			t.Errorf("the leash's end %d opened again through /proc/self/fd", f.Fd())
		}
	}
}

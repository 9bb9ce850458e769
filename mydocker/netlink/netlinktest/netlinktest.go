// Package netlinktest gives tests throwaway network namespaces: each is a
// namespace held only by an open descriptor, gone when the test ends, so a
// test may create bridges and veths without touching the host's network.
// The lab's checker uses it too.
package netlinktest

import (
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Netns creates a new, empty network namespace and returns it as an open
// /proc/.../ns/net descriptor, closed (and the namespace freed) at the end
// of the test. The thread that unshared it is discarded.
func Netns(t testing.TB) *os.File {
	t.Helper()
	testenv.RequireRoot(t, "network namespaces need CAP_SYS_ADMIN: sudo go test")
	type result struct {
		f   *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		// Locked and never unlocked: this thread ends up in the new
		// namespace, and Go throws it away when the goroutine returns.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- result{nil, os.NewSyscallError("unshare CLONE_NEWNET", err)}
			return
		}
		f, err := os.Open("/proc/thread-self/ns/net")
		done <- result{f, err}
	}()
	r := <-done
	if r.err != nil {
		t.Fatalf("new network namespace: %v", r.err)
	}
	t.Cleanup(func() { r.f.Close() })
	return r.f
}

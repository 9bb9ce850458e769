package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// inotifyFds counts this process's inotify instances.
func inotifyFds(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	n := 0
	for _, e := range ents {
		if l, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); strings.Contains(l, "inotify") {
			n++
		}
	}
	return n
}

// 200 waiters on one directory share one inotify instance and one watch,
// all wake on a rename into it, and the watch goes with the last of them.
func TestDirWatchShared(t *testing.T) {
	dir := t.TempDir()
	before := inotifyFds(t)
	var chans []<-chan struct{}
	var dones []func()
	for range 200 {
		ch, done := dirs.subscribe(dir)
		chans, dones = append(chans, ch), append(dones, done)
	}
	if got := inotifyFds(t) - before; got > 1 {
		t.Errorf("200 waiters hold %d new inotify instances, want at most 1", got)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".new"), nil, 0o644))
	require.NoError(t, os.Rename(filepath.Join(dir, ".new"), filepath.Join(dir, "record")))
	for i, ch := range chans {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("waiter %d not woken by a rename into %s", i, dir)
		}
	}
	for _, done := range dones {
		done()
	}
	dirs.mu.Lock()
	defer dirs.mu.Unlock()
	if w := dirs.byDir[dir]; w != nil {
		t.Errorf("after the last waiter went, %s is still watched (%d waiters)", dir, len(w.waiters))
	}
}

package engine

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Two writers of one record at once: the `mydocker run` that owns it
// writes its state (running, then exited) while another command changes
// other fields under the container's lock (a rename, stop's mark, `update
// --restart`). Whichever lands first, neither change may be lost.
func TestMergeSaveKeepsConcurrentWriters(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	other := func(id string) {
		_, err := s.Update(id, func(r *Container) error {
			r.Name, r.ManuallyStopped = r.Name+"-renamed", true
			r.HostConfig.RestartPolicy = RestartPolicy{Name: "always"}
			return nil
		})
		require.NoError(t, err)
	}
	run := func(c *Container) {
		c.State.Set(Running)
		c.State.Pid = 4242
		require.NoError(t, mergeSave(s, c))
		c.State.Exited(3, false, time.Now())
		require.NoError(t, mergeSave(s, c))
	}
	for i := 0; i < 40; i++ {
		c := &Container{ID: NewID(), Name: fmt.Sprintf("c%d", i)}
		require.NoError(t, s.Create(c))
		require.NoError(t, <-c.durable)
		c.durable = nil
		if i == 0 { // one in each order for sure, then at once
			other(c.ID)
			run(c)
		} else if i == 1 {
			run(c)
			other(c.ID)
		} else {
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); other(c.ID) }()
			go func() { defer wg.Done(); run(c) }()
			wg.Wait()
		}
		got, err := s.Load(c.ID)
		require.NoError(t, err)
		if got.Name != c.Name+"-renamed" || !got.ManuallyStopped || got.HostConfig.RestartPolicy.Name != "always" {
			t.Errorf("record %d: Name %q, ManuallyStopped %v, RestartPolicy %q; want the other writer's %q, true, always",
				i, got.Name, got.ManuallyStopped, got.HostConfig.RestartPolicy.Name, c.Name+"-renamed")
		}
		if got.State.Status != Exited || got.State.ExitCode != 3 {
			t.Errorf("record %d: State %s (exit %d), want the run's exited (3)", i, got.State.Status, got.State.ExitCode)
		}
	}
}

// mergeRecord's cost per write of a foreground run's record.
func BenchmarkMergeRecord(b *testing.B) {
	c := &Container{ID: NewID(), Name: "bench"}
	c.Config.Args = []string{"sh", "-c", "true"}
	c.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	base, err := json.Marshal(c)
	require.NoError(b, err)
	mine := *c
	mine.State.Set(Running)
	for i := 0; i < b.N; i++ {
		disk := *c
		if _, err := mergeRecord(&disk, base, &mine); err != nil {
			b.Fatal(err)
		}
	}
}

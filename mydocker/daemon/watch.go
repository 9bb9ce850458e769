// The events no handler can publish: a container's command ends in its
// monitor (chapter 06), a process apart from the daemon, which only
// writes the container's record. So while someone listens on /events, a
// watcher reads the records every 200 ms and publishes "die" (with the
// exit code) for each container whose command ended since the last look,
// as dockerd publishes it when containerd tells it. Handlers publish what
// they do themselves (create, start, stop, destroy, ...), never "die".

package daemon

import (
	"strconv"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
)

// watchInterval is how often the watcher reads the records: a die is
// published at most this late.
const watchInterval = 200 * time.Millisecond

// watchContainers starts the watcher if it is not running; the bus stops
// it when its last subscriber goes.
func (s *Server) watchContainers() {
	b := s.events
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stop != nil || len(b.subs) == 0 {
		return
	}
	b.stop = make(chan struct{})
	go s.watch(b.stop)
}

// watch publishes a die for every container whose FinishedAt moves past
// what it was at the last look (or, for one made since the watch began,
// past the watch's start): a command that ran and ended between two looks
// is seen too.
func (s *Server) watch(stop <-chan struct{}) {
	since := time.Now()
	finished := map[string]time.Time{}
	first := true
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for {
		if containers, err := engine.OpenStore(s.DataRoot); err == nil {
			list, _ := containers.List()
			now := map[string]time.Time{}
			for _, c := range list {
				end := c.State.FinishedAt
				now[c.ID] = end
				last, seen := finished[c.ID]
				if first || (seen && !end.After(last)) || (!seen && !end.After(since)) || end.IsZero() {
					continue
				}
				s.event("container", "die", c.ID, map[string]string{"exitCode": strconv.Itoa(c.State.ExitCode),
					"image": c.Image, "name": strings.TrimPrefix(c.Name, "/")})
			}
			finished, first = now, false
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

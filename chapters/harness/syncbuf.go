package harness

import (
	"strings"
	"sync"
)

// SyncBuffer collects a command's output while the test reads it: the
// command's copier writes from its own goroutine, so a plain
// strings.Builder there would be a data race.
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

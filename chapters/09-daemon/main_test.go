// Chapter 09's tests: mydocker's daemon driven by the real clients
// (Debian's docker 20.10, the newest docker on the machine, docker-compose
// and the Docker SDK for Python). Each test starts a daemon of its own
// (harness.Env.StartDaemon) on a data root of its own; the harness checks
// after each that no container, mount, cgroup or monitor is left.
package chapter09

import (
	"testing"
	"time"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// eventually polls cond until it holds; the limit only bounds a broken
// engine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
	}
}

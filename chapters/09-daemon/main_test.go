// Chapter 09's tests: mydocker's daemon driven by the clients people
// already use — Debian's docker client (20.10), the newest docker client
// on the machine, docker-compose and the Docker SDK for Python — each
// against a daemon of the test's own, on a socket of its own, with a data
// root of its own (harness.StartDaemon).
package chapter09

import (
	"testing"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

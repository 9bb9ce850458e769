package lab05

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/image/remote/remotetest"
)

// impl is your fetcher, or with -tags reference the engine's.
func TestFetcher(t *testing.T) { remotetest.Check(t, impl) }

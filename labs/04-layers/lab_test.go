package lab04

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
)

// impl is your Apply, or with -tags reference the engine's.
func TestApply(t *testing.T) { archivetest.Check(t, archive.ApplyWhiteouts, impl) }

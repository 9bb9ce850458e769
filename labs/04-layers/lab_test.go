package lab04

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
)

// impl is your Apply, or with -tags reference the engine's.

// TestCore is the lab: whiteouts, opaque directories, hostile paths, and
// the entry types and metadata they stand on.
func TestCore(t *testing.T) { archivetest.CheckCore(t, archive.ApplyWhiteouts, impl) }

// TestStretch reports the stretch goals (PAX nanosecond times, long names,
// xattrs) case by case. It fails only for the reference, which must have
// them all.
func TestStretch(t *testing.T) {
	archivetest.ReportStretch(t, "TestStretch", archive.ApplyWhiteouts, impl, strictStretch)
}

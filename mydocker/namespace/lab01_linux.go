//go:build lab01

// Lab 01 built into the engine: `make build LAB=01` compiles this file, and
// every container is then cloned with the student's CloneFlags() and set
// up inside by the student's SetupChild (labs/01-namespaces), instead of
// CloneFlags and Enter. With -tags reference too (make build LAB=01
// REFERENCE=1) the engine's own code goes through the same seam.
//
// One guard stays: without CLONE_NEWNS or CLONE_NEWUTS the child would
// mount and set the hostname in the host's namespaces, so init refuses to
// set anything up and says why, before the first mount.

package namespace

import (
	"fmt"

	"golang.org/x/sys/unix"
)

func init() {
	flags := labImpl.cloneFlags()
	CloneFlags = flags
	labSetupChild = labImpl.setupChild
	if missing := uintptr(unix.CLONE_NEWNS|unix.CLONE_NEWUTS) &^ flags; missing != 0 {
		labSetupChild = func(string) error {
			return fmt.Errorf("lab 01: CloneFlags() = %s lacks %s: the container would mount and name itself in the host's namespaces, so init stops here (fix CloneFlags in labs/01-namespaces)",
				FlagNames(flags), FlagNames(missing))
		}
	}
}

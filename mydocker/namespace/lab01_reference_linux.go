//go:build lab01 && reference

package namespace

// labImpl is the engine's own code, wired through the lab's seam: lab 01's
// reference, which CI builds into the engine to prove the seam.
var labImpl = struct {
	cloneFlags func() uintptr
	setupChild func(hostname string) error
}{func() uintptr { return CloneFlags }, enterHostMode}

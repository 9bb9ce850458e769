//go:build lab04 && reference

package archive

import "io"

// labApply is lab 04's reference, the engine's flattening Apply, wired
// through the lab's seam: CI builds it into the engine to prove the seam.
func labApply(dir string, r io.Reader) error {
	_, err := apply(dir, r, Options{Whiteouts: ApplyWhiteouts})
	return err
}

//go:build reference

package lab04

import (
	"io"

	"github.com/mydocker/mydocker/mydocker/archive"
)

// impl is the engine's own applier, flattening whiteouts: CI checks that it
// passes the checker your code must pass.
func impl(dir string, r io.Reader) error {
	_, err := archive.Apply(dir, r, archive.Options{Whiteouts: archive.ApplyWhiteouts})
	return err
}

// The reference has every stretch goal.
const strictStretch = true

//go:build lab03 && !reference

// Lab 03 built into the engine: `make build LAB=03` compiles this file, and
// Setup switches every container's root with the student's PivotRoot
// (labs/03-rootfs/pivot.go) instead of the engine's. With -tags reference
// too, this file drops out and the engine's own PivotRoot (the lab's
// reference) stays.

package rootfs

import lab03 "github.com/mydocker/mydocker/labs/03-rootfs"

func init() { pivotRoot = lab03.PivotRoot }

package store_test

import (
	"fmt"

	"github.com/mydocker/mydocker/mydocker/store"
)

// Progress is typed: the command line prints a Status as docker does, and
// draws a bar only for the steps that have one.
func ExampleStatus() {
	for _, s := range []store.Status{store.PullingFSLayer, store.Downloading, store.PullComplete, store.Pushed} {
		fmt.Printf("%s (bar: %v)\n", s, s.HasBar())
	}
	// Output:
	// Pulling fs layer (bar: false)
	// Downloading (bar: true)
	// Pull complete (bar: false)
	// Pushed (bar: false)
}

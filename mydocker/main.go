// mydocker is a small container engine, built up over the chapters of this
// course. main only dispatches: "mydocker init" is the container's first
// process (see package container); everything else is the command line.
package main

import (
	"os"

	"github.com/mydocker/mydocker/mydocker/cli"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		runtime.Init() // never returns
	}
	os.Exit(cli.Main(os.Args[1:]))
}

// mydocker is a small container engine, built up over the chapters of this
// course. main only dispatches: "mydocker init" is the container's first
// process (see package container), "mydocker monitor" looks after a detached
// container (see package monitor); everything else is the command line.
package main

import (
	"os"

	"github.com/mydocker/mydocker/mydocker/cli"
	"github.com/mydocker/mydocker/mydocker/container"
	"github.com/mydocker/mydocker/mydocker/monitor"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		container.Init() // never returns
	}
	if len(os.Args) > 1 && os.Args[1] == "monitor" {
		os.Exit(monitor.Main(os.Args[2:])) // a detached container's monitor (chapter 06)
	}
	os.Exit(cli.Main(os.Args[1:]))
}

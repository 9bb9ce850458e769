package main

import (
	"os"

	"github.com/mydocker/mydocker/mydocker/cli"
	"github.com/mydocker/mydocker/mydocker/monitor"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		runtime.Init() // never returns
	}
	if len(os.Args) > 1 && os.Args[1] == runtime.ExecDetachedArg {
		os.Exit(runtime.ExecDetached(os.Args[2:])) // exec -d's go-between, in the container
	}
	if len(os.Args) > 1 && os.Args[1] == "monitor" {
		os.Exit(monitor.Main(os.Args[2:])) // a detached container's monitor (chapter 06)
	}
	os.Exit(cli.Main(os.Args[1:]))
}

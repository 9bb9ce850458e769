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

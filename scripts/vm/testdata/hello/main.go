// hello: the smallest static Go program, to prove Go binaries run in the VM.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	h, _ := os.Hostname()
	fmt.Printf("hello from Go %s on %s/%s, hostname %s, TMPDIR %s\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, h, os.TempDir())
}

package cli

import (
	"fmt"
)

func ExampleBinarySize() {
	fmt.Println(BinarySize(0), BinarySize(1536), BinarySize(64<<20), BinarySize(1536000))
	// Output: 0B 1.5KiB 64MiB 1.465MiB
}

package cli

import (
	"fmt"
	"time"
)

func ExampleHumanDuration() {
	for _, d := range []time.Duration{0, time.Second, 42 * time.Second, 90 * time.Second,
		30 * time.Minute, time.Hour, 5 * time.Hour, 72 * time.Hour, 21 * 24 * time.Hour} {
		fmt.Println(HumanDuration(d))
	}
	// Output:
	// Less than a second
	// 1 second
	// 42 seconds
	// About a minute
	// 30 minutes
	// About an hour
	// 5 hours
	// 3 days
	// 3 weeks
}

func ExampleBinarySize() {
	fmt.Println(BinarySize(0), BinarySize(1536), BinarySize(64<<20), BinarySize(1536000))
	// Output: 0B 1.5KiB 64MiB 1.465MiB
}

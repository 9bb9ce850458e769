package engine_test

import (
	"fmt"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
)

func ExampleHumanDuration() {
	for _, d := range []time.Duration{0, time.Second, 42 * time.Second, 90 * time.Second,
		30 * time.Minute, time.Hour, 5 * time.Hour, 72 * time.Hour, 21 * 24 * time.Hour} {
		fmt.Println(engine.HumanDuration(d))
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

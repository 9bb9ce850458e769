package cli

import (
	"math"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/engine"
)

// A daemon's progress is drawn whatever numbers it sends: a negative or a
// huge current once made strings.Repeat panic and the client crash.
func TestBarOddNumbers(t *testing.T) {
	for _, tt := range []struct{ done, total int64 }{{-1, 10}, {math.MaxInt64, 1}, {20, 10}, {5, 10}, {0, 10}} {
		if b := bar(tt.done, tt.total); !strings.HasPrefix(b, "[") || strings.Count(b, "=")+strings.Count(b, " ")+strings.Count(b, ">") < 50 {
			t.Errorf("bar(%d, %d) = %q", tt.done, tt.total, b)
		}
	}
}

// A registry's or daemon's text reaches the terminal without its control
// characters: no escape sequence, no newline to throw the bars off.
func TestProgressPrintable(t *testing.T) {
	var out strings.Builder
	p := newProgress(&out)
	p.Update(engine.Event{Message: "bad\x1b]0;owned\x07 news\nsecond\u009b2J"})
	if got := out.String(); got != "bad]0;owned newssecond2J\n" {
		t.Errorf("a message with control characters printed as %q", got)
	}
}

// The events of a pull, push or load (engine.Event), as docker prints them:
// on a terminal, a line per layer redrawn in place ("a3ed95caeb02:
// Downloading [==>    ] 1.2MB/3.4MB"); otherwise one plain line each time
// a layer's status changes. A message ("Digest: sha256:…") is a line of
// its own.

package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/store"
)

type progressPrinter struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	lines  int                     // lines written so far
	line   map[string]int          // the line of each layer, by ID
	status map[string]store.Status // the last status shown for each
}

func newProgress(w io.Writer) *progressPrinter {
	f, ok := w.(*os.File)
	return &progressPrinter{w: w, tty: ok && runtime.IsTerminal(f), line: map[string]int{}, status: map[string]store.Status{}}
}

// Update shows one event.
func (p *progressPrinter) Update(e engine.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// IDs and messages come from a registry or a daemon: none of their
	// control characters reach the terminal (an escape sequence, or a
	// newline that would throw the redrawn lines off).
	e.ID, e.Message = printable(e.ID), printable(e.Message)
	if e.Status == 0 {
		p.lines++
		fmt.Fprintln(p.w, e)
		return
	}
	text := e.String()
	if e.Status.HasBar() {
		text += " " + bar(e.Done, e.Total)
	}
	old, seen := p.status[e.ID]
	p.status[e.ID] = e.Status
	if !p.tty {
		// Plain output: a line per change of status, not per byte.
		if !seen || old != e.Status {
			fmt.Fprintln(p.w, e)
		}
		return
	}
	if !seen {
		p.line[e.ID] = p.lines
		p.lines++
		fmt.Fprintln(p.w, text)
		return
	}
	up := p.lines - p.line[e.ID]
	// Up to the layer's line, clear it, write, and back down.
	fmt.Fprintf(p.w, "\033[%dA\r\033[2K%s\r\033[%dB", up, text, up)
}

// bar draws Docker's progress bar: [=====>      ] 1.2MB/3.4MB.
func bar(done, total int64) string {
	const width = 50
	if total <= 0 {
		return HumanSize(done)
	}
	// What a daemon says is not trusted to be sane: a negative or a
	// huge done would make strings.Repeat panic.
	n := width
	if done < total {
		n = int(float64(max(done, 0)) / float64(total) * width)
	}
	b := strings.Repeat("=", n)
	if n < width {
		b += ">" + strings.Repeat(" ", width-n-1)
	}
	return fmt.Sprintf("[%s] %s/%s", b, HumanSize(done), HumanSize(total))
}

// printable drops the control characters of s, tabs kept.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\t' && (r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

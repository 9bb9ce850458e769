// Pull and push progress, as docker prints it: on a terminal, a line per
// layer redrawn in place ("a3ed95caeb02: Downloading [==>    ] 1.2MB/3.4MB");
// otherwise one plain line each time a layer's status changes.

package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/mydocker/mydocker/mydocker/runtime"

	local "github.com/mydocker/mydocker/mydocker/store"
)

type progressPrinter struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	order  []string                // layer IDs in the order they appeared
	status map[string]local.Status // the last status shown for each
}

func newProgress(w io.Writer) *progressPrinter {
	f, ok := w.(*os.File)
	return &progressPrinter{w: w, tty: ok && runtime.IsTerminal(f), status: map[string]local.Status{}}
}

// Update shows one step.
func (p *progressPrinter) Update(e local.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := e.ID + ": " + e.Status.String()
	if e.Status.HasBar() {
		text += " " + bar(e.Done, e.Total)
	}
	old, seen := p.status[e.ID]
	p.status[e.ID] = e.Status
	if !p.tty {
		// Plain output: a line per change of status, not per byte.
		if !seen || old != e.Status {
			fmt.Fprintln(p.w, e.ID+": "+e.Status.String())
		}
		return
	}
	if !seen {
		p.order = append(p.order, e.ID)
		fmt.Fprintln(p.w, text)
		return
	}
	up := len(p.order)
	for i, id := range p.order {
		if id == e.ID {
			up -= i
		}
	}
	// Up to the layer's line, clear it, write, and back down.
	fmt.Fprintf(p.w, "\033[%dA\r\033[2K%s\r\033[%dB", up, text, up)
}

// bar draws Docker's progress bar: [=====>      ] 1.2MB/3.4MB.
func bar(done, total int64) string {
	const width = 50
	if total <= 0 {
		return HumanSize(done)
	}
	n := int(float64(done) / float64(total) * width)
	if n > width {
		n = width
	}
	b := strings.Repeat("=", n)
	if n < width {
		b += ">" + strings.Repeat(" ", width-n-1)
	}
	return fmt.Sprintf("[%s] %s/%s", b, HumanSize(done), HumanSize(total))
}

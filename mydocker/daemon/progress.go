// Docker's progress messages: the answer of a pull, a push or a load is
// not one JSON document but one per event, written as the work goes, which
// the client draws as a line per layer (package jsonmessage in Docker).
// An engine event becomes a message in progressMessage, and a message
// becomes the event again in JSONMessage.Event, which mydocker's own
// client uses to draw a daemon's pull exactly as a daemonless one.

package daemon

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/store"
)

// progressStream is an answer made of Docker's JSON messages (package
// jsonmessage): {"status", "id", "progressDetail", "progress"} for each
// step, {"stream"} for text, {"aux"} for a result, and {"errorDetail",
// "error"} when the operation fails after the stream began. Until a
// message is sent, nothing is written: a failure then is an HTTP status
// and Docker's {"message"} body, as dockerd answers a pull of an image
// that does not exist.
type progressStream struct {
	w       http.ResponseWriter
	r       *http.Request
	started bool
	held    *JSONMessage         // the first message, kept back (see pullEvent)
	last    map[string]time.Time // when each layer's bar was last sent
	// manifestSize is what push's last line says ("... size: 528").
	manifestSize int
}

// JSONMessage is one message of such an answer.
type JSONMessage struct {
	Status         string          `json:"status,omitempty"`
	ID             string          `json:"id,omitempty"`
	ProgressDetail *ProgressDetail `json:"progressDetail,omitempty"`
	Progress       string          `json:"progress,omitempty"`
	Stream         string          `json:"stream,omitempty"`
	Aux            any             `json:"aux,omitempty"`
	ErrorDetail    *ErrorDetail    `json:"errorDetail,omitempty"`
	Error          string          `json:"error,omitempty"`
}

// ProgressDetail is a step's bytes: Current of Total.
type ProgressDetail struct {
	Current int64 `json:"current,omitempty"`
	Total   int64 `json:"total,omitempty"`
}

// ErrorDetail is why the operation failed.
type ErrorDetail struct {
	Message string `json:"message"`
}

func newProgressStream(w http.ResponseWriter, r *http.Request) *progressStream {
	return &progressStream{w: w, r: r, last: map[string]time.Time{}}
}

// send writes one message, starting the answer if it has not started.
func (p *progressStream) send(m JSONMessage) {
	if !p.started {
		p.started = true
		p.w.Header().Set("Content-Type", "application/json")
		p.w.WriteHeader(http.StatusOK)
		if p.held != nil {
			json.NewEncoder(p.w).Encode(p.held)
		}
	}
	json.NewEncoder(p.w).Encode(m)
	flushOut(p.w)
}

// progressMessage is an engine event as Docker's message.
func progressMessage(e engine.Event) JSONMessage {
	m := JSONMessage{ID: e.ID, Status: e.Message}
	if e.Status != 0 {
		m.Status = e.Status.String()
		m.ProgressDetail = &ProgressDetail{}
		if e.Status.HasBar() {
			m.ProgressDetail = &ProgressDetail{Current: e.Done, Total: e.Total}
		}
	}
	return m
}

// Event is progressMessage undone, for the daemon's client: the event a
// message was made of ({"stream"} text a message, without its newline);
// false for an aux result or an error (Err).
func (m JSONMessage) Event() (engine.Event, bool) {
	switch st, ok := store.ParseStatus(m.Status); {
	case m.Stream != "":
		return engine.Event{Message: strings.TrimSuffix(m.Stream, "\n")}, true
	case m.Status == "" || m.Err() != nil:
		return engine.Event{}, false
	case ok && m.ProgressDetail != nil: // a step, not a message of its name
		return engine.Event{ID: m.ID, Status: st, Done: m.ProgressDetail.Current, Total: m.ProgressDetail.Total}, true
	}
	return engine.Event{ID: m.ID, Message: m.Status}, true
}

// Err is the error a message reports ({"errorDetail"}, or the older
// {"error"} alone), nil if it reports none.
func (m JSONMessage) Err() error {
	switch {
	case m.ErrorDetail != nil && m.ErrorDetail.Message != "":
		return errors.New(m.ErrorDetail.Message)
	case m.Error != "":
		return errors.New(m.Error)
	}
	return nil
}

// pullEvent sends a pull's event. The first line ("latest: Pulling from
// library/busybox") is held back until the registry has answered, so that
// an image it does not have is a plain 404. A layer's bar is sent at most
// every 100 ms, as dockerd throttles it.
func (p *progressStream) pullEvent(e engine.Event) {
	m := progressMessage(e)
	if !p.started && p.held == nil && e.Status == 0 && strings.HasPrefix(e.Message, "Pulling from ") {
		p.held = &m
		return
	}
	if e.Status.HasBar() && e.Done < e.Total {
		if time.Since(p.last[e.ID]) < 100*time.Millisecond {
			return
		}
		p.last[e.ID] = time.Now()
	}
	p.send(m)
}

// pushEvent sends a push's event; it also notes the manifest's size from
// the last line, for the aux message.
func (p *progressStream) pushEvent(e engine.Event) {
	if e.Status == 0 {
		if i := strings.LastIndex(e.Message, " size: "); i >= 0 {
			var n int
			for _, c := range e.Message[i+len(" size: "):] {
				n = n*10 + int(c-'0')
			}
			p.manifestSize = n
		}
	}
	p.pullEvent(e)
}

// aux sends a result message ({"aux": {...}}).
func (p *progressStream) aux(v any) {
	p.send(JSONMessage{ProgressDetail: &ProgressDetail{}, Aux: v})
}

// fail ends the operation with err: an HTTP error if nothing was sent yet,
// else an error message in the stream (the client prints it and exits 1).
func (p *progressStream) fail(code int, err error) error {
	if !p.started {
		var hs interface{ HTTPStatus() int }
		if errors.As(err, &hs) {
			return err
		}
		return &apiError{code, err.Error()}
	}
	p.send(JSONMessage{ErrorDetail: &ErrorDetail{Message: err.Error()}, Error: err.Error()})
	return nil
}

// end finishes a stream that succeeded (an empty one is a 200 too).
func (p *progressStream) end() error {
	if !p.started {
		p.started = true
		p.w.Header().Set("Content-Type", "application/json")
		p.w.WriteHeader(http.StatusOK)
		if p.held != nil {
			json.NewEncoder(p.w).Encode(p.held)
		}
	}
	return nil
}

// The daemon's event bus, behind GET /events (`docker events`): every
// handler that changes something says so with s.event (a container
// created, started, dead, destroyed; an image pulled, tagged, deleted; a
// network or volume created or destroyed), and each /events client gets
// the messages that pass its filters, as Docker's JSON objects, one after
// the other on a response that stays open.
//
// The bus keeps the last 256 messages, as dockerd does, so that
// `docker events --since 10m` can replay what happened before it asked.
// It is in memory only: a restarted daemon remembers no events, as a
// restarted dockerd does not.

package daemon

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Message is one event, in Docker's shape (events.Message): Type, Action
// and Actor are what API 1.22+ clients read; status, id and from are the
// older fields, which Docker still sends for containers and images.
type Message struct {
	Status   string `json:"status,omitempty"`
	ID       string `json:"id,omitempty"`
	From     string `json:"from,omitempty"`
	Type     string `json:"Type"`
	Action   string `json:"Action"`
	Actor    Actor  `json:"Actor"`
	Scope    string `json:"scope"`
	Time     int64  `json:"time"`
	TimeNano int64  `json:"timeNano"`
}

// Actor is what an event is about: its ID and attributes (name, image).
type Actor struct {
	ID         string            `json:"ID"`
	Attributes map[string]string `json:"Attributes"`
}

// keptEvents is how many past messages the bus replays (dockerd's 256).
const keptEvents = 256

// eventBus fans messages out to the /events clients.
type eventBus struct {
	mu   sync.Mutex
	past []Message                 // the last keptEvents, oldest first
	subs map[chan Message]struct{} // one per open /events request
	stop chan struct{}             // ends the container watcher (watch.go)
}

func newEventBus() *eventBus { return &eventBus{subs: map[chan Message]struct{}{}} }

// event publishes what a handler did: typ is container, image, network or
// volume; action Docker's verb (create, start, die, destroy, pull, tag,
// delete, connect, ...); id the object's ID (for an image, its name as
// Docker sends it); attrs the Actor's attributes (name, image, exitCode).
// It never blocks: a client too slow to take a message misses it.
func (s *Server) event(typ, action, id string, attrs map[string]string) {
	if attrs == nil {
		attrs = map[string]string{}
	}
	now := time.Now()
	m := Message{Type: typ, Action: action, Actor: Actor{ID: id, Attributes: attrs},
		Scope: "local", Time: now.Unix(), TimeNano: now.UnixNano()}
	if typ == "container" || typ == "image" {
		m.Status, m.ID, m.From = action, id, attrs["image"]
	}
	s.events.publish(m)
}

func (b *eventBus) publish(m Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.past = append(b.past, m)
	if len(b.past) > keptEvents {
		b.past = b.past[len(b.past)-keptEvents:]
	}
	for c := range b.subs {
		select {
		case c <- m:
		default:
		}
	}
}

// subscribe returns the kept messages and a channel for the next ones;
// cancel ends the subscription.
func (b *eventBus) subscribe() (past []Message, next chan Message, cancel func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	next = make(chan Message, 64)
	b.subs[next] = struct{}{}
	return append([]Message(nil), b.past...), next, func() {
		b.mu.Lock()
		delete(b.subs, next)
		if len(b.subs) == 0 && b.stop != nil {
			close(b.stop)
			b.stop = nil
		}
		b.mu.Unlock()
	}
}

// events is GET /events?since=&until=&filters=: the kept messages from
// since on, then each new one as it comes, until until (or the client
// goes). Without since, only new messages; an until in the past ends the
// answer after the replay.
func (s *Server) eventsHandler(w http.ResponseWriter, r *http.Request) error {
	since, until, f, err := eventsQuery(r)
	if err != nil {
		return err
	}
	past, next, cancel := s.events.subscribe()
	defer cancel()
	s.watchContainers()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flushOut(w)
	enc := json.NewEncoder(w)
	send := func(m Message) error {
		if !eventMatches(f, m) {
			return nil
		}
		if err := enc.Encode(m); err != nil {
			return err
		}
		flushOut(w)
		return nil
	}
	if !since.IsZero() {
		for _, m := range past {
			if m.TimeNano >= since.UnixNano() && (until.IsZero() || m.TimeNano <= until.UnixNano()) {
				if send(m) != nil {
					return nil
				}
			}
		}
	}
	var deadline <-chan time.Time
	if !until.IsZero() {
		d := time.Until(until)
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		deadline = t.C
	}
	for {
		select {
		case m := <-next:
			if send(m) != nil {
				return nil
			}
		case <-deadline:
			return nil
		case <-r.Context().Done():
			return nil
		}
	}
}

// eventsQuery reads /events' parameters: since, until and filters.
func eventsQuery(r *http.Request) (since, until time.Time, f filters, err error) {
	q := r.URL.Query()
	if since, err = eventTime(q.Get("since")); err != nil {
		return
	}
	if until, err = eventTime(q.Get("until")); err != nil {
		return
	}
	if f, err = parseFilters(q.Get("filters")); err != nil {
		return
	}
	err = f.check("type", "event", "container", "image", "network", "volume", "label", "scope")
	return
}

// eventTime reads since and until as the docker client sends them: Unix
// seconds, with an optional fraction ("1700000000.000000000").
func eventTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	sec, frac, _ := strings.Cut(v, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, badRequest("invalid timestamp %q: want Unix seconds, such as 1700000000.5", v)
	}
	var ns int64
	if frac != "" {
		frac = (frac + "000000000")[:9]
		if ns, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, badRequest("invalid timestamp %q: want Unix seconds, such as 1700000000.5", v)
		}
	}
	return time.Unix(s, ns), nil
}

// eventMatches applies `docker events --filter`: each key given must match
// (type, event, the object's ID or name by type, label).
func eventMatches(f filters, m Message) bool {
	name := m.Actor.Attributes["name"]
	switch {
	case !f.match("type", m.Type), !f.match("event", m.Action), !f.match("scope", m.Scope):
		return false
	case f.has("container") && (m.Type != "container" || !(f.match("container", m.Actor.ID) || f.match("container", name) || f.matchPrefix("container", m.Actor.ID))):
		return false
	case f.has("image") && !(f.match("image", m.Actor.Attributes["image"]) ||
		(m.Type == "image" && (f.match("image", m.Actor.ID) || f.match("image", name)))):
		return false
	case f.has("network") && (m.Type != "network" || !(f.match("network", m.Actor.ID) || f.match("network", name))):
		return false
	case f.has("volume") && (m.Type != "volume" || !f.match("volume", m.Actor.ID)):
		return false
	}
	return f.matchLabels(m.Actor.Attributes)
}

// flushOut sends what is written so far: a stream's client reads each
// message as it comes.
func flushOut(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// Detach keys: the key sequence that lets a client go and leaves the
// container running, ctrl-p ctrl-q unless --detach-keys says otherwise.
// They apply to containers with a terminal (-t), as Docker's do: without
// one, stdin is data, and every byte of it is the container's.

package attach

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultDetachKeys is Docker's default.
const DefaultDetachKeys = "ctrl-p,ctrl-q"

// ErrDetached is what the reader of EscapeReader gets once the user typed
// the detach keys.
var ErrDetached = errors.New("detached")

// ParseDetachKeys reads Docker's --detach-keys format: keys separated by
// commas, each a single character ("a", ",") or "ctrl-X" with X one of
// a-z @ [ \ ] ^ _.
func ParseDetachKeys(s string) ([]byte, error) {
	var keys []byte
	for _, key := range strings.Split(s, ",") {
		if len(key) == 1 {
			keys = append(keys, key[0])
			continue
		}
		k, ok := strings.CutPrefix(strings.ToLower(key), "ctrl-")
		if !ok || len(k) != 1 {
			return nil, fmt.Errorf("invalid detach keys %q: unknown key %q: want keys such as \"ctrl-p,ctrl-q\" or \"ctrl-a,b\"", s, key)
		}
		switch c := k[0]; {
		case c >= 'a' && c <= 'z':
			keys = append(keys, c-'a'+1)
		case c == '@':
			keys = append(keys, 0)
		case strings.IndexByte(`[\]^_`, c) >= 0:
			keys = append(keys, c-'['+27) // ESC, FS, GS, RS, US
		default:
			return nil, fmt.Errorf("invalid detach keys %q: unknown key %q: want keys such as \"ctrl-p,ctrl-q\" or \"ctrl-a,b\"", s, key)
		}
	}
	return keys, nil
}

// EscapeReader passes r's bytes on, except the detach keys: a prefix of
// them is held back until the next key decides. The whole sequence ends
// the stream with ErrDetached; any other key sends what was held, then
// itself, so a lone ctrl-p still reaches the container.
type EscapeReader struct {
	r     io.Reader
	keys  []byte
	held  int    // how many of keys were typed so far
	ready []byte // bytes to hand out before reading more
	buf   [4096]byte
}

// NewEscapeReader watches r for keys; no keys passes r on untouched.
func NewEscapeReader(r io.Reader, keys []byte) *EscapeReader {
	return &EscapeReader{r: r, keys: keys}
}

func (e *EscapeReader) Read(p []byte) (int, error) {
	for len(e.ready) == 0 {
		if e.detached() {
			return 0, ErrDetached
		}
		n, err := e.r.Read(e.buf[:])
		for _, b := range e.buf[:n] {
			if e.ready = e.take(e.ready, b); e.detached() {
				break // what follows the keys is not the container's
			}
		}
		if err != nil && len(e.ready) == 0 && !e.detached() {
			if e.held == 0 {
				return 0, err
			}
			// The stream ended after part of the sequence: it was data.
			e.ready, e.held = append(e.ready, e.keys[:e.held]...), 0
		}
	}
	n := copy(p, e.ready)
	e.ready = e.ready[n:]
	return n, nil
}

func (e *EscapeReader) detached() bool { return len(e.keys) > 0 && e.held == len(e.keys) }

// take handles one key: held back if it continues the sequence, else sent
// after whatever was held.
func (e *EscapeReader) take(out []byte, b byte) []byte {
	if len(e.keys) == 0 {
		return append(out, b)
	}
	if b == e.keys[e.held] {
		e.held++
		return out
	}
	if e.held > 0 {
		out = append(out, e.keys[:e.held]...)
		e.held = 0
		if b == e.keys[0] {
			e.held = 1
			return out
		}
	}
	return append(out, b)
}

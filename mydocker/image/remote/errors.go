// Registries answer failures with a status code and, per the distribution
// spec, a JSON body: {"errors":[{"code":"MANIFEST_UNKNOWN","message":…}]}.
// This file turns those answers, and failures to connect at all, into errors
// that name the image and the registry and answer errors.Is for the
// package's sentinels.

package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
)

// Error is a registry's answer that was not a success.
type Error struct {
	StatusCode int
	Errors     []ErrorDetail // from the JSON body, if it had one
	Body       string        // the start of a body that was not the spec's JSON
}

// ErrorDetail is one entry of the spec's error list.
type ErrorDetail struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Detail  json.RawMessage `json:"detail,omitempty"`
}

func (e *Error) Error() string {
	var msgs []string
	for _, d := range e.Errors {
		m := d.Message
		if m == "" {
			m = strings.ToLower(strings.ReplaceAll(d.Code, "_", " "))
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 && e.Body != "" {
		msgs = append(msgs, e.Body)
	}
	s := fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if len(msgs) > 0 {
		s = strings.Join(msgs, "; ") + " (" + s + ")"
	}
	return s
}

// Is lets callers test a registry error against ErrNotFound and
// ErrUnauthorized, by status or by the spec's error codes.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.hasCode("MANIFEST_UNKNOWN", "NAME_UNKNOWN", "BLOB_UNKNOWN")
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden || e.hasCode("UNAUTHORIZED", "DENIED")
	}
	return false
}

func (e *Error) hasCode(codes ...string) bool {
	for _, d := range e.Errors {
		for _, c := range codes {
			if d.Code == c {
				return true
			}
		}
	}
	return false
}

// readError consumes a failed response into an *Error.
func readError(resp *http.Response) *Error {
	defer resp.Body.Close()
	e := &Error{StatusCode: resp.StatusCode}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorSize))
	var doc struct {
		Errors []ErrorDetail `json:"errors"`
	}
	if json.Unmarshal(body, &doc) == nil && len(doc.Errors) > 0 {
		e.Errors = doc.Errors
	} else if s := strings.TrimSpace(string(body)); s != "" {
		e.Body = s[:min(len(s), 200)]
	}
	return e
}

// netError explains a request that got no answer at all. A failure to
// connect becomes ErrUnreachable with the registry's host in the message;
// a cancelled context stays the context's error.
func netError(ctx context.Context, host string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var w *wrapped
	if errors.As(err, &w) {
		return w // ours (a timeout, a refused token): already says what happened
	}
	if unreachable(err) {
		return wrapf(ErrUnreachable, err, "the registry at %s is not reachable: %v", host, causeOf(err))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("the registry at %s closed the connection: %w", host, causeOf(err))
	}
	return err
}

func unreachable(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// causeOf drops the *url.Error layer ("Get \"http://…\": "), whose URL the
// message already names better.
func causeOf(err error) error {
	var u *url.Error
	if errors.As(err, &u) {
		return u.Err
	}
	return err
}

package client

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/stdcopy"
)

// serve answers on a unix socket of the test's own with h, as the daemon
// would, and returns a client of it.
func serve(t *testing.T, h http.Handler) *Client {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	c, err := New("unix://" + sock)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestNewRefusesOtherAddresses(t *testing.T) {
	for _, host := range []string{"tcp://127.0.0.1:2375", "/run/mydocker.sock", "unix://"} {
		if _, err := New(host); err == nil || !strings.Contains(err.Error(), "unix socket only") {
			t.Errorf("New(%q) = %v, want a unix-socket-only error", host, err)
		}
	}
}

// The version negotiation: the daemon's Api-Version if it is older than
// ours, ours if it is newer, and every path then carries it.
func TestVersionNegotiation(t *testing.T) {
	for _, tc := range []struct{ daemon, want string }{{"1.41", "1.41"}, {"1.30", "1.30"}, {"1.50", APIVersion}, {"", APIVersion}} {
		var paths []string
		c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.daemon != "" {
				w.Header().Set("Api-Version", tc.daemon)
			}
			paths = append(paths, r.Method+" "+r.URL.Path)
			w.Write([]byte("{}"))
		}))
		require.NoError(t, c.JSON("GET", "/containers/json", nil, nil, nil))
		require.NoError(t, c.JSON("GET", "/version", nil, nil, nil))
		want := []string{"HEAD /_ping", "GET /v" + tc.want + "/containers/json", "GET /v" + tc.want + "/version"}
		if strings.Join(paths, ",") != strings.Join(want, ",") {
			t.Errorf("daemon at %q: requests %v, want %v", tc.daemon, paths, want)
		}
	}
}

// Docker's error body becomes an *Error with the status; a body that is
// not JSON is the message as it is.
func TestErrorBodies(t *testing.T) {
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/_ping":
		case "/v1.41/containers/nope/json":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"No such container: nope"}`))
		default:
			http.Error(w, "plain text", http.StatusConflict)
		}
	}))
	err := c.JSON("GET", "/containers/nope/json", nil, nil, nil)
	if !IsNotFound(err) || err.Error() != "No such container: nope" {
		t.Errorf("404 = %#v, want *Error 404 %q", err, "No such container: nope")
	}
	err = c.JSON("POST", "/other", nil, map[string]int{"a": 1}, nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusConflict || e.Message != "plain text" {
		t.Errorf("409 = %#v, want *Error 409 %q", err, "plain text")
	}
}

// Hijack: 101 UPGRADED, then frames from the daemon and our bytes to it;
// our end of input is seen by the daemon as EOF.
func TestHijack(t *testing.T) {
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_ping" {
			return
		}
		if r.Header.Get("Upgrade") != "tcp" || r.Header.Get("Connection") != "Upgrade" {
			http.Error(w, `{"message":"not an upgrade"}`, http.StatusBadRequest)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
		buf.Flush()
		in, _ := io.ReadAll(bufio.NewReader(buf)) // until the client's CloseWrite
		stdcopy.WriteFrame(conn, stdcopy.Stdout, append([]byte("got "), in...))
		stdcopy.WriteFrame(conn, stdcopy.Stderr, []byte("err\n"))
	}))
	s, err := c.Hijack("POST", "/containers/x/attach", nil, nil)
	require.NoError(t, err)
	defer s.Close()
	io.WriteString(s.Conn, "input\n")
	require.NoError(t, s.CloseWrite())
	var stdout, stderr strings.Builder
	require.NoError(t, stdcopy.Demux(s.Reader, &stdout, &stderr))
	if stdout.String() != "got input\n" || stderr.String() != "err\n" {
		t.Errorf("Demux = %q, %q; want %q, %q", stdout.String(), stderr.String(), "got input\n", "err\n")
	}
}

// A socket nobody listens on: one line that names it and the way out.
func TestNoDaemon(t *testing.T) {
	c, err := New("unix://" + filepath.Join(t.TempDir(), "none.sock"))
	require.NoError(t, err)
	err = c.JSON("GET", "/containers/json", nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot connect to the mydocker daemon") || strings.Contains(err.Error(), "\n") {
		t.Errorf("no daemon: %v, want one line saying so", err)
	}
}

// Package client is the command line's side of chapter 09: Docker's Engine
// API spoken over the daemon's unix socket. It does what docker/cli's
// client does underneath each command: asks /_ping which API version the
// daemon speaks and prefixes every path with it (/v1.41/containers/json),
// turns Docker's error bodies ({"message": ...}) into errors that keep the
// HTTP status, and hijacks the connection for attach and exec, whose
// output then comes as stdcopy frames.
//
//	c, err := client.New("unix:///run/mydocker.sock")
//	var list []Summary
//	err = c.JSON("GET", "/containers/json", url.Values{"all": {"1"}}, nil, &list)
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// APIVersion is the newest Engine API version this client speaks (Docker
// 20.10's, as the daemon's); an older daemon's is used when /_ping names it.
const APIVersion = "1.41"

// HostEnv names the daemon the command line talks to, as -H does.
const HostEnv = "MYDOCKER_HOST"

// Client talks to one daemon.
type Client struct {
	Socket  string // the unix socket's path
	version string // negotiated at the first request
	http    *http.Client
}

// New returns a client of the daemon at host, "unix:///path/to.sock". No
// request is made yet.
func New(host string) (*Client, error) {
	path, ok := strings.CutPrefix(host, "unix://")
	if !ok || path == "" {
		return nil, fmt.Errorf("daemon address %q: mydocker's client speaks to a unix socket only, as unix:///run/mydocker.sock", host)
	}
	c := &Client{Socket: path}
	c.http = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return c.dial(ctx) },
		// One client runs one command: a connection kept for the next
		// request saves its dial, nothing more is needed.
		MaxIdleConns: 1,
	}}
	return c, nil
}

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	conn, err := (&net.Dialer{Timeout: 10 * time.Second}).DialContext(ctx, "unix", c.Socket)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to the mydocker daemon at unix://%s: is it running? (start it with 'mydocker daemon -H unix://%s', or unset %s to run daemonless): %w", c.Socket, c.Socket, HostEnv, err)
	}
	return conn, nil
}

// Error is the daemon's answer to a request it refused: Docker's status
// and message.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// IsNotFound tells a 404 (no such container, image, exec).
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// Version negotiates the API version, once: HEAD /_ping's Api-Version,
// or ours if the daemon's is newer, as docker's client does.
func (c *Client) Version() (string, error) {
	if c.version != "" {
		return c.version, nil
	}
	req, _ := http.NewRequest(http.MethodHead, "http://mydocker/_ping", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	v := resp.Header.Get("Api-Version")
	if v == "" || versionLess(APIVersion, v) {
		v = APIVersion
	}
	c.version = v
	return v, nil
}

// versionLess compares two "major.minor" API versions.
func versionLess(a, b string) bool {
	var am, an, bm, bn int
	fmt.Sscanf(a, "%d.%d", &am, &an)
	fmt.Sscanf(b, "%d.%d", &bm, &bn)
	return am < bm || am == bm && an < bn
}

// newRequest prepares method path?query with in (nil, an io.Reader, or a
// value sent as JSON) as the body.
func (c *Client) newRequest(method, path string, query url.Values, in any) (*http.Request, error) {
	v, err := c.Version()
	if err != nil {
		return nil, err
	}
	u := "http://mydocker/v" + v + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	switch b := in.(type) {
	case nil:
	case io.Reader:
		body = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// Do makes a request and returns the answer, whose body the caller
// closes; a status of 400 or more is an *Error.
func (c *Client) Do(method, path string, query url.Values, in any) (*http.Response, error) {
	return c.DoWith(method, path, query, in, nil)
}

// DoWith is Do with headers of the caller's: X-Registry-Auth on a pull
// or push, the Content-Type of a tarball sent as the body.
func (c *Client) DoWith(method, path string, query url.Values, in any, header http.Header) (*http.Response, error) {
	req, err := c.newRequest(method, path, query, in)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		return nil, readError(resp)
	}
	return resp, nil
}

// readError turns Docker's error body into an *Error (a body that is not
// JSON is the message as it is, bounded).
func readError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct{ Message string }
	if json.Unmarshal(data, &body) != nil || body.Message == "" {
		body.Message = strings.TrimSpace(string(data))
		if body.Message == "" {
			body.Message = resp.Status
		}
	}
	return &Error{Status: resp.StatusCode, Message: body.Message}
}

// JSON makes a request and decodes its JSON answer into out (nil: the
// answer is dropped).
func (c *Client) JSON(method, path string, query url.Values, in, out any) error {
	resp, err := c.Do(method, path, query, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s %s: the daemon's answer: %w", method, path, err)
	}
	return nil
}

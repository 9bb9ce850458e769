// Package remote talks to image registries with the OCI distribution API,
// the HTTP protocol behind `docker pull` and `docker push`.
//
// A pull is a walk down a tree of digests: ping GET /v2/ to learn how the
// registry wants callers to authenticate, fetch a token if it asks for one,
// GET the manifest by tag or digest (for a multi-platform image an index
// first, then the manifest of this machine's platform), GET the config, and
// GET each layer blob. Every byte is checked against the digest that named
// it, so a registry (or anything between it and us) cannot slip in content
// other than what the tag or digest promised. A push is the same walk
// upwards: HEAD each blob, upload the ones missing, and PUT the manifest
// last, so that a registry never holds a manifest naming content it lacks.
//
// `mydocker pull` calls Image and copies the layers into its store; `push`
// calls Write; `login` and `logout` call Login and Logout. The client keeps
// nothing on disk but the credentials file (credentials.go), so a failed
// pull leaves nothing behind.
//
// Files: remote.go the options and errors; transport.go HTTP, HTTPS and
// the /v2/ ping; roundtrip.go what each request may do (TLS checks,
// timeouts); limits.go how much of each answer is read; auth.go challenges
// and tokens; credentials.go the config.json keychain, Login and Logout;
// pull.go manifests, images, indexes and layers; push.go uploads.
package remote

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image"
)

// Options configure one registry operation. The zero value pulls
// anonymously, over HTTPS (plain HTTP for loopback registries), for
// linux on this machine's CPU.
type Options struct {
	// Insecure lists registries that may be reached over plain HTTP, like
	// Docker's --insecure-registry: "host" or "host:port", each matching
	// exactly that name (as Docker matches it), or a CIDR such as
	// "10.0.0.0/8" for IP addresses. Loopback hosts (127.0.0.0/8, ::1,
	// localhost) are always allowed, as in Docker. HTTPS is still tried
	// first, without verifying the certificate. The exemption is decided
	// for each request by its own host: a token realm or a redirect on
	// another host is checked as any other.
	Insecure []string
	// Keychain finds credentials by registry name ("docker.io",
	// "127.0.0.1:5000"). Nil pulls anonymously.
	Keychain Keychain
	// Platform picks the image out of a multi-platform index. Empty fields
	// default to linux and the CPU mydocker was built for (linux/amd64 on
	// the machines mydocker targets).
	Platform image.Platform
	// Transport sends the requests; nil is a clone of
	// http.DefaultTransport. An *http.Transport is cloned with Timeouts
	// applied (and cloned again without certificate checks, for the hosts
	// Insecure exempts); any other RoundTripper is used as it is, for
	// every host, with only the stall timer on bodies.
	Transport http.RoundTripper
	// Timeouts bound each wait; zero fields are DefaultTimeouts.
	Timeouts Timeouts
	// UserAgent is sent with every request; empty is "mydocker".
	UserAgent string
	// Progress, if not nil, is told what Write does with each blob. Calls
	// never overlap, even while blobs upload concurrently.
	Progress func(Event)
}

// Event reports progress on one blob.
type Event struct {
	Digest digest.Digest
	Action Action
	Done   int64 // bytes so far
	Total  int64 // the blob's size
}

// Action is what an Event reports of its blob.
type Action string

// The actions an Event reports. Write uses the first three; a puller
// wrapping Layer.Compressed reports ActionDownloading and ActionDownloaded.
const (
	ActionExists      Action = "exists"  // the registry already has the blob: skipped
	ActionPushing     Action = "pushing" // bytes are being sent; Done grows
	ActionPushed      Action = "pushed"  // the registry accepted the blob
	ActionDownloading Action = "downloading"
	ActionDownloaded  Action = "downloaded"
)

// Errors callers branch on. Each error wrapping one says more: which image,
// which registry, what the registry said.
var (
	// ErrNotFound: the repository, tag, manifest or blob does not exist.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the registry refused our credentials, or wants some.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnreachable: no connection to the registry (refused, timeout, DNS).
	ErrUnreachable = errors.New("registry not reachable")
	// ErrPlainHTTP: the registry speaks plain HTTP and is not allowed to.
	ErrPlainHTTP = errors.New("registry speaks plain HTTP")
	// ErrNoPlatform: an index has no image for the requested platform.
	ErrNoPlatform = errors.New("no image for the platform")
	// ErrNotLoggedIn: Logout found no credentials for the registry.
	ErrNotLoggedIn = errors.New("not logged in")
	// ErrTimeout: a server stopped answering: no headers, or a body that
	// stalled, within Options.Timeouts.
	ErrTimeout = errors.New("timed out")
	// ErrTooLarge: an answer was larger than mydocker reads (a manifest
	// over 4 MiB, a blob longer than its descriptor says).
	ErrTooLarge = errors.New("answer too large")
	// ErrUntrusted: a server's certificate did not verify for its name.
	ErrUntrusted = errors.New("certificate not trusted")
)

// wrapped is an error with a message of its own that still answers
// errors.Is for a sentinel and for its cause, so that the message can read
// naturally ("the registry at X is not reachable: dial tcp …") and callers
// can still branch.
type wrapped struct {
	msg             string
	sentinel, cause error
}

func (e *wrapped) Error() string   { return e.msg }
func (e *wrapped) Unwrap() []error { return []error{e.sentinel, e.cause} }

// wrapf makes a wrapped error; cause may be nil.
func wrapf(sentinel, cause error, format string, args ...any) error {
	return &wrapped{msg: fmt.Sprintf(format, args...), sentinel: sentinel, cause: cause}
}

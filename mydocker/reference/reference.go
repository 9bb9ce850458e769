// Package reference parses image references the way Docker does: `busybox`,
// `user/app:1.0`, `127.0.0.1:5000/x@sha256:…`. A reference names a registry,
// a repository in it, and a tag or a digest; what a user types leaves most of
// that out, and Docker's rules (from the distribution project's reference
// package) fill it in: no registry means Docker Hub, a single-name Hub
// repository lives under `library/`, and no tag means `latest`.
//
// `mydocker pull`, `run` and `push` call Parse on what the user typed, hand
// the Reference to the registry client (mydocker/image/remote), and show it
// back with Familiar, as `docker images` does.
package reference

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/mydocker/mydocker/mydocker/digest"
)

// Docker Hub's names. References name it docker.io; its API answers at
// registry-1.docker.io; index.docker.io is an old name users still type.
const (
	DefaultRegistry = "docker.io"
	DefaultTag      = "latest"
	hubAPIHost      = "registry-1.docker.io"
	hubLegacyName   = "index.docker.io"
	officialPrefix  = "library/"
)

// NameTotalLengthMax is the longest name (registry/repository) Docker accepts.
const NameTotalLengthMax = 255

// ErrInvalidFormat is wrapped by every parse error; the message after it
// says what is wrong, in Docker's words where Docker has them.
var ErrInvalidFormat = errors.New("invalid reference format")

// Reference is a fully qualified image reference. Tag is "latest" when the
// user gave neither a tag nor a digest; with a digest the tag may be empty.
type Reference struct {
	Registry   string // "docker.io", "127.0.0.1:5000", "localhost"
	Repository string // "library/busybox", "user/app"
	Tag        string // "latest"; may be empty if Digest is set
	Digest     digest.Digest
}

// The grammar, piece by piece, as distribution/reference writes it. The
// expressions are compiled on first use, not at package init, which every
// process pays, the container's init included.
var grammar = sync.OnceValue(func() struct{ pathComponent, domain, tag, hex64 *regexp.Regexp } {
	return struct{ pathComponent, domain, tag, hex64 *regexp.Regexp }{
		pathComponent: regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`),
		domain:        regexp.MustCompile(`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`),
		tag:           regexp.MustCompile(`^[\w][\w.-]{0,127}$`),
		hex64:         regexp.MustCompile(`^[a-f0-9]{64}$`),
	}
})

// Parse reads a reference as `docker pull` would, filling in Docker Hub,
// `library/` and `latest`.
func Parse(s string) (Reference, error) {
	r, err := ParseName(s)
	return r.WithDefaultTag(), err
}

// WithDefaultTag is r tagged DefaultTag if it has neither a tag nor a
// digest: the one place a name without a tag comes to mean "latest".
func (r Reference) WithDefaultTag() Reference {
	if r.Tag == "" && r.Digest == "" && r.Repository != "" {
		r.Tag = DefaultTag
	}
	return r
}

// ParseName is Parse without the default tag: Tag is empty when s names
// none, so that `pull` can say "Using default tag: latest" as Docker does.
func ParseName(s string) (Reference, error) {
	if s == "" {
		return Reference{}, fmt.Errorf("%w: repository name must have at least one component", ErrInvalidFormat)
	}
	// A bare image ID is not a name: Docker refuses it so that `docker pull
	// <id>` is never mistaken for a repository called like a hash.
	if grammar().hex64.MatchString(s) {
		return Reference{}, fmt.Errorf("%w: invalid repository name (%s), cannot specify 64-byte hexadecimal strings", ErrInvalidFormat, s)
	}
	var r Reference
	name := s
	if i := strings.IndexByte(name, '@'); i >= 0 {
		r.Digest = digest.Digest(name[i+1:])
		name = name[:i]
		if err := r.Digest.Validate(); err != nil {
			return Reference{}, fmt.Errorf("%w: digest %q: want sha256: and 64 lowercase hex digits", ErrInvalidFormat, string(r.Digest))
		}
	}
	// The tag is after the last colon, unless that colon is a registry's
	// port: then a slash follows it.
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i:], "/") {
		r.Tag = name[i+1:]
		name = name[:i]
		if !grammar().tag.MatchString(r.Tag) {
			return Reference{}, fmt.Errorf("%w: invalid tag %q", ErrInvalidFormat, r.Tag)
		}
	}
	if len(name) > NameTotalLengthMax {
		return Reference{}, fmt.Errorf("%w: repository name must not be more than %d characters", ErrInvalidFormat, NameTotalLengthMax)
	}
	r.Registry, r.Repository = splitRegistry(name)
	if r.Registry != DefaultRegistry && !grammar().domain.MatchString(r.Registry) {
		return Reference{}, fmt.Errorf("%w: invalid registry %q", ErrInvalidFormat, r.Registry)
	}
	if err := checkRepository(r.Repository); err != nil {
		return Reference{}, err
	}
	return r, nil
}

// splitRegistry applies Docker's rule: the first component names a registry
// iff it has a "." or a ":" or is "localhost" (or has capitals, which no
// repository may). Otherwise the image is on Docker Hub, where a single-name
// repository is an official image under library/.
func splitRegistry(name string) (registry, repo string) {
	first, rest, found := strings.Cut(name, "/")
	if !found || (!strings.ContainsAny(first, ".:") && first != "localhost" && strings.ToLower(first) == first) {
		registry, repo = DefaultRegistry, name
	} else {
		registry, repo = first, rest
	}
	if registry == hubLegacyName {
		registry = DefaultRegistry
	}
	if registry == DefaultRegistry && !strings.Contains(repo, "/") {
		repo = officialPrefix + repo
	}
	return registry, repo
}

func checkRepository(repo string) error {
	if strings.ToLower(repo) != repo {
		return fmt.Errorf("%w: repository name must be lowercase", ErrInvalidFormat)
	}
	for _, c := range strings.Split(repo, "/") {
		if c == "" {
			return fmt.Errorf("%w: empty component in repository name %q", ErrInvalidFormat, repo)
		}
		if !grammar().pathComponent.MatchString(c) {
			return fmt.Errorf("%w: invalid repository name component %q: use a-z, 0-9 and single separators . _ __ -", ErrInvalidFormat, c)
		}
	}
	return nil
}

// Name is the repository's full name, without tag or digest:
// "docker.io/library/busybox".
func (r Reference) Name() string { return r.Registry + "/" + r.Repository }

// String is the canonical form: "docker.io/library/busybox:latest".
func (r Reference) String() string { return r.Name() + r.suffix() }

// Familiar is the short form Docker shows: "busybox:latest", "user/app:1",
// "127.0.0.1:5000/x:tag".
func (r Reference) Familiar() string { return r.FamiliarName() + r.suffix() }

// FamiliarName is Name without the Docker Hub parts: "busybox".
func (r Reference) FamiliarName() string {
	if r.Registry != DefaultRegistry {
		return r.Name()
	}
	if rest, ok := strings.CutPrefix(r.Repository, officialPrefix); ok && !strings.Contains(rest, "/") {
		return rest
	}
	return r.Repository
}

func (r Reference) suffix() string {
	s := ""
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + string(r.Digest)
	}
	return s
}

// Identifier is what a registry's manifest URL ends with: the digest if
// there is one (it pins the content; a tag can move), else the tag.
func (r Reference) Identifier() string {
	if r.Digest != "" {
		return string(r.Digest)
	}
	return r.Tag
}

// RegistryHost is the host to send API calls to. Docker Hub is named
// docker.io in references but its API answers at registry-1.docker.io.
func (r Reference) RegistryHost() string {
	if r.Registry == DefaultRegistry {
		return hubAPIHost
	}
	return r.Registry
}

// FamiliarName is name as Docker prints it ("busybox:latest" for
// "docker.io/library/busybox:latest"), or name itself if it does not parse.
func FamiliarName(name string) string {
	if ref, err := Parse(name); err == nil {
		return ref.Familiar()
	}
	return name
}

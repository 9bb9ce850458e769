// Package volume is data that outlives the container (chapter 08). A volume
// is nothing but a directory the engine manages, <data-root>/volumes/<name>/_data,
// with a record beside it (volume.json). A container sees it because its
// init bind-mounts that directory inside the container's own mount
// namespace (rootfs/volumes_linux.go); the host never has it mounted.
//
// Named volumes are made by `mydocker volume create NAME` or on first use
// by `-v NAME:/path`; anonymous ones (a 64-hex-digit name) by `-v /path`
// and by an image's VOLUME, and are removed with their container by `rm -v`
// and `run --rm`. Whether a volume is in use is never counted here: it is
// read from the containers' records, so that it stays true after a kill -9.
// The engine (container/volumes.go) holds the data root's lock around that
// check and the removal.
//
// The "local" driver is the only one, as Docker's default: a plain
// directory, or with `-o type=tmpfs -o device=tmpfs -o o=size=64m` a tmpfs
// made fresh each time a container mounts it, or with `-o type=none -o
// o=bind -o device=/host/dir` a host directory.
package volume

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"
)

// DefaultDriver is the only driver: volumes are local directories.
const DefaultDriver = "local"

// AnonymousLabel marks a volume made for one container (`-v /path`, an
// image's VOLUME), as Docker 23 and later label them.
const AnonymousLabel = "com.docker.volume.anonymous"

// Sentinel errors, for callers that branch.
var (
	ErrNotFound = errors.New("no such volume")
	ErrInUse    = errors.New("volume is in use")
	ErrInvalid  = errors.New("invalid volume")
)

// invalidError is a refused name, option or mount spec: its message is
// Docker's, with no prefix, and errors.Is(err, ErrInvalid) holds.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// invalid formats an invalidError.
func invalid(format string, args ...any) error {
	return &invalidError{fmt.Sprintf(format, args...)}
}

// Volume is a volume's record, shaped like `docker volume inspect`.
type Volume struct {
	CreatedAt  time.Time         `json:"CreatedAt"`
	Driver     string            `json:"Driver"`
	Labels     map[string]string `json:"Labels"`
	Mountpoint string            `json:"Mountpoint"`
	Name       string            `json:"Name"`
	Options    map[string]string `json:"Options"`
	Scope      string            `json:"Scope"`
}

// Anonymous reports whether the volume was made for one container.
func (v *Volume) Anonymous() bool {
	_, ok := v.Labels[AnonymousLabel]
	return ok
}

// validName is Docker's rule for local volume names: at least two
// characters, so that "-v c:/x" is never read as a volume "c".
var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`) })

// CheckName rejects a name Docker's local driver would, with Docker's words.
func CheckName(name string) error {
	if len(name) == 1 && validName().MatchString(name+"a") {
		return invalid("create %s: volume name is too short, names should be at least two alphanumeric characters", name)
	}
	if !validName().MatchString(name) {
		return invalid("create %s: %q includes invalid characters for a local volume name, "+
			"only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
			name, name)
	}
	return nil
}

// NewAnonymousName is a fresh name for an anonymous volume: 32 random
// bytes in hex, like a container ID.
func NewAnonymousName() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// The layer store's limits: how much one layer, and one image's layers
// together, may unpack (archive/limits.go says why a layer needs them).
// They apply to every command that unpacks: pull, load, import, run, and
// commit's own new layer. The defaults let any real image through; the
// environment raises or lowers them, for one command or for all:
//
//	MYDOCKER_MAX_LAYER_SIZE=100g    bytes per layer (tar, written, holes)
//	MYDOCKER_MAX_LAYER_ENTRIES=2e6  entries per layer
//	MYDOCKER_MAX_IMAGE_SIZE=200g    bytes of tar of an image's new layers
//
// A value of -1 means no limit. Tests set Store.Limits directly.

package layer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/mydocker/mydocker/mydocker/archive"
)

// The environment variables that set the limits.
const (
	EnvMaxLayerSize    = "MYDOCKER_MAX_LAYER_SIZE"
	EnvMaxLayerEntries = "MYDOCKER_MAX_LAYER_ENTRIES"
	EnvMaxImageSize    = "MYDOCKER_MAX_IMAGE_SIZE"
)

// DefaultMaxImageSize bounds the layers one image unpacks, together: two
// of the largest layers (archive.DefaultMaxSize).
const DefaultMaxImageSize = 2 * archive.DefaultMaxSize

// Limits bound what an unpack may cost. Zero fields take the defaults;
// negative ones mean no limit.
type Limits struct {
	Layer archive.Limits
	// Image bounds the bytes of uncompressed tar of the layers one Unpack
	// unpacks (the layers already in the store cost nothing more).
	Image int64
}

// LimitsFromEnv reads the limits from the environment (getenv, usually
// os.Getenv); what it does not set keeps its default.
func LimitsFromEnv(getenv func(string) string) (Limits, error) {
	var l Limits
	for _, v := range []struct {
		env string
		dst *int64
	}{{EnvMaxLayerSize, &l.Layer.Size}, {EnvMaxLayerEntries, &l.Layer.Entries}, {EnvMaxImageSize, &l.Image}} {
		s := strings.TrimSpace(getenv(v.env))
		if s == "" {
			continue
		}
		n, err := parseSize(s)
		if err != nil || n == 0 {
			return Limits{}, fmt.Errorf("%s=%q: want a number, with a unit k, m, g or t for sizes (64g), or -1 for no limit", v.env, s)
		}
		*v.dst = n
	}
	return l, nil
}

// parseSize reads "64g", "1.5t", "1000000", "2e6" or "-1"; units are binary.
func parseSize(s string) (int64, error) {
	if s == "-1" {
		return -1, nil
	}
	mult := float64(1)
	if i := strings.IndexAny(strings.ToLower(s), "kmgt"); i > 0 {
		mult = map[byte]float64{'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40}[strings.ToLower(s)[i]]
		if rest := strings.ToLower(s[i+1:]); rest != "" && rest != "b" && rest != "ib" {
			return 0, errors.New("bad unit")
		}
		s = s[:i]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f*mult > 1<<62 {
		return 0, errors.New("bad number")
	}
	return int64(f * mult), nil
}

// explain adds to a limit error how to raise the limit.
func explain(err error) error {
	var le *archive.LimitError
	if !errors.As(err, &le) {
		return err
	}
	env := EnvMaxLayerSize
	switch {
	case le.Image:
		env = EnvMaxImageSize
	case le.Entries:
		env = EnvMaxLayerEntries
	}
	return fmt.Errorf("%w (raise it with %s=...)", err, env)
}

// imageBudget counts the tar bytes of an image's layers as they unpack,
// in parallel, against Limits.Image.
type imageBudget struct {
	n   atomic.Int64
	max int64
}

// reader counts r's bytes against the budget.
func (b *imageBudget) reader(r io.Reader) io.Reader {
	if b == nil || b.max < 0 {
		return r
	}
	return &imageReader{r: r, b: b}
}

type imageReader struct {
	r io.Reader
	b *imageBudget
}

func (r *imageReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if r.b.n.Add(int64(n)) > r.b.max {
		return 0, &archive.LimitError{What: "of uncompressed tar", Limit: r.b.max, Image: true}
	}
	return n, err
}

// LimitReader bounds a layer's tar that is not unpacked as it is read
// (import and commit compress it first): past the store's limit on a
// layer's size, r fails with the limit error.
func (s *Store) LimitReader(r io.Reader) io.Reader {
	max := s.Limits.Layer.Size
	if max == 0 {
		max = archive.DefaultMaxSize
	}
	if max < 0 {
		return r
	}
	return &sizeReader{r: r, left: max, max: max}
}

type sizeReader struct {
	r    io.Reader
	left int64
	max  int64
}

func (r *sizeReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if r.left -= int64(n); r.left < 0 {
		return 0, explain(&archive.LimitError{What: "of uncompressed tar", Limit: r.max})
	}
	return n, err
}

// limitsFromEnv is what Open gives a store.
func limitsFromEnv() (Limits, error) { return LimitsFromEnv(os.Getenv) }

// Digests name content by its hash: "sha256:" and 64 hex digits. A layer
// has two: its Digest over the compressed blob (what registries store) and
// its DiffID over the uncompressed tar (what the config lists). A stack of
// layers has a ChainID, which names the filesystem the stack produces.

package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strings"
	"sync"
)

// Digest is an algorithm-prefixed hash, "sha256:<hex>".
type Digest string

// ErrDigestMismatch is returned when content does not hash to its name.
var ErrDigestMismatch = errors.New("digest mismatch")

// Compiled on first use: every process pays package init, the container's
// init included, and most never parse a digest.
var digestRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sha256:[a-f0-9]{64}$`) })

// Validate checks d's form. Only sha256 is supported, as in Docker.
func (d Digest) Validate() error {
	if !digestRE().MatchString(string(d)) {
		return fmt.Errorf("invalid digest %q: want sha256: and 64 hex digits", string(d))
	}
	return nil
}

// Hex is the digest without its algorithm.
func (d Digest) Hex() string {
	_, h, _ := strings.Cut(string(d), ":")
	return h
}

// Short is the 12-digit form Docker shows as an image ID.
func (d Digest) Short() string {
	h := d.Hex()
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func (d Digest) String() string { return string(d) }

// FromBytes digests b.
func FromBytes(b []byte) Digest {
	sum := sha256.Sum256(b)
	return Digest("sha256:" + hex.EncodeToString(sum[:]))
}

// FromReader digests everything r yields, and counts it.
func FromReader(r io.Reader) (Digest, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", n, err
	}
	return Digest("sha256:" + hex.EncodeToString(h.Sum(nil))), n, nil
}

// ChainID names the filesystem a stack of layers produces: for one layer
// its DiffID, then sha256(ChainID(below) + " " + DiffID(this)).
func ChainID(diffIDs []Digest) Digest {
	if len(diffIDs) == 0 {
		return ""
	}
	id := diffIDs[0]
	for _, d := range diffIDs[1:] {
		id = FromBytes([]byte(string(id) + " " + string(d)))
	}
	return id
}

// VerifyReader passes r through and, at its end, checks that what passed
// hashes to want (and, if size >= 0, has that size). A mismatch is returned
// instead of io.EOF, so no reader can mistake bad content for good.
func VerifyReader(r io.ReadCloser, want Digest, size int64) io.ReadCloser {
	return &verifier{r: r, want: want, size: size, h: sha256.New()}
}

type verifier struct {
	r    io.ReadCloser
	want Digest
	size int64
	n    int64
	h    hash.Hash
	err  error
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.size >= 0 && v.n > v.size {
		v.err = fmt.Errorf("%w: %s is longer than its %d bytes", ErrDigestMismatch, v.want, v.size)
		return n, v.err
	}
	if err == io.EOF {
		got := Digest("sha256:" + hex.EncodeToString(v.h.Sum(nil)))
		switch {
		case v.size >= 0 && v.n != v.size:
			v.err = fmt.Errorf("%w: %s: got %d bytes, want %d (truncated?)", ErrDigestMismatch, v.want, v.n, v.size)
		case got != v.want:
			v.err = fmt.Errorf("%w: content named %s hashes to %s", ErrDigestMismatch, v.want, got)
		default:
			v.err = io.EOF
		}
		return n, v.err
	}
	return n, err
}

func (v *verifier) Close() error { return v.r.Close() }

// A Digester hashes what is written to it, for digests computed on the way
// (tee a stream into it).
type Digester struct{ h hash.Hash }

// NewDigester starts a sha256 digest.
func NewDigester() *Digester { return &Digester{h: sha256.New()} }

func (d *Digester) Write(p []byte) (int, error) { return d.h.Write(p) }

// Digest is the digest of everything written so far.
func (d *Digester) Digest() Digest { return Digest("sha256:" + hex.EncodeToString(d.h.Sum(nil))) }

// The digest names images and layers use, re-exported from package digest
// (a leaf, so that reference and the stores need not import image for them).

package image

import "github.com/mydocker/mydocker/mydocker/digest"

// Digest is digest.Digest: "sha256:" and 64 hex digits.
type Digest = digest.Digest

// Digester is digest.Digester.
type Digester = digest.Digester

// ErrDigestMismatch is digest.ErrDigestMismatch.
var ErrDigestMismatch = digest.ErrDigestMismatch

// The constructors of package digest, under their old names.
var (
	FromBytes    = digest.FromBytes
	FromReader   = digest.FromReader
	ChainID      = digest.ChainID
	VerifyReader = digest.VerifyReader
	NewDigester  = digest.NewDigester
)

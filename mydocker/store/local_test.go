package store

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// The store is a medium like the others: what it gives back passes the
// conformance checker, byte for byte the image put in.
func TestStoreIsAMedium(t *testing.T) {
	testenv.RequireRoot(t, "unpacking sets owners and makes devices")
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	img := imagetest.Image(t, "local", 3)
	require.NoError(t, s.Put("example.com/app:1", img))
	got, rec, err := s.Get("example.com/app:1")
	require.NoError(t, err)
	imagetest.Check(t, got)
	imagetest.Equal(t, img, got)
	if rec.Ref != "example.com/app:1" {
		t.Errorf("record ref = %q", rec.Ref)
	}

	// By ID prefix and by digest, too.
	id, _ := img.ConfigName()
	d, _ := img.Digest()
	for _, name := range []string{id.Hex()[:12], string(d), "example.com/app@" + string(d)} {
		if _, r, err := s.Get(name); err != nil || r.Digest != d {
			t.Errorf("Get(%q) = %v, %v; want the image", name, r.Digest, err)
		}
	}

	// A tag is a second name; untagging one leaves the other.
	require.NoError(t, s.Tag("example.com/app:1", "other:2"))
	require.NoError(t, s.Untag("example.com/app:1"))
	if _, _, err := s.Get("other:2"); err != nil {
		t.Errorf("the image lost its other name: %v", err)
	}
	if _, _, err := s.Get("example.com/app:1"); err == nil {
		t.Errorf("an untagged name still answers")
	}

	// Unpacked, and collected once nothing names it.
	chains, err := s.Unpack(img, nil)
	require.NoError(t, err)
	require.Len(t, chains, 3)
	require.NoError(t, s.RemoveID(d))
	removed, err := s.GC(map[digest.Digest]bool{chains[0]: true}) // a container still stacks the base
	require.NoError(t, err)
	if len(removed) != 2 || !s.Layers().Has(chains[0]) {
		t.Errorf("GC removed %v; want the two upper layers, and the base a container uses kept", removed)
	}
}

package lab07

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/netlink/netlinktest"
)

func TestVeth(t *testing.T) {
	netlinktest.CheckVeth(t, func(name, peer string, ns int) []byte {
		b, err := impl(name, peer, ns)
		if err != nil {
			t.Fatalf("VethMessage: %v", err)
		}
		return b
	})
}

package network

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStateAfterACrash: a write that changes only endpoints is not synced,
// so a power cut may leave state.json damaged; the networks then come back
// from their durable copy, with no endpoints (no container survived).
func TestStateAfterACrash(t *testing.T) {
	root := t.TempDir()
	s, err := OpenStore(root)
	require.NoError(t, err)
	require.NoError(t, s.Update(func(st *State) error {
		st.Networks = append(st.Networks, &Network{ID: "n1", Name: "red", Subnet: "10.9.0.0/24"})
		return nil
	}))
	require.NoError(t, s.Update(func(st *State) error {
		st.Endpoints["c1"] = &Endpoint{Container: "c1", Network: "n1", IP: "10.9.0.2"}
		return nil
	}))
	require.NoError(t, os.WriteFile(filepath.Join(root, "network", "state.json"), []byte{0, 0, 0}, 0o600))
	var nets, eps int
	require.NoError(t, s.Read(func(st *State) error { nets, eps = len(st.Networks), len(st.Endpoints); return nil }))
	if nets != 1 || eps != 0 {
		t.Errorf("after a damaged state.json: %d networks, %d endpoints; want red alone", nets, eps)
	}
}

// TestAddress: run --ip and network connect --ip share one check, and a
// network whose subnet came from the pool takes no --ip (Docker's rule).
func TestAddress(t *testing.T) {
	st := &State{Networks: []*Network{
		{ID: "n1", Name: "red", Subnet: "10.9.0.0/24", Gateway: "10.9.0.1"},
		{ID: "n2", Name: "blue", Subnet: "10.8.0.0/24", Gateway: "10.8.0.1", Pool: true},
	}, Endpoints: map[string]*Endpoint{"c1": {Container: "c1", Network: "n1", IP: "10.9.0.2"}}}
	for _, c := range []struct {
		net, want, got string
		is             error
	}{
		{"red", "", "10.9.0.3", nil},
		{"red", "10.9.0.9", "10.9.0.9", nil},
		{"red", "10.9.0.2", "", ErrAddressInUse},
		{"red", "10.7.0.2", "", ErrBadAddress},
		{"blue", "", "10.8.0.2", nil},
		{"blue", "10.8.0.9", "", ErrNoUserSubnet},
	} {
		n, err := st.Find(c.net)
		require.NoError(t, err)
		ip, err := address(st, n, c.want)
		if c.is != nil && !errors.Is(err, c.is) || c.is == nil && (err != nil || ip.String() != c.got) {
			t.Errorf("address(%s, %q) = %v, %v; want %s, %v", c.net, c.want, ip, err, c.got, c.is)
		}
	}
}

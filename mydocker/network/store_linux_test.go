package network

import (
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

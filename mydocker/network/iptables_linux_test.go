package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Docker's daemon runs iptables from its own PATH, never the client's: an
// `iptables-save` or `iptables-restore` first in the caller's PATH (or a
// monitor's, inherited from the `run` that started it) must not be what
// mydocker runs as root.
func TestIptablesIgnoresCallersPath(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	for _, name := range []string{"iptables-save", "iptables-restore"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755))
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	saveRules()
	iptablesRestore("") // an empty input changes nothing
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("iptables-save or -restore ran the caller's copy in %s", dir)
	}
	cmd, err := iptablesCmd(iptablesBin+"-save", "--version")
	if err == ErrNoIptables {
		return // no iptables on this host: nothing else to look at
	}
	require.NoError(t, err)
	if !strings.HasPrefix(cmd.Path, "/") || strings.HasPrefix(cmd.Path, dir) {
		t.Errorf("iptablesCmd().Path = %q, want one of %s", cmd.Path, safePath)
	}
	if strings.Join(cmd.Env, " ") != "PATH="+safePath {
		t.Errorf("iptablesCmd().Env = %q, want only PATH=%s", cmd.Env, safePath)
	}
}

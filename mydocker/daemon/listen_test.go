package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The socket is 0660 from birth, whatever the caller's umask; a file that
// is not a socket is never removed to make room for it; and a stale socket
// (its daemon gone) is replaced.
func TestListen(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("Listen sets the socket's owner: needs root")
	}
	dir := t.TempDir()
	old := unix.Umask(0)
	defer unix.Umask(old)

	path := filepath.Join(dir, "d.sock")
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o660 {
		t.Errorf("socket mode %o with umask 0, want 660", perm)
	}
	if _, err := Listen(path); err == nil || !strings.Contains(err.Error(), "already listening") {
		t.Errorf("second Listen on a live socket: %v, want 'already listening'", err)
	}
	// Closing a listener made by Listen unlinks the socket; a stale one
	// (a daemon killed with -9) is made here by hand.
	l.(interface{ SetUnlinkOnClose(bool) }).SetUnlinkOnClose(false)
	l.Close()
	if l, err = Listen(path); err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	l.Close()

	file := filepath.Join(dir, "precious")
	if err := os.WriteFile(file, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(file); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("Listen on a regular file: %v, want 'not a socket'", err)
	}
	if data, _ := os.ReadFile(file); string(data) != "keep" {
		t.Errorf("the regular file was removed or changed")
	}
}

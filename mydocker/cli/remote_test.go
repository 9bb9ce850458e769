package cli

import "testing"

// The daemon speaks Docker's words, which docker's client reads; the
// command line as its client prints daemonless mydocker's.
func TestDaemonlessWords(t *testing.T) {
	for _, tt := range []struct{ daemon, want string }{
		{"No such container: web", "no such container: web"},
		{`Conflict. The container name "/web" is already in use by container "0123abcd". You have to remove (or rename) that container to be able to reuse that name.`,
			"container name \"web\" is already in use: remove it with `mydocker rm web` or choose another --name"},
		{"No such image: busybox:latest", "No such image: busybox:latest"},
	} {
		if got := daemonlessWords(tt.daemon); got != tt.want {
			t.Errorf("daemonlessWords(%q) = %q, want %q", tt.daemon, got, tt.want)
		}
	}
}

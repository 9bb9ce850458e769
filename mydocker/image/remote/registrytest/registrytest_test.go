package registrytest

import (
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// TestStart: each mode answers the ping as it should, and Stop leaves no
// process behind.
func TestStart(t *testing.T) {
	tests := []struct {
		auth      Auth
		status    int
		challenge string
	}{
		{None, http.StatusOK, ""},
		{Token, http.StatusUnauthorized, `Bearer realm="http://127.0.0.1:`},
		{Htpasswd, http.StatusUnauthorized, `Basic realm="registrytest"`},
	}
	for _, tt := range tests {
		r := Start(t, Options{Auth: tt.auth})
		resp, err := http.Get("http://" + r.Addr + "/v2/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("WWW-Authenticate")
		if resp.StatusCode != tt.status || !strings.HasPrefix(got, tt.challenge) {
			t.Errorf("mode %d: GET /v2/ = %d %q, want %d %q…", tt.auth, resp.StatusCode, got, tt.status, tt.challenge)
		}
		pid := r.cmd.Process.Pid
		r.Stop()
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("mode %d: after Stop, kill(%d, 0) = %v, want ESRCH: the registry is still there", tt.auth, pid, err)
		}
	}
}

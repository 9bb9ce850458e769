package cli

import (
	"strings"
	"testing"
)

// Which -H addresses the daemon serves, and plain TCP only when asked for.
func TestCheckHost(t *testing.T) {
	tests := []struct {
		host              string
		tlsOn, plainAsked bool
		wantErr           string // "" for accepted
	}{
		{host: "unix:///run/mydocker.sock"},
		{host: "fd://"},
		{host: "tcp://127.0.0.1:2376", tlsOn: true},
		{host: "tcp://127.0.0.1:2375", plainAsked: true},
		{host: "tcp://127.0.0.1:2375", wantErr: "--tls=false"},
		{host: "tcp://0.0.0.0:2375", wantErr: "--tlsverify"},
		{host: "unix://", wantErr: "only unix://PATH"},
		{host: "tcp://", tlsOn: true, wantErr: "only unix://PATH"},
		{host: "ssh://host", wantErr: "only unix://PATH"},
		{host: "tcp://127.0.0.1", tlsOn: true, wantErr: "HOST:PORT"},
	}
	for _, tt := range tests {
		err := checkHost(tt.host, tt.tlsOn, tt.plainAsked)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("checkHost(%q, tls=%v, plain=%v) = %v, want %q", tt.host, tt.tlsOn, tt.plainAsked, err, tt.wantErr)
		}
	}
}

// Changed tells --tls=false given from no --tls at all.
func TestFlagSetChanged(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		changed bool
	}{
		{nil, false},
		{[]string{"--tls=false"}, true},
		{[]string{"--tls"}, true},
		{[]string{"-p", "x"}, false},
	} {
		var on bool
		var p string
		fs := NewFlagSet("daemon")
		fs.Bool(&on, "tls", "", "")
		fs.String(&p, "pidfile", "p", "path", "")
		if _, err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if got := fs.Changed("tls"); got != tt.changed {
			t.Errorf("Parse(%q); Changed(\"tls\") = %v, want %v", tt.args, got, tt.changed)
		}
	}
}

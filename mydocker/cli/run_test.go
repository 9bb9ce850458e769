package cli

import "testing"

func TestParseSecurityOpts(t *testing.T) {
	for _, tt := range []struct {
		opts []string
		nnp  bool
		ok   bool
	}{
		{nil, false, true},
		{[]string{"no-new-privileges"}, true, true},
		{[]string{"no-new-privileges:true"}, true, true},
		{[]string{"no-new-privileges=true"}, true, true},
		{[]string{"no-new-privileges:false"}, false, true},
		{[]string{"no-new-privileges", "no-new-privileges=false"}, false, true},
		{[]string{"no-new-privileges:maybe"}, false, false},
		{[]string{"seccomp=unconfined"}, false, false},
		{[]string{"apparmor:unconfined"}, false, false},
	} {
		nnp, err := parseSecurityOpts(tt.opts)
		if nnp != tt.nnp || (err == nil) != tt.ok {
			t.Errorf("parseSecurityOpts(%q) = %v, %v; want %v, ok=%v", tt.opts, nnp, err, tt.nnp, tt.ok)
		}
	}
}

package daemon

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// What mydocker's commit does not do is refused with 400 before any
// container is looked at; a name it can make passes.
func TestCommitName(t *testing.T) {
	for _, c := range []struct {
		query, body, want string
		status            int
	}{
		{"container=box&repo=snap&tag=1", "", "snap:1", 0},
		{"container=box&repo=snap", "null", "snap", 0},
		{"container=box", `{"Cmd": null, "Env": []}`, "", 0},
		{"repo=snap", "", "container is required", 400},
		{"container=box&author=me", "", "--author is not supported", 400},
		{"container=box&changes=CMD+sh", "", "--change is not supported", 400},
		{"container=box", `{"Cmd": ["sh"]}`, "a config in the body (Cmd)", 400},
		{"container=box&tag=1", "", "needs a repository", 400},
		{"container=box&repo=Bad", "", "invalid reference format", 400},
		{"container=box&repo=snap@sha256:" + strings.Repeat("a", 64), "", "not a digest", 400},
		{"container=box", "[1", "", 400},
	} {
		r := httptest.NewRequest("POST", "/commit?"+c.query, strings.NewReader(c.body))
		name, err := commitName(r)
		switch {
		case c.status == 0 && (err != nil || name != c.want):
			t.Errorf("%s %s: %q, %v; want %q", c.query, c.body, name, err, c.want)
		case c.status != 0 && (err == nil || status(err) != c.status || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s %s: %v; want %d saying %q", c.query, c.body, err, c.status, c.want)
		}
	}
}

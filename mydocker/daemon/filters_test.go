package daemon

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func Example_parseFilters() {
	// The docker client's spelling, and older clients'.
	for _, q := range []string{`{"label":{"team=db":true,"tier":true},"dangling":{"true":true}}`, `{"name":["web"]}`} {
		f, err := parseFilters(q)
		fmt.Println(f.matchLabels(map[string]string{"team": "db", "tier": "1"}), f.matchSubstring("name", "my-web-1"), err)
	}
	// Output:
	// true true <nil>
	// true true <nil>
}

func TestParseFiltersRefuses(t *testing.T) {
	for _, q := range []string{`{`, `["name"]`, `{"name":"web"}`} {
		if _, err := parseFilters(q); status(err) != http.StatusBadRequest {
			t.Errorf("parseFilters(%q) = %v, want a 400", q, err)
		}
	}
	f, _ := parseFilters(`{"nonsense":{"1":true}}`)
	if err := f.check("name"); err == nil || err.Error() != "invalid filter 'nonsense'" {
		t.Errorf("check of an unknown key = %v, want Docker's invalid filter 'nonsense'", err)
	}
	f, _ = parseFilters(`{"dangling":{"maybe":true}}`)
	if _, _, err := f.boolFilter("dangling"); status(err) != http.StatusBadRequest {
		t.Errorf("boolFilter(dangling=maybe) = %v, want a 400", err)
	}
}

func TestEventTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"1700000000", time.Unix(1700000000, 0)},
		{"1700000000.5", time.Unix(1700000000, 500000000)},
		{"1700000000.000000001", time.Unix(1700000000, 1)},
	} {
		if got, err := eventTime(tc.in); err != nil || !got.Equal(tc.want) {
			t.Errorf("eventTime(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"10m", "x.1", "1.x"} {
		if _, err := eventTime(bad); status(err) != http.StatusBadRequest {
			t.Errorf("eventTime(%q) = %v, want a 400", bad, err)
		}
	}
}

func TestRegistryAuth(t *testing.T) {
	enc := func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct{ header, user, password string }{
		{"", "", ""},
		{enc("{}"), "", ""},
		{enc(`{"username":"bob","password":"s3cret","serveraddress":"127.0.0.1:5000"}`), "bob", "s3cret"},
		{enc(`{"auth":"` + base64.StdEncoding.EncodeToString([]byte("ann:pw:with:colons")) + `"}`), "ann", "pw:with:colons"},
	} {
		c, err := registryAuth(tc.header)
		if err != nil || c.Username != tc.user || c.Password != tc.password {
			t.Errorf("registryAuth(%q) = %+v, %v, want %s/%s", tc.header, c, err, tc.user, tc.password)
		}
	}
	if _, err := registryAuth("!!not base64!!"); status(err) != http.StatusBadRequest {
		t.Errorf("registryAuth of garbage = %v, want a 400", err)
	}
}

// The event bus: a subscriber sees what is published after it subscribed,
// filtered; the replay keeps the last keptEvents.
func TestEventBus(t *testing.T) {
	s := &Server{events: newEventBus()}
	for i := 0; i < keptEvents+10; i++ {
		s.event("volume", "create", fmt.Sprint("v", i), nil)
	}
	past, next, cancel := s.events.subscribe()
	defer cancel()
	if len(past) != keptEvents || past[0].Actor.ID != "v10" {
		t.Errorf("kept %d events from %s, want %d from v10", len(past), past[0].Actor.ID, keptEvents)
	}
	s.event("image", "tag", "busybox:1", map[string]string{"name": "busybox:1"})
	m := <-next
	f, _ := parseFilters(`{"type":{"image":true},"image":{"busybox:1":true}}`)
	if m.Status != "tag" || m.ID != "busybox:1" || !eventMatches(f, m) {
		t.Errorf("image event %+v: want the legacy status and id, and a match for type=image image=busybox:1", m)
	}
	f, _ = parseFilters(`{"type":{"container":true}}`)
	if eventMatches(f, m) {
		t.Errorf("an image event matched type=container")
	}
}

// Image names hold slashes and ports: the action is the last segment.
func TestImagePath(t *testing.T) {
	s := New(t.TempDir())
	for _, tc := range []struct{ path, want string }{
		{"/images/127.0.0.1:5000/app/web:1/json", "404 No such image: 127.0.0.1:5000/app/web:1"},
		{"/images/busybox/history", "404 No such image: busybox"},
		{"/images/busybox/nonsense", "404 page not found"},
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/v1.41"+tc.path, nil))
		if got := fmt.Sprint(rec.Code, " ", strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(rec.Body.String(), `{"message":"`), "\"}\n"))); got != tc.want {
			t.Errorf("GET %s = %s, want %s", tc.path, got, tc.want)
		}
	}
}

package daemon

import (
	"reflect"
	"strings"
	"testing"
)

// A bare KEY in a client's Env must not become the daemon's own value.
func TestClientEnv(t *testing.T) {
	t.Setenv("MYDOCKER_DAEMON_SECRET", "s3cret")
	got := clientEnv([]string{"A=1", "MYDOCKER_DAEMON_SECRET", "B=", "PATH"})
	if want := []string{"A=1", "B="}; !reflect.DeepEqual(got, want) {
		t.Errorf("clientEnv = %q, want %q", got, want)
	}
}

func TestPublishSpecs(t *testing.T) {
	got, err := publishSpecs(map[string][]portBinding{
		"80/tcp":  {{HostPort: "8080"}, {HostIP: "127.0.0.1", HostPort: "8081"}},
		"53/udp":  {{}},
		"443/tcp": nil,
	})
	want := []string{"127.0.0.1:8081:80/tcp", "443/tcp", "53/udp", "8080:80/tcp"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("publishSpecs = %q, %v, want %q", got, err, want)
	}
}

func TestValidHostname(t *testing.T) {
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"box", true}, {"web-1.example.com", true}, {"4chan", true}, {strings.Repeat("a", 63), true},
		{"a\nb", false}, {"a b", false}, {"-a", false}, {"a-", false}, {"a..b", false}, {".", false},
		{strings.Repeat("a", 64), false}, {strings.Repeat("a.", 32) + "a", false}, {"bäd", false},
	} {
		if got := validHostname(tt.name); got != tt.want {
			t.Errorf("validHostname(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The command line's images go through when asked for: "host" and a root
// filesystem's absolute path need no store; a relative path is the
// daemon's working directory, not the client's, and is refused. Not
// asked for (a docker client), they are no image names.
func TestCheckImageLocal(t *testing.T) {
	s := &Server{DataRoot: t.TempDir()}
	for _, tt := range []struct {
		name   string
		local  bool
		status int // 0: accepted
	}{
		{"host", true, 0}, {"/srv/rootfs", true, 0}, {"/srv/rootfs.tar", true, 0},
		{"./rootfs", true, 400}, {"rootfs.tar", true, 400}, {"", true, 400}, {"busybox", true, 404},
		{"host", false, 400}, {"/etc", false, 400}, {"busybox", false, 404},
	} {
		err := s.checkImage(tt.name, tt.local)
		got := 0
		if err != nil {
			got = status(err)
		}
		if got != tt.status {
			t.Errorf("checkImage(%q, %v) = %v (status %d), want status %d", tt.name, tt.local, err, got, tt.status)
		}
	}
}

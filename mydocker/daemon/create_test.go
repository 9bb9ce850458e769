package daemon

import (
	"reflect"
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

// Bad requests to the images, networks, volumes and system endpoints:
// Docker's status and one message each, nothing half-made (no network, no
// volume, no image), and the daemon keeps serving. A network is asked for
// only inside the namespace playing the host.
package chapter09

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestBadRequestsImagesNetworksVolumes(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.NetHost("")
	d := e.StartDaemon()
	for _, tt := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/networks/create", `{"Name": "x", "IPAM": {"Config": [`, 400, "invalid JSON"},
		{"POST", "/networks/create", `{"Name": 7}`, 400, "must be"},
		{"POST", "/networks/create", `{}`, 400, "a name is required"},
		{"POST", "/networks/create", `{"Name": "bridge"}`, 409, "already exists"},
		{"POST", "/networks/create", `{"Name": "x", "IPAM": {"Config": [{"Subnet": "10.237.0.0/24", "Gateway": "10.238.0.1"}]}}`, 400, "gateway"},
		{"POST", "/networks/create", `{"Name": "x", "Options": {"mtu": "9000"}}`, 400, `"mtu" is not supported`},
		{"POST", "/networks/create", `{"Name": "x"` + strings.Repeat(" ", 2<<20) + `}`, 400, "larger than"},
		{"POST", "/networks/nope/connect", `{"Container": "box"}`, 404, "network nope not found"},
		{"POST", "/networks/bridge/connect", `{}`, 400, "no container given"},
		{"DELETE", "/networks/host", ``, 403, "pre-defined"},
		{"GET", "/networks?filters=%7B%22color%22%3A%5B%22red%22%5D%7D", ``, 400, "invalid filter 'color'"},
		{"POST", "/volumes/create", `{"Name": ["a"]}`, 400, "must be"},
		{"POST", "/volumes/create", `{"Name": "xy", "DriverOpts": {"type": "nfs"}}`, 400, "nfs"},
		{"POST", "/volumes/create", `{"Name": "../etc"}`, 400, "../etc"},
		{"GET", "/volumes/nope", ``, 404, "no such volume"},
		{"GET", "/volumes?filters=%7B%22dangling%22%3A%5B%22maybe%22%5D%7D", ``, 400, "want true or false"},
		{"POST", "/images/create", ``, 400, "fromImage"},
		{"POST", "/images/create?fromImage=Bad/Name", ``, 400, "invalid reference format"},
		{"POST", "/images/busybox/tag?repo=Bad/Name", ``, 400, "invalid reference format"},
		{"POST", "/images/127.0.0.1:9/nope/push?tag=1", ``, 404, "No such image: 127.0.0.1:9/nope:1"},
		{"GET", "/images/get?names=nope", ``, 404, "No such image: nope"},
		{"GET", "/images/get", ``, 400, "at least one image"},
		{"POST", "/images/load", `not a tarball`, 400, ""},
		{"GET", "/images/busybox/nonsense", ``, 404, "page not found"},
		{"GET", "/events?since=yesterday", ``, 400, "invalid timestamp"},
	} {
		status, body := apiRequest(t, d, tt.method, tt.path, strings.NewReader(tt.body))
		var msg struct{ Message string }
		json.Unmarshal([]byte(body), &msg)
		if status != tt.status || !strings.Contains(msg.Message, tt.want) {
			t.Errorf("%s %s %.60q: %d %s\nwant %d and a message with %q", tt.method, tt.path, tt.body, status, body, tt.status, tt.want)
		}
	}
	// A client that goes away in the middle of an upload: the daemon is
	// still there, and nothing was loaded.
	c, err := net.Dial("unix", d.Socket)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nContent-Length: 100000000\r\n\r\n"))
	c.Write(make([]byte, 1<<20))
	time.Sleep(100 * time.Millisecond)
	c.Close()
	// Nothing half-made.
	if out := d.MustDocker("network", "ls", "-q", "--filter", "type=custom"); out != "" {
		t.Errorf("networks after the bad requests: %q", out)
	}
	if out := d.MustDocker("volume", "ls", "-q"); out != "" {
		t.Errorf("volumes after the bad requests: %q", out)
	}
	if out := d.MustDocker("images", "--format", "{{.Repository}}"); out != "busybox\n" {
		t.Errorf("images after the bad requests: %q, want busybox alone", out)
	}
}

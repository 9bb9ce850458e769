// The other real clients: docker-compose (Debian's 1.29, in Python) brings
// up a project of two services, and the Docker SDK for Python (Debian's
// python3-docker) runs a container and reads its logs, both through
// nothing but the Engine API.
package chapter09

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// composeFile: a web server with a published port and a named volume, and
// a client that reaches it by its service name over the project's network
// (the embedded DNS of chapter 07), then prints what it got.
const composeFile = `version: "3.8"
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo hello from web > /srv/index.html && exec httpd -f -p 80 -h /srv"]
    ports:
      - "8089:80"
    volumes:
      - site:/srv
  client:
    image: busybox
    command: ["sh", "-c", "until wget -q -O- http://web/; do sleep 0.2; done; exec sleep 1000"]
    depends_on:
      - web
volumes:
  site:
`

func TestCompose(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	h := e.NetHost("nameserver 192.0.2.53\n")
	d := e.StartDaemon()
	compose := testenv.Program(t, "docker-compose", "docker-compose")
	dir := filepath.Join(t.TempDir(), "demo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(composeFile), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := d.Command(compose, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	defer func() {
		cmd := d.Command(compose, "down", "-v", "-t", "1")
		cmd.Dir = dir
		cmd.Run()
	}()

	run("up", "-d")
	// The client reached the server by name.
	eventually(t, "the client's log shows the page it fetched from web", func() bool {
		return strings.Contains(run("logs", "client"), "hello from web")
	})
	// The published port answers on the host.
	var page string
	eventually(t, "the published port 8089 answers on the host", func() bool {
		page, _ = h.Sh("wget -q -O- http://127.0.0.1:8089/")
		return strings.Contains(page, "hello from web")
	})
	out := run("ps")
	contains(t, "docker-compose ps", out, "demo_web_1", "demo_client_1", "Up", "0.0.0.0:8089->80/tcp")
	if out := d.MustDocker("volume", "ls", "-q"); out != "demo_site\n" {
		t.Errorf("docker volume ls -q after up = %q, want the project's demo_site", out)
	}
	if out := d.MustDocker("network", "ls", "-q", "--filter", "type=custom", "--format", "{{.Name}}"); out != "demo_default\n" {
		t.Errorf("custom networks after up = %q, want demo_default", out)
	}

	run("down", "-v", "-t", "1")
	for _, args := range [][]string{{"ps", "-a", "-q"}, {"volume", "ls", "-q"}, {"network", "ls", "-q", "--filter", "type=custom"}} {
		if out := d.MustDocker(args...); out != "" {
			t.Errorf("docker %s after docker-compose down -v = %q, want nothing left", strings.Join(args, " "), out)
		}
	}
}

// pythonSDK runs a detached container, waits for it, reads its logs and
// removes it, as a script using the SDK would.
const pythonSDK = `
import docker
client = docker.from_env()
c = client.containers.run("busybox", ["sh", "-c", "echo out; echo err >&2; exit 3"], detach=True, name="sdk")
result = c.wait()
print("exit", result["StatusCode"])
print("logs", sorted(c.logs(stdout=True, stderr=True).decode().split()))  # two pipes: either may come first
print("stdout", c.logs(stdout=True, stderr=False).decode().split())
c.remove()
print("images", sorted(t for i in client.images.list() for t in i.tags))
print("version", client.version()["ApiVersion"])
v = client.volumes.create("sdkvol", labels={"by": "sdk"})
print("volume", v.name, [x.name for x in client.volumes.list(filters={"label": "by=sdk"})])
v.remove()
print("networks", sorted(n.name for n in client.networks.list()))
print("info", client.info()["Driver"])
`

func TestPythonSDK(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	// Debian's python3, with Debian's python3-docker; not another python3
	// that may be first on the PATH.
	python := "/usr/bin/python3"
	ok := exec.Command(python, "-c", "import docker").Run() == nil
	harness.Require(t, ok, "the Docker SDK for Python is needed: apt-get install python3-docker (scripts/provision.sh installs it)")
	cmd := d.Command(python, "-c", pythonSDK)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 with the Docker SDK: %v\n%s", err, out)
	}
	want := "exit 3\nlogs ['err', 'out']\nstdout ['out']\nimages ['busybox:latest']\nversion 1.41\n" +
		"volume sdkvol ['sdkvol']\nnetworks ['bridge', 'host', 'none']\ninfo overlay2\n"
	if string(out) != want {
		t.Errorf("the SDK's script printed:\n%s\nwant:\n%s", out, want)
	}
}

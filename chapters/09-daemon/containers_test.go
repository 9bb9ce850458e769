// Part 1: the API's shape. Docker's client runs containers through the
// daemon as it would through dockerd: create, attach, wait, start; the
// lifecycle commands; the answers it prints.
package chapter09

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// Docker behaviour: `docker run --rm` prints the command's output, stdout
// and stderr apart (the multiplexed stream), and exits with its code; a
// missing command is 127, one that cannot run 126, an option the daemon
// refuses 125 (the client reads them from the start's error text).
func TestRunThroughDaemon(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	r := d.Docker("run", "--rm", "busybox", "echo", "hi")
	if r.Code != 0 || r.Stdout != "hi\n" {
		t.Errorf("%v\nwant hi and exit 0", r)
	}
	r = d.Docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
	if r.Code != 3 || r.Stdout != "out\n" || r.Stderr != "err\n" {
		t.Errorf("%v\nwant out on stdout, err on stderr, exit 3", r)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--rm", "busybox", "no-such-command"}, 127, "executable file not found"},
		{[]string{"run", "--rm", "busybox", "/etc"}, 126, "permission denied"},
		{[]string{"run", "--rm", "-m", "1m", "busybox", "true"}, 125, "memory"},
		{[]string{"run", "--rm", "-w", "relative", "busybox", "true"}, 125, "absolute path"},
	} {
		if r := d.Docker(tt.args...); r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) {
			t.Errorf("%v\nwant exit %d and %q", r, tt.code, tt.want)
		}
	}
	// -i: the client's stdin reaches the command, and its end ends it.
	if r := d.DockerInput([]byte("one\ntwo\n"), "run", "--rm", "-i", "busybox", "wc", "-l"); r.Code != 0 || strings.TrimSpace(r.Stdout) != "2" {
		t.Errorf("%v\nwant the two lines of stdin counted", r)
	}
	// A newer client negotiates down to the daemon's API version.
	if r := d.DockerNewest("run", "--rm", "busybox", "echo", "negotiated"); r.Code != 0 || r.Stdout != "negotiated\n" {
		t.Errorf("newest client: %v", r)
	}
	// Options become the container's: -e, -w, -u, --name, -h.
	r = d.Docker("run", "--rm", "--name", "opts", "-h", "box", "-e", "A=1", "-w", "/tmp", "-u", "1:2",
		"busybox", "sh", "-c", `echo "$A $(pwd) $(id -u):$(id -g) $(hostname)"`)
	if r.Code != 0 || r.Stdout != "1 /tmp 1:2 box\n" {
		t.Errorf("%v\nwant the options applied", r)
	}
	if out := d.MustDocker("ps", "-aq"); out != "" {
		t.Errorf("after run --rm, ps -aq = %q, want nothing", out)
	}
	// The daemon reaps the monitors it spawned: no zombie is left of them.
	eventually(t, "no zombie child of the daemon", func() bool { return len(zombies(d.Pid())) == 0 })
}

// zombies lists the children of pid that have exited and not been reaped.
func zombies(pid int) []string {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, child := range strings.Fields(string(data)) {
			stat, _ := os.ReadFile("/proc/" + child + "/stat")
			if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i+1:]), " Z") {
				out = append(out, child)
			}
		}
	}
	return out
}

// Docker behaviour: a detached container through its lifecycle, as
// docker's client shows it.
func TestContainerLifecycle(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	id := strings.TrimSpace(d.MustDocker("run", "-d", "--name", "web", "--label", "tier=front", "busybox", "sh", "-c",
		`trap 'echo bye; exit 0' TERM; i=0; while :; do echo "line $i"; i=$((i+1)); sleep 0.1; done`))
	require.Regexp(t, `^[0-9a-f]{64}$`, id)
	// A name is taken once: 409, the client exits 125.
	if r := d.Docker("run", "-d", "--name", "web", "busybox", "true"); r.Code != 125 || !strings.Contains(r.Stderr, "is already in use") {
		t.Errorf("%v\nwant the name refused as in use", r)
	}
	d.MustDocker("create", "--name", "idle", "busybox", "true")
	if ps := d.MustDocker("ps"); !strings.Contains(ps, "web") || strings.Contains(ps, "idle") || !strings.Contains(ps, "Up ") {
		t.Errorf("ps:\n%s\nwant web Up, not idle", ps)
	}
	for filter, want := range map[string]string{"status=created": "idle", "label=tier=front": "web", "name=we": "web", "id=" + id[:12]: "web"} {
		if got := strings.TrimSpace(d.MustDocker("ps", "-a", "--filter", filter, "--format", "{{.Names}}")); got != want {
			t.Errorf("ps -a --filter %s = %q, want %q", filter, got, want)
		}
	}
	eventually(t, "two lines logged", func() bool { return strings.Contains(d.MustDocker("logs", "web"), "line 1\n") })
	if got := d.MustDocker("logs", "--tail", "1", "web"); strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "line ") {
		t.Errorf("logs --tail 1 = %q, want one line", got)
	}
	// logs -f follows until the container ends; -t stamps each line;
	// with a terminal the stream is raw (no frames), as the pty wrote it.
	d.MustDocker("run", "-d", "--name", "short", "busybox", "sh", "-c", "echo a; sleep 0.5; echo b >&2")
	if r := d.Docker("logs", "-f", "-t", "short"); r.Code != 0 || !regexp.MustCompile(`^\d{4}-\d\d-\d\dT[0-9:.]+Z a\n$`).MatchString(r.Stdout) ||
		!strings.HasSuffix(r.Stderr, "Z b\n") {
		t.Errorf("%v\nwant a stamped on stdout, b on stderr, and the end when the container ends", r)
	}
	d.MustDocker("run", "-d", "-t", "--name", "tty", "busybox", "echo", "hi")
	d.MustDocker("wait", "tty")
	if got := d.MustDocker("logs", "tty"); got != "hi\r\n" {
		t.Errorf("logs of a container with a terminal = %q, want the raw %q", got, "hi\r\n")
	}
	d.MustDocker("rm", "short", "tty")
	var in []struct {
		ID    string `json:"Id"`
		Name  string
		State struct {
			Status string
			Pid    int
		}
		Config struct {
			Image  string
			Labels map[string]string
			Cmd    []string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(d.MustDocker("inspect", "web")), &in))
	if len(in) != 1 || in[0].ID != id || in[0].Name != "/web" || in[0].State.Status != "running" || in[0].State.Pid == 0 ||
		in[0].Config.Image != "busybox" || in[0].Config.Labels["tier"] != "front" || in[0].Config.Cmd[0] != "sh" {
		t.Errorf("inspect web = %+v", in)
	}
	if top := d.MustDocker("top", "web"); !strings.Contains(top, "PID") || !strings.Contains(top, "sleep") {
		t.Errorf("top:\n%s\nwant the container's processes", top)
	}
	if stats := d.MustDocker("stats", "--no-stream", "web"); !strings.Contains(stats, "web") || !strings.Contains(stats, "MiB") && !strings.Contains(stats, "KiB") {
		t.Errorf("stats --no-stream:\n%s\nwant web's memory", stats)
	}
	d.MustDocker("pause", "web")
	if got := d.MustDocker("inspect", "-f", "{{.State.Status}}", "web"); got != "paused\n" {
		t.Errorf("after pause, status %q", got)
	}
	if r := d.Docker("pause", "web"); r.Code == 0 || !strings.Contains(r.Stderr, "already paused") {
		t.Errorf("%v\nwant a second pause refused", r)
	}
	d.MustDocker("unpause", "web")
	if r := d.Docker("rm", "web"); r.Code == 0 || !strings.Contains(r.Stderr, "running") {
		t.Errorf("%v\nwant rm of a running container refused", r)
	}
	d.MustDocker("rename", "web", "web2")
	d.MustDocker("stop", "web2")
	if got := d.MustDocker("wait", "web2"); got != "0\n" {
		t.Errorf("wait after stop = %q, want 0 (the trap's exit)", got)
	}
	if got := d.MustDocker("logs", "--tail", "1", "web2"); got != "bye\n" {
		t.Errorf("last line = %q, want bye", got)
	}
	d.MustDocker("restart", "-t", "1", "web2")
	if got := d.MustDocker("inspect", "-f", "{{.State.Status}}", "web2"); got != "running\n" {
		t.Errorf("after restart, status %q", got)
	}
	d.MustDocker("kill", "web2")
	if got := d.MustDocker("inspect", "-f", "{{.State.ExitCode}}", "web2"); got != "137\n" {
		t.Errorf("after kill, exit code %q, want 137", got)
	}
	if r := d.Docker("kill", "web2"); r.Code == 0 || !strings.Contains(r.Stderr, "not running") {
		t.Errorf("%v\nwant kill of a stopped container refused", r)
	}
	d.MustDocker("rm", "web2", "idle")
	if r := d.Docker("inspect", "web2"); r.Code != 1 || !strings.Contains(r.Stderr, "No such") {
		t.Errorf("%v\nwant no such container", r)
	}
}

// Docker behaviour: -p, --network-alias, -m and --cpus through the API's
// HostConfig and NetworkingConfig, on a network namespace playing the
// host: the published port answers from the host, and docker's ps, port
// and inspect show it.
func TestPublishThroughDaemon(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	h := e.NetHost("nameserver 127.0.0.1\n")
	d := e.StartDaemon()
	d.MustDocker("run", "-d", "--name", "web", "-p", "18080:80", "-m", "64m", "--cpus", "0.5", "busybox", "sh", "-c",
		"mkdir /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www")
	var out string
	eventually(t, "the published port answers", func() bool {
		out, _ = h.Sh("wget -qO- http://" + harness.HostAddr + ":18080/")
		return out == "served\n"
	})
	if got := d.MustDocker("port", "web"); !strings.Contains(got, "80/tcp -> 0.0.0.0:18080") {
		t.Errorf("docker port web = %q", got)
	}
	if got := d.MustDocker("ps", "--format", "{{.Ports}}"); !strings.Contains(got, "0.0.0.0:18080->80/tcp") {
		t.Errorf("ps's ports = %q", got)
	}
	got := d.MustDocker("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.NetworkSettings.IPAddress}}", "web")
	if f := strings.Fields(got); len(f) != 3 || f[0] != "67108864" || f[1] != "500000000" || !strings.HasPrefix(f[2], "172.") {
		t.Errorf("inspect: %q, want the memory limit, the CPUs and an address on the bridge", got)
	}
	d.MustDocker("rm", "-f", "web")
}

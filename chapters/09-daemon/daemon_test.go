// Part 2: run through the daemon. exec, containers that outlive the
// daemon (kill -9, a reboot), and requests that try to break it.
package chapter09

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// Docker behaviour: `docker exec` runs a command in a running container
// with its exit code, -e, -w, -u and -d; a stopped one refuses.
func TestExecThroughDaemon(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	d.MustDocker("run", "-d", "--name", "box", "-h", "boxhost", "busybox", "sleep", "1000")
	r := d.Docker("exec", "-e", "X=y", "-w", "/tmp", "-u", "7", "box", "sh", "-c", `echo "$X $(pwd) $(id -u) $(hostname)"; echo oops >&2; exit 4`)
	if r.Code != 4 || r.Stdout != "y /tmp 7 boxhost\n" || r.Stderr != "oops\n" {
		t.Errorf("%v\nwant the exec's output, stderr apart, and exit 4", r)
	}
	if r := d.Docker("exec", "box", "no-such-command"); r.Code != 127 {
		t.Errorf("%v\nwant exit 127", r)
	}
	d.MustDocker("exec", "-d", "box", "sh", "-c", "echo detached > /detached")
	eventually(t, "exec -d ran", func() bool { return d.Docker("exec", "box", "cat", "/detached").Stdout == "detached\n" })
	// stdin reaches the exec'd process; its end ends it.
	if r := d.DockerInput([]byte("piped\n"), "exec", "-i", "box", "cat"); r.Code != 0 || r.Stdout != "piped\n" {
		t.Errorf("%v\nwant stdin echoed", r)
	}
	// The daemon starts each exec from a thread that enters the
	// container and is thrown away after; never from its main thread,
	// which Go keeps for the life of the process: left in the container's
	// cgroup v1 groups, the daemon's PID was in their cgroup.procs, and
	// rm -f killed the daemon. Refused execs leave the thread there too.
	for i := 0; i < 10; i++ {
		d.Docker("exec", "-w", "/proc/self/cwd", "box", "true")
		d.MustDocker("exec", "box", "true")
	}
	id := strings.TrimSpace(d.MustDocker("inspect", "-f", "{{.Id}}", "box"))
	initPid := strings.TrimSpace(d.MustDocker("inspect", "-f", "{{.State.Pid}}", "box"))
	boxMnt, err := os.Readlink("/proc/" + initPid + "/ns/mnt")
	require.NoError(t, err)
	// The daemon runs from its sealed copy, a read-only overlay: init
	// runs from that same file, not from a 17 MB memfd copy per start.
	if exe, err := os.Readlink("/proc/" + initPid + "/exe"); err != nil || strings.HasPrefix(exe, "/memfd:") {
		t.Errorf("init's binary through the daemon: %q, %v; want the daemon's own sealed copy, not a memfd", exe, err)
	}
	mainMnt, err := os.Readlink(fmt.Sprintf("/proc/%d/task/%d/ns/mnt", d.Pid(), d.Pid()))
	require.NoError(t, err)
	mainCgroup, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/cgroup", d.Pid(), d.Pid()))
	require.NoError(t, err)
	if mainMnt == boxMnt || strings.Contains(string(mainCgroup), id) {
		t.Errorf("after 20 execs the daemon's main thread is in the container: mount namespace %s (the container's is %s), cgroups:\n%s", mainMnt, boxMnt, mainCgroup)
	}
	d.MustDocker("stop", "-t", "0", "box")
	if r := d.Docker("exec", "box", "true"); r.Code == 0 || !strings.Contains(r.Stderr, "is not running") {
		t.Errorf("%v\nwant exec refused in a stopped container", r)
	}
	d.MustDocker("rm", "box")
}

// Docker behaviour, and the chapter's point: containers are not the
// daemon's children. kill -9 of the daemon leaves them running under their
// monitors; a restarted daemon adopts them from their records: ps, logs,
// wait, exec, stop work, and the restart policy went on meanwhile.
func TestDaemonKilledContainersLive(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	d.MustDocker("run", "-d", "--name", "server", "busybox", "sh", "-c", `while :; do echo tick; sleep 0.1; done`)
	d.MustDocker("run", "-d", "--name", "flaky", "--restart", "always", "busybox", "sh", "-c", "sleep 0.3; exit 1")
	pid := d.MustDocker("inspect", "-f", "{{.State.Pid}}", "server")
	d.Kill()
	// While no daemon runs, the monitor of flaky restarts it.
	flaky := record(t, e, "flaky")
	eventually(t, "flaky restarted with no daemon", func() bool { return record(t, e, "flaky").RestartCount > flaky.RestartCount })
	d.Start()
	if got := d.MustDocker("inspect", "-f", "{{.State.Pid}}", "server"); got != pid {
		t.Errorf("server's init after the daemon's restart = %s, want %s: the same process", got, pid)
	}
	if ps := d.MustDocker("ps", "--format", "{{.Names}} {{.State}}"); !strings.Contains(ps, "server running") {
		t.Errorf("ps after the daemon's restart:\n%s", ps)
	}
	if logs := d.MustDocker("logs", "--tail", "1", "server"); logs != "tick\n" {
		t.Errorf("logs = %q", logs)
	}
	if r := d.Docker("exec", "server", "echo", "in"); r.Stdout != "in\n" {
		t.Errorf("exec after the daemon's restart: %v", r)
	}
	// wait, begun before stop, ends with stop's exit code.
	waited := make(chan harness.DockerResult, 1)
	go func() { waited <- d.Docker("wait", "server") }()
	time.Sleep(200 * time.Millisecond)
	d.MustDocker("stop", "-t", "1", "server")
	if r := <-waited; r.Stdout != "137\n" && r.Stdout != "143\n" {
		t.Errorf("wait: %v\nwant 143 or 137", r)
	}
	d.MustDocker("rm", "-f", "server", "flaky")
}

// record reads a container's record as the engine keeps it.
func record(t *testing.T, e *harness.Env, name string) engineRecord {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(e.Root, "containers", "*", "container.json"))
	for _, path := range dirs {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var rec engineRecord
		if json.Unmarshal(data, &rec) == nil && rec.Name == name {
			return rec
		}
	}
	t.Fatalf("no record of container %s", name)
	return engineRecord{}
}

type engineRecord struct {
	ID           string `json:"Id"`
	Name         string
	RestartCount int
	State        struct {
		Status  string
		Pid     int
		Monitor int
	}
}

// Docker behaviour: after a reboot, dockerd starts the containers whose
// policy is --restart always. A reboot is simulated by killing every
// process of ours: the daemon, each monitor (its container dies with it).
func TestRebootBringsBackRestartAlways(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	d.MustDocker("run", "-d", "--name", "always", "--restart", "always", "busybox", "sleep", "1000")
	d.MustDocker("run", "-d", "--name", "once", "busybox", "sleep", "1000")
	d.Kill()
	for _, name := range []string{"always", "once"} {
		rec := record(t, e, name)
		require.NotZero(t, rec.State.Monitor)
		syscall.Kill(rec.State.Monitor, syscall.SIGKILL)
		eventually(t, name+"'s init gone", func() bool { return syscall.Kill(rec.State.Pid, 0) != nil })
	}
	d.Start()
	if got := d.MustDocker("inspect", "-f", "{{.State.Status}}", "always"); got != "running\n" {
		t.Errorf("after the reboot, --restart always is %q, want running", got)
	}
	if got := d.MustDocker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "once"); got != "exited 255\n" {
		t.Errorf("after the reboot, a container without a policy is %q, want exited 255 (its end unknown)", got)
	}
	d.MustDocker("rm", "-f", "always", "once")
}

// apiRequest sends one raw request to the daemon.
func apiRequest(t *testing.T, d *harness.Daemon, method, path string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://mydocker/v1.41"+path, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.HTTP().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// Docker behaviour: bad requests get Docker's status and a message, the
// daemon keeps serving, and nothing is half-made (the harness's leak check
// runs after).
func TestBadRequests(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	for _, tt := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/containers/create", `{"Image": "busybox", "Cmd": [`, 400, "invalid JSON"},
		{"POST", "/containers/create", `{"Image": "busybox", "Cmd": "true", "Tty": "yes"}`, 400, "must be"},
		{"POST", "/containers/create", `{"Image": "no-such-image"}`, 404, "No such image: no-such-image"},
		{"POST", "/containers/create", `{"Image": "/etc"}`, 400, "not an image name"},
		{"POST", "/containers/create", `{"Image": "busybox", "HostConfig": {"Mounts": [{"Type": "bind", "Source": "etc", "Target": "/x"}]}}`, 400, "must be absolute"},
		{"POST", "/containers/create", `{"Image": "busybox", "HostConfig": {"Mounts": [{"Type": "tmpfs", "Target": "/"}]}}`, 400, "destination can't be '/'"},
		{"POST", "/containers/create", `{"Image": "busybox", "HostConfig": {"Mounts": [{"Type": "tmpfs", "Target": "/a/"}, {"Type": "tmpfs", "Target": "/a"}]}}`, 400, "Duplicate mount point: /a"},
		{"POST", "/containers/create", `{"Image": "busybox", "HostConfig": {"Mounts": [{"Type": "bind", "Source": "/tmp", "Target": "/x", "BindOptions": {"Propagation": "sideways"}}]}}`, 400, "invalid propagation mode: sideways"},
		{"POST", "/containers/create", `{"Image": "busybox", "Hostname": "box\n10.0.0.1 registry"}`, 400, "invalid hostname format"},
		{"POST", "/containers/create", `{"Image": "busybox", "HostConfig": {"LogConfig": {"Type": "syslog"}}}`, 400, "json-file"},
		{"POST", "/containers/create", `{"Image": "busybox", "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}`, 400, "restart"},
		{"POST", "/containers/create", `{"Image": "busybox", "Cmd": ["true"]` + strings.Repeat(" ", 2<<20) + `}`, 400, "larger than"},
		{"POST", "/containers/nope/start", ``, 404, "No such container: nope"},
		{"POST", "/containers/nope/stop?t=18446744074", ``, 400, "invalid value for t"},
		{"POST", "/containers/nope/restart?t=2147484", ``, 400, "invalid value for t"},
		{"GET", "/containers/nope/json", ``, 404, "No such container: nope"},
		{"DELETE", "/containers/nope", ``, 404, "No such container: nope"},
		{"POST", "/containers/nope/wait?condition=whenever", ``, 400, "invalid condition"},
		{"GET", "/containers/json?filters=%7Bnot-json", ``, 400, "invalid filter"},
		{"GET", "/containers/json?filters=%7B%22color%22%3A%5B%22red%22%5D%7D", ``, 400, "invalid filter 'color'"},
		{"GET", "/exec/nope/json", ``, 404, "No such exec instance"},
		{"POST", "/containers/nope/exec", `{"Cmd": ["echo", "` + strings.Repeat("x", 70000) + `"]}`, 400, "exec config too large"},
	} {
		status, body := apiRequest(t, d, tt.method, tt.path, strings.NewReader(tt.body))
		var msg struct{ Message string }
		json.Unmarshal([]byte(body), &msg)
		if status != tt.status || !strings.Contains(msg.Message, tt.want) {
			t.Errorf("%s %s %.60q: %d %s\nwant %d and a message with %q", tt.method, tt.path, tt.body, status, body, tt.status, tt.want)
		}
	}
	// Version negotiation: a version we do not speak gets dockerd's words.
	for v, want := range map[string]string{
		"1.99": "client version 1.99 is too new. Maximum supported API version is 1.41",
		"1.11": "client version 1.11 is too old. Minimum supported API version is",
	} {
		resp, err := d.HTTP().Get("http://mydocker/v" + v + "/containers/json")
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), want) {
			t.Errorf("GET /v%s/containers/json: %d %s\nwant 400 and %q", v, resp.StatusCode, body, want)
		}
	}
	if out := d.MustDocker("ps", "-aq"); out != "" {
		t.Errorf("after the bad requests, ps -aq = %q, want nothing made", out)
	}
	// Two starts at once: one starts it, the other finds it started.
	id := strings.TrimSpace(d.MustDocker("create", "--name", "racer", "busybox", "sleep", "1000"))
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i], _ = apiRequest(t, d, "POST", "/containers/"+id+"/start", nil) }()
	}
	wg.Wait()
	if !(codes[0] == 204 && codes[1] == 304 || codes[0] == 304 && codes[1] == 204) {
		t.Errorf("two starts at once: %v, want 204 and 304", codes)
	}
	if status, body := apiRequest(t, d, "DELETE", "/containers/racer", nil); status != 409 || !strings.Contains(body, "Stop the container") {
		t.Errorf("rm of a running container: %d %s, want 409", status, body)
	}
	// A client that goes away mid-stream (logs -f, attach) leaves the
	// daemon serving.
	for _, path := range []string{"/containers/racer/logs?follow=1&stdout=1", "/containers/racer/attach?stream=1&stdout=1"} {
		conn, err := net.Dial("unix", d.Socket)
		require.NoError(t, err)
		fmt.Fprintf(conn, "%s /v1.41%s HTTP/1.1\r\nHost: mydocker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", map[bool]string{true: "GET", false: "POST"}[strings.Contains(path, "logs")], path)
		line, err := bufio.NewReader(conn).ReadString('\n')
		require.NoError(t, err)
		if !strings.HasPrefix(line, "HTTP/1.1 200") && !strings.HasPrefix(line, "HTTP/1.1 101 UPGRADED") {
			t.Errorf("%s: %q", path, line)
		}
		conn.Close()
	}
	require.NoError(t, d.Ping())
	d.MustDocker("rm", "-f", "racer")
	if out := d.MustDocker("ps", "-aq"); out != "" {
		t.Errorf("at the end, ps -aq = %q", out)
	}
}

// Docker behaviour: `docker exec -it` under a real terminal: the process
// gets a terminal of the container's own, the keys typed reach it, its
// size follows the client's, and its exit code is docker's.
func TestExecInteractiveTerminal(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	d.MustDocker("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	cmd := d.Command(d.Client, "exec", "-it", "box", "sh")
	master := harness.StartOnTerminal(t, cmd, 33, 99)
	harness.ReadUntil(master, "# ", 20*time.Second)
	master.Write([]byte("tty; stty size; echo $((6*7)); exit 7\n"))
	out := harness.ReadUntil(master, "42", 20*time.Second)
	if !strings.Contains(out, "/dev/pts/") || !strings.Contains(out, "33 99") || !strings.Contains(out, "42") {
		t.Errorf("exec -it: %q, want a /dev/pts/N, the size 33 99, and 42", out)
	}
	if code := harness.ExitCode(t, cmd); code != 7 {
		t.Errorf("docker exec -it sh with exit 7: exit %d, want 7", code)
	}
	d.MustDocker("rm", "-f", "box")
}

// Docker behaviour: `docker run -it` under a real terminal: the keys typed
// reach the shell through the monitor's terminal, its size is the
// client's, ctrl-p ctrl-q detaches and leaves it running, `docker attach`
// comes back to it, and the shell's exit code is docker's.
func TestRunInteractiveTerminal(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	terminal := func(args ...string) (*os.File, *exec.Cmd) {
		cmd := d.Command(d.Client, args...)
		return harness.StartOnTerminal(t, cmd, 31, 97), cmd
	}
	master, cmd := terminal("run", "-it", "--name", "shell", "busybox", "sh")
	harness.ReadUntil(master, "# ", 20*time.Second)
	// docker 20.10 speaks API 1.41, which has no ConsoleSize: it sends
	// the size right after the start, and the shell may be up before.
	var out string
	for i := 0; i < 20 && !strings.Contains(out, "31 97"); i++ {
		if i > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		master.Write([]byte("tty; stty size; echo $((6*7))\n"))
		out = harness.ReadUntil(master, "42", 20*time.Second)
	}
	if !strings.Contains(out, "/dev/pts/") || !strings.Contains(out, "31 97") {
		t.Errorf("run -it: %q, want a /dev/pts/N, the size 31 97, and 42", out)
	}
	master.Write([]byte{0x10, 0x11}) // ctrl-p ctrl-q
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("docker run -it, detached with ctrl-p ctrl-q: exit %d, want 0", code)
	}
	if got := d.MustDocker("inspect", "-f", "{{.State.Status}}", "shell"); got != "running\n" {
		t.Errorf("after the detach keys, the container is %q, want running", got)
	}
	master2, cmd := terminal("attach", "shell")
	time.Sleep(300 * time.Millisecond)
	master2.Write([]byte("echo back; exit 3\n"))
	harness.ReadUntil(master2, "back", 20*time.Second)
	if code := harness.ExitCode(t, cmd); code != 3 {
		t.Errorf("docker attach, then exit 3: exit %d, want 3", code)
	}
	d.MustDocker("rm", "-f", "shell")
}

// A real Docker engine, for the tests that claim mydocker behaves as Docker
// does: chapter 02 compares the cgroup files a container sees, and later
// chapters (images, the daemon's API) compare with it too.
//
// StartDockerd starts Debian's dockerd on a socket, data root and exec root
// of the test's own, with networking off (no bridge, no iptables, no
// forwarding: it touches nothing of the host's network), and its own
// containerd, which dockerd starts under its exec root. Images come from
// mydocker (`mydocker save` into `docker load`): nothing is pulled. When the
// test ends dockerd is stopped by its PID, and what it leaves behind (its
// "docker" cgroups, a mount, containerd's shim directory) is removed, so the
// harness's leak check sees the host as it was.

package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Dockerd is a Docker engine of one test's own.
type Dockerd struct {
	t      testing.TB
	Socket string // unix socket path: docker -H unix://Socket
	Dir    string // holds the socket, the data and exec roots, the log
	client string // the docker client
	cmd    *exec.Cmd
}

// DockerResult is how one docker command ended.
type DockerResult struct{ Result }

func (r DockerResult) String() string {
	return fmt.Sprintf("docker %s: exit %d\nstdout: %q\nstderr: %q",
		strings.Join(r.Args, " "), r.Code, r.Stdout, r.Stderr)
}

// StartDockerd starts dockerd for the test, and stops it when the test
// ends. Without dockerd the test skips (fails under CI=true).
func StartDockerd(t testing.TB) *Dockerd {
	t.Helper()
	RequireRoot(t)
	dockerd := testenv.Program(t, "dockerd", "docker.io")
	d := &Dockerd{t: t, client: testenv.Program(t, "docker", "docker.io")}
	// Not t.TempDir: the socket path must stay under the kernel's 108
	// bytes, and the test's name could make it longer.
	dir, err := os.MkdirTemp("", "mydocker-dockerd-")
	if err != nil {
		t.Fatal(err)
	}
	d.Dir, d.Socket = dir, filepath.Join(dir, "docker.sock")
	// dockerd's trust key would go to /etc/docker/key.json: keep it here.
	config, _ := json.Marshal(map[string]any{"deprecated-key-path": filepath.Join(dir, "key.json")})
	if err := os.WriteFile(filepath.Join(dir, "daemon.json"), config, 0o600); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "dockerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	before := leftovers{cgroups: dockerCgroups(), shimDir: exists("/run/containerd")}
	d.cmd = exec.Command(dockerd,
		"--config-file", filepath.Join(dir, "daemon.json"),
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "dockerd.pid"), "-H", "unix://"+d.Socket,
		"--bridge", "none", "--iptables=false", "--ip-masq=false", "--ip-forward=false",
		"--exec-opt", "native.cgroupdriver=cgroupfs")
	d.cmd.Stdout, d.cmd.Stderr = log, log
	// A safety net: nothing this engine does may reach past loopback.
	d.cmd.Env = append(os.Environ(), "HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=")
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start dockerd: %v", err)
	}
	t.Cleanup(func() { d.stop(before) })
	d.waitReady()
	return d
}

// waitReady waits until the engine answers, for a minute at most.
func (d *Dockerd) waitReady() {
	d.t.Helper()
	var r DockerResult
	for i := 0; i < 600; i++ {
		if r = d.Docker("version", "--format", "{{.Server.Version}}"); r.Code == 0 {
			// Its own containerd, not a system one at the default
			// socket (dockerd would use that): ours ends with it.
			sock := filepath.Join(d.Dir, "exec", "containerd", "containerd.sock")
			if !exists(sock) {
				d.t.Fatalf("dockerd runs without its own containerd (no %s): stop the system's (systemctl disable --now containerd)", sock)
			}
			return
		}
		if d.exited() {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	logText, _ := os.ReadFile(filepath.Join(d.Dir, "dockerd.log"))
	d.t.Fatalf("dockerd did not answer on %s: %v\ndockerd's log:\n%s", d.Socket, r, tail(logText, 20))
}

func (d *Dockerd) exited() bool {
	return syscall.Kill(d.cmd.Process.Pid, 0) != nil
}

// Docker runs the docker client against this engine.
func (d *Dockerd) Docker(args ...string) DockerResult {
	d.t.Helper()
	cmd := exec.Command(d.client, append([]string{"-H", "unix://" + d.Socket}, args...)...)
	// A client config of its own: nothing of the caller's ~/.docker.
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(d.Dir, "client"), "DOCKER_HOST=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := DockerResult{Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String()}}
	r.Code = cmd.ProcessState.ExitCode()
	if err != nil && cmd.ProcessState == nil {
		d.t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// Load loads an image archive (`mydocker save`'s) into the engine.
func (d *Dockerd) Load(archive string) {
	d.t.Helper()
	if r := d.Docker("load", "-i", archive); r.Code != 0 {
		d.t.Fatalf("%v", r)
	}
}

// leftovers is what dockerd may leave on the host, as it was before it ran.
type leftovers struct {
	cgroups map[string]bool
	shimDir bool
}

// stop ends dockerd (SIGTERM, then SIGKILL after 30 s), checks that its
// containerd ended with it, and removes what they left.
func (d *Dockerd) stop(before leftovers) {
	// dockerd's own containerd: its child, started with our exec root.
	var containerd []int
	for _, pid := range children(d.cmd.Process.Pid) {
		if processOf(pid, d.Dir) {
			containerd = append(containerd, pid)
		}
	}
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		d.t.Errorf("dockerd (pid %d) still runs 30 s after SIGTERM: killed", d.cmd.Process.Pid)
		d.cmd.Process.Kill()
		<-done
	}
	for _, pid := range containerd {
		if processOf(pid, d.Dir) {
			d.t.Errorf("containerd (pid %d) outlived its dockerd: killed", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for _, m := range mountsUnder(d.Dir) {
		d.t.Logf("dockerd left a mount at %s: unmounted", m)
		unix.Unmount(m, unix.MNT_DETACH)
	}
	for dir := range dockerCgroups() {
		if !before.cgroups[dir] {
			if err := unix.Rmdir(dir); err != nil {
				d.t.Errorf("remove dockerd's cgroup %s: %v", dir, err)
			}
		}
	}
	if !before.shimDir {
		// containerd's shims keep their sockets in /run/containerd/s
		// whatever its state directory: once empty, it goes.
		os.Remove("/run/containerd/s")
		os.Remove("/run/containerd")
	}
	if err := os.RemoveAll(d.Dir); err != nil {
		d.t.Errorf("remove dockerd's directory: %v", err)
	}
}

// dockerCgroups lists the groups dockerd's cgroupfs driver makes: "docker"
// at the top of each hierarchy (v1, and the hybrid's unified one).
func dockerCgroups() map[string]bool {
	out := map[string]bool{}
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/docker")
	if top := "/sys/fs/cgroup/docker"; exists(top) {
		dirs = append(dirs, top)
	}
	for _, d := range dirs {
		out[d] = true
	}
	return out
}

// mountsUnder lists mount points below dir, deepest first.
func mountsUnder(dir string) []string {
	var out []string
	for m := range MountPoints() {
		if strings.HasPrefix(m, dir+"/") {
			out = append(out, m)
		}
	}
	// Deepest first: a longer path cannot be an ancestor of a shorter one.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// processOf reports whether pid is alive and was started with dir in its
// command line: ours, not another process that has reused the number.
func processOf(pid int, dir string) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(cmdline, []byte(dir))
}

// children lists pid's children: each thread's, as a child belongs to the
// thread that forked it.
func children(pid int) []int {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, field := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(field); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func tail(text []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(text), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

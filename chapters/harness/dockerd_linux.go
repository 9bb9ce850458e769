// A real Docker engine, for the tests that claim mydocker behaves as Docker
// does: chapter 02 compares the cgroup files a container sees, chapter 05
// trades images with it both ways (load, save, pull, push, build), and later
// chapters (the daemon's API) compare with it too.
//
// StartDockerd starts Debian's dockerd on a socket, data root and exec root
// of the test's own, with networking off (no bridge, no iptables, no
// forwarding: it touches nothing of the host's network), and its own
// containerd, which dockerd starts under its exec root. Images come from
// mydocker (`mydocker save` into `docker load`) or from the tests' own
// registries on 127.0.0.1, which Docker speaks plain HTTP to unasked
// (127.0.0.0/8 is an insecure registry by default); nothing else is
// reachable. Build uses Docker's classic builder: the Debian engine has no
// BuildKit for a newer client to drive. When the test ends dockerd is
// stopped by its PID, and what it leaves behind (its "docker" cgroups, a
// mount, containerd's shim directory, /run/docker) is removed, so the
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

// InVMEnv is set by scripts/vm/run-tests.sh inside the cgroup v2 VM, a
// busybox machine with no Docker in it.
const InVMEnv = "MYDOCKER_IN_VM"

// StartDockerd starts dockerd for the test, and stops it when the test
// ends. Without dockerd the test skips (fails under CI=true). In the cgroup
// v2 VM it always skips: the VM has no Docker by design, and `make test`
// has run the same comparison natively before it boots the VM.
func StartDockerd(t testing.TB) *Dockerd {
	t.Helper()
	RequireRoot(t)
	if os.Getenv(InVMEnv) == "1" {
		t.Skip("the cgroup v2 VM has no Docker: this comparison with Docker ran natively in the same make test")
	}
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
	// Docker's classic image store, whose image IDs are config digests as
	// mydocker's are (a newer engine may default to containerd's, which
	// names an image by its manifest's digest; 20.10 ignores the key).
	config, _ := json.Marshal(map[string]any{"deprecated-key-path": filepath.Join(dir, "key.json"),
		"features": map[string]bool{"containerd-snapshotter": false}})
	if err := os.WriteFile(filepath.Join(dir, "daemon.json"), config, 0o600); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "dockerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	before := SnapshotDockerTraces()
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
	// The classic builder: a newer client would otherwise want BuildKit's
	// buildx, which Debian's engine does not come with.
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(d.Dir, "client"), "DOCKER_HOST=", "DOCKER_BUILDKIT=0")
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

// For returns the engine for another test, a subtest of the one that
// started it, so that a failure is reported in, and stops, that test.
func (d *Dockerd) For(t testing.TB) *Dockerd {
	c := *d
	c.t = t
	return &c
}

// MustDocker runs a docker command that must succeed, and returns its
// stdout.
func (d *Dockerd) MustDocker(args ...string) string {
	d.t.Helper()
	r := d.Docker(args...)
	if r.Code != 0 {
		d.t.Fatalf("%v", r)
	}
	return r.Stdout
}

// ImageID is Docker's ID of an image: "sha256:" and the digest of its
// config, as mydocker's is.
func (d *Dockerd) ImageID(ref string) string {
	d.t.Helper()
	return strings.TrimSpace(d.MustDocker("image", "inspect", "-f", "{{.Id}}", ref))
}

// Build builds the Dockerfile in dir as tag, with no network: its base
// image must be in the engine already (loaded), and its RUN steps run with
// --network none.
func (d *Dockerd) Build(dir, tag string) {
	d.t.Helper()
	d.MustDocker("build", "--network", "none", "--pull=false", "-t", tag, dir)
}

// Load loads an image archive (`mydocker save`'s) into the engine.
func (d *Dockerd) Load(archive string) {
	d.t.Helper()
	if r := d.Docker("load", "-i", archive); r.Code != 0 {
		d.t.Fatalf("%v", r)
	}
}

// DockerTraces is what a dockerd leaves on the host outside its own data
// and exec roots, as it was before one ran: its cgroupfs driver's "docker"
// groups, containerd's shim directory (its shims keep their sockets in
// /run/containerd/s whatever its state directory) and the plugin socket
// directory every dockerd makes, /run/docker/plugins. The transcripts, where
// a README starts a dockerd, take the same snapshot.
type DockerTraces struct {
	cgroups   map[string]bool
	shimDir   bool
	pluginDir bool
}

// SnapshotDockerTraces records the traces there are now.
func SnapshotDockerTraces() DockerTraces {
	return DockerTraces{cgroups: dockerCgroups(), shimDir: exists("/run/containerd"), pluginDir: exists("/run/docker")}
}

// Remove removes the traces that were not there before, once the dockerd
// that left them has stopped.
func (before DockerTraces) Remove(t testing.TB) {
	t.Helper()
	for dir := range dockerCgroups() {
		if !before.cgroups[dir] {
			if err := unix.Rmdir(dir); err != nil {
				t.Errorf("remove dockerd's cgroup %s: %v", dir, err)
			}
		}
	}
	// Directories only once empty: one with something in it is another's.
	if !before.shimDir {
		os.Remove("/run/containerd/s")
		os.Remove("/run/containerd")
	}
	if !before.pluginDir {
		os.Remove("/run/docker/plugins")
		os.Remove("/run/docker")
	}
}

// stop ends dockerd (SIGTERM, then SIGKILL after 30 s), checks that its
// containerd ended with it, and removes what they left.
func (d *Dockerd) stop(before DockerTraces) {
	// dockerd's own containerd: its child, started with our exec root.
	var containerd []int
	for _, pid := range children(d.cmd.Process.Pid) {
		if processOf(pid, d.Dir) {
			containerd = append(containerd, pid)
		}
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	if !waitOrKill(d.cmd, 30*time.Second) {
		d.t.Errorf("dockerd (pid %d) still runs 30 s after SIGTERM: killed", d.cmd.Process.Pid)
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
	before.Remove(d.t)
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

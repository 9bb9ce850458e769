// Chapter 03's exploit suite: how containers escape their root, each test
// one real attack (a runc CVE, or a Docker behaviour mydocker must match),
// tried the way an attacker would, from the command line and from an
// image. Each must fail: nothing read or written on the host, capabilities
// no wider than the container's, and the host's binary out of reach.
package chapter03

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/tarball"
)

// probeEnv makes the test binary, copied to the host or into an image, a
// probe: it says where it runs and as whom, and whether it sees the host's
// sentinel file.
const probeEnv = "ESCAPE_PROBE"

func probe(sentinel string) int {
	data, err := os.ReadFile(sentinel)
	fmt.Printf("PROBE RAN: euid=%d sentinel=%q err=%v\n", os.Geteuid(), data, err)
	return 0
}

// hostBait is what an escaping container would reach: a sentinel file
// with a random secret, a path it could write, and a static program.
type hostBait struct {
	dir, sentinel, secret, pwned, program string
}

func newHostBait(t *testing.T) hostBait {
	b := hostBait{dir: t.TempDir()}
	buf := make([]byte, 8)
	rand.Read(buf)
	b.secret = "host-secret-" + hex.EncodeToString(buf)
	b.sentinel, b.pwned = filepath.Join(b.dir, "sentinel"), filepath.Join(b.dir, "pwned")
	require.NoError(t, os.WriteFile(b.sentinel, []byte(b.secret), 0o600))
	b.program = filepath.Join(b.dir, "probe")
	harness.CopyFile(t, harness.RequireStaticSelf(t), b.program, 0o755)
	return b
}

// up climbs from wherever fd N leads to the host's root: ".." stops at
// the root, so too many are harmless.
const up = "../../../../../../../../../../../.."

// check fails the test if r shows an escape: the secret, the probe run
// from the host, or the file written on the host. Otherwise r must be a
// clean refusal (125 or 126, one line) or a run that stayed inside.
func (b hostBait) check(t *testing.T, what string, r harness.Result) {
	t.Helper()
	if strings.Contains(r.Stdout+r.Stderr, b.secret) || strings.Contains(r.Stdout, "PROBE RAN") {
		t.Errorf("%s ESCAPED, it read the host's file or ran the host's program: %v", what, r)
	}
	if _, err := os.Stat(b.pwned); err == nil {
		t.Errorf("%s ESCAPED, it wrote %s on the host: %v", what, b.pwned, r)
		os.Remove(b.pwned)
	}
	refused := (r.Code == 125 || r.Code == 126 || r.Code == 127) && strings.Count(r.Stderr, "\n") == 1
	if !refused && r.Code != 0 {
		t.Errorf("%s: neither refused with one line (125, 126, 127) nor run inside: %v", what, r)
	}
}

// CVE-2024-21626: `-w /proc/self/fd/N` where init holds a host directory
// as fd N (runc's leaked cgroup fd) puts the command in the host's tree.
func TestEscapeWorkdirThroughProcSelfFd(t *testing.T) {
	t.Log("CVE-2024-21626 (runc): working directory /proc/self/fd/N through a leaked host descriptor")
	e := harness.New(t)
	e.Busybox()
	b := newHostBait(t)
	script := fmt.Sprintf("cat %s%s; echo x > %s%s; pwd", up, b.sentinel, up, b.pwned)
	for n := 3; n <= 20; n++ {
		wd := fmt.Sprintf("/proc/self/fd/%d", n)
		r := e.Run("run", "--rm", "-m", "64m", "-w", wd, "busybox", "sh", "-c", script)
		b.check(t, "-w "+wd, r)
	}
	// The caller's own descriptors reach init too: a host directory as
	// stdin is refused, not handed to the container.
	dir, err := os.Open(b.dir)
	require.NoError(t, err)
	defer dir.Close()
	cmd := e.Cmd("run", "--rm", "-i", "-w", "/proc/self/fd/0", "busybox", "sh", "-c", script)
	var stdout, stderr strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
	cmd.Run()
	r := harness.Result{Args: cmd.Args[1:], Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
	b.check(t, "stdin a host directory, -w /proc/self/fd/0", r)
	if r.Code != 125 || !strings.Contains(r.Stderr, "stdin is a directory") {
		t.Errorf("a host directory as stdin: %v; want it refused, exit 125", r)
	}
}

// CVE-2024-21626 from an image: WorkingDir, Entrypoint and PATH through
// /proc/self/fd/N, and a script whose interpreter is reached that way
// (the kernel opens it while the forked command still holds init's
// descriptors).
func TestEscapeImageConfigThroughProcSelfFd(t *testing.T) {
	t.Log("CVE-2024-21626 (runc): image WorkingDir, Entrypoint, PATH and #! through /proc/self/fd/N")
	e := harness.New(t)
	b := newHostBait(t)
	layer, err := image.LayerFromTar(mustRead(t, e.BusyboxTar()))
	require.NoError(t, err)
	script := fmt.Sprintf("cat %s%s; echo x > %s%s", up, b.sentinel, up, b.pwned)
	var entries []tarball.Entry
	var tags []string
	add := func(tag string, c image.Config) {
		c.Env = append(c.Env, probeEnv+"="+b.sentinel)
		img, err := image.Build(image.ConfigFile{Architecture: "amd64", OS: "linux", Config: c}, []image.Layer{layer})
		require.NoError(t, err)
		entries = append(entries, tarball.Entry{RepoTags: []string{tag}, Image: img})
		tags = append(tags, tag)
	}
	for n := 3; n <= 12; n++ {
		fd := fmt.Sprintf("/proc/self/fd/%d/", n)
		add(fmt.Sprintf("escape:workdir-%d", n), image.Config{WorkingDir: fd, Cmd: []string{"sh", "-c", script}})
		add(fmt.Sprintf("escape:entrypoint-%d", n), image.Config{Entrypoint: []string{fd + up + b.program}})
		add(fmt.Sprintf("escape:path-%d", n), image.Config{Env: []string{"PATH=" + fd + up + b.dir}, Cmd: []string{"probe"}})
	}
	saved := filepath.Join(t.TempDir(), "escape.tar")
	f, err := os.Create(saved)
	require.NoError(t, err)
	require.NoError(t, tarball.Write(f, entries))
	require.NoError(t, f.Close())
	e.MustRun("load", "-i", saved)
	for _, tag := range tags {
		b.check(t, tag, e.Run("run", "--rm", "-m", "64m", "--pull", "never", tag))
	}
	for _, tag := range tags {
		e.MustRun("rmi", tag)
	}

	// A script's #! line is opened by the kernel, not by mydocker.
	root := e.BusyboxDir()
	for n := 3; n <= 20; n++ {
		shebang := fmt.Sprintf("#!/proc/self/fd/%d/%s%s\n", n, up, b.program)
		require.NoError(t, os.WriteFile(filepath.Join(root, fmt.Sprintf("evil%d", n)), []byte(shebang), 0o755))
	}
	for n := 3; n <= 20; n++ {
		r := e.Run("run", "--rm", "-m", "64m", "-e", probeEnv+"="+b.sentinel, root, fmt.Sprintf("/evil%d", n))
		b.check(t, fmt.Sprintf("#! through /proc/self/fd/%d", n), r)
	}
}

func mustRead(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// capSets parses the Cap* lines of /proc/PID/status.
func capSets(t *testing.T, status string) map[string]uint64 {
	t.Helper()
	sets := map[string]uint64{}
	for _, m := range regexp.MustCompile(`(?m)^(Cap[A-Za-z]+):\s*([0-9a-f]+)$`).FindAllStringSubmatch(status, -1) {
		v, err := strconv.ParseUint(m[2], 16, 64)
		require.NoError(t, err)
		sets[m[1]] = v
	}
	return sets
}

// Docker since CVE-2022-24769, and runc: all five capability sets come
// from the container's list, whatever the caller of mydocker had.
func TestCapDropAllUnderInheritingCaller(t *testing.T) {
	t.Log("Docker/runc: --cap-drop ALL clears all five capability sets even when the caller has inheritable and ambient ones")
	e := harness.New(t)
	e.Busybox()
	// The caller: like `setpriv --inh-caps +sys_admin,+net_admin
	// --ambient-caps +sys_admin,+net_admin`, done by Go's own exec.
	run := func(args ...string) map[string]uint64 {
		t.Helper()
		cmd := e.Cmd(args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{AmbientCaps: []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_NET_ADMIN}}
		out, err := cmd.Output()
		require.NoError(t, err, "mydocker %v: %s", args, out)
		return capSets(t, string(out))
	}
	self := exec.Command("grep", "Cap", "/proc/self/status")
	self.SysProcAttr = &syscall.SysProcAttr{AmbientCaps: []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_NET_ADMIN}}
	out, err := self.Output()
	require.NoError(t, err)
	caller := capSets(t, string(out))
	require.NotZero(t, caller["CapAmb"], "the caller must hold ambient capabilities for this test to mean anything")

	sys := uint64(1<<unix.CAP_SYS_ADMIN | 1<<unix.CAP_NET_ADMIN)
	defaults := uint64(0xa00425fb) // Docker's 14 but CAP_MKNOD
	tests := []struct {
		args []string
		want map[string]uint64
	}{
		{[]string{"--cap-drop", "ALL"}, map[string]uint64{"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": 0, "CapAmb": 0}},
		{nil, map[string]uint64{"CapInh": 0, "CapPrm": defaults, "CapEff": defaults, "CapBnd": defaults, "CapAmb": 0}},
		{[]string{"-u", "1000"}, map[string]uint64{"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": defaults, "CapAmb": 0}},
		{[]string{"--cap-add", "SYS_ADMIN", "--cap-drop", "ALL"}, map[string]uint64{"CapInh": 0, "CapPrm": 1 << unix.CAP_SYS_ADMIN, "CapEff": 1 << unix.CAP_SYS_ADMIN, "CapAmb": 0}},
	}
	for _, tt := range tests {
		args := append(append([]string{"run", "--rm"}, tt.args...), "busybox", "grep", "Cap", "/proc/self/status")
		got := run(args...)
		for set, want := range tt.want {
			if got[set] != want {
				t.Errorf("mydocker %s: %s = %016x, want %016x (caller's ambient %016x, of which SYS_ADMIN|NET_ADMIN %016x)",
					strings.Join(args, " "), set, got[set], want, caller["CapAmb"], sys)
			}
		}
	}
}

// Issue 9, item 4: init (PID 1) kept every capability, so a container
// allowed to trace it (--cap-add SYS_PTRACE) could act with all of them.
// Every thread of init must hold no more than the container could itself,
// and must be unable to gain more by executing anything.
//
// What a thread can use is its effective set; what it can get back is its
// permitted set (capset), inheritable and ambient (kept across execve),
// and, through execve, what the kernel grants a root process: its bounding
// set, unless no_new_privs is set, under which execve grants nothing the
// permitted set does not hold already. So every thread of init must have
// permitted and effective within CAP_KILL and the container's bounding set
// (all init needs to signal the command), nothing inheritable or ambient,
// and no_new_privs. Init's bounding set itself is not checked: under
// no_new_privs nothing reads it. (Until issue 10 this test wanted the
// bounding set within the container's and no no_new_privs, which let a
// tracer of init execve its way back to the whole bounding set; dropping
// it took some 40 stop-the-world calls per start.)
func TestInitNotStrongerThanContainer(t *testing.T) {
	t.Log("runc: the container's PID 1 side holds no capability beyond the container's, and can gain none by execve")
	e := harness.New(t)
	e.Busybox()
	script := `for f in /proc/1/task/*/status; do echo "== $f"; grep -e '^Cap' -e '^NoNewPrivs' "$f"; done; echo "== self"; grep '^CapBnd' /proc/self/status`
	// Root commands, and any command that could gain CAP_SYS_PTRACE (the
	// last case: a setuid helper of the image would get it), are held
	// until init has lowered its sets (see releaseCommand).
	for _, args := range [][]string{nil, {"--cap-add", "SYS_PTRACE"}, {"--cap-drop", "ALL"}, {"-u", "1000", "--cap-add", "SYS_PTRACE"}} {
		run := append(append([]string{"run", "--rm"}, args...), "busybox", "sh", "-c", script)
		out := e.MustRun(run...)
		parts := strings.Split(out, "== ")
		bounding := capSets(t, parts[len(parts)-1])["CapBnd"]
		most := map[string]uint64{"CapPrm": bounding & (1 << unix.CAP_KILL), "CapEff": bounding & (1 << unix.CAP_KILL), "CapInh": 0, "CapAmb": 0}
		threads := 0
		for _, part := range parts[1 : len(parts)-1] {
			name, _, _ := strings.Cut(part, "\n")
			sets := capSets(t, part)
			if len(sets) == 0 && !strings.Contains(part, "NoNewPrivs") {
				continue // the thread ended between the glob and grep (init's forking thread does)
			}
			threads++
			for set, max := range most {
				v, ok := sets[set]
				if !ok || v&^max != 0 {
					t.Errorf("mydocker %s: init's %s %s = %016x (listed: %v), want no more than %016x",
						strings.Join(run[:len(run)-3], " "), name, set, v, ok, max)
				}
			}
			if !strings.Contains(part, "NoNewPrivs:\t1") {
				t.Errorf("mydocker %s: init's %s has no no_new_privs: an execve there would get its bounding set %016x",
					strings.Join(run[:len(run)-3], " "), name, sets["CapBnd"])
			}
		}
		require.NotZero(t, threads, "no thread of init listed: %q", out)
	}
}

// CVE-2019-5736 (runc): through /proc/1/exe a container could open the
// host's runtime binary, and overwrite it once it was not running. Init
// now runs from a read-only overlay of it, or a sealed in-memory copy.
func TestProcOneExeIsNotTheHostBinary(t *testing.T) {
	t.Log("CVE-2019-5736 (runc): /proc/1/exe must not lead to the host's binary, even with --cap-add SYS_PTRACE")
	e := harness.New(t)
	e.Busybox()
	var host unix.Stat_t
	require.NoError(t, unix.Stat(harness.Bin(), &host))
	before := mustRead(t, harness.Bin())
	out := e.MustRun("run", "--rm", "--cap-add", "SYS_PTRACE", "busybox", "sh", "-c",
		`stat -L -c '%d:%i' /proc/1/exe; readlink /proc/1/exe; head -c 4 /proc/1/exe | od -An -c; { echo x >> /proc/1/exe; } 2>&1 && echo WRITTEN; true`)
	lines := strings.Split(out, "\n")
	require.GreaterOrEqual(t, len(lines), 4, "%q", out)
	if lines[0] == fmt.Sprintf("%d:%d", host.Dev, host.Ino) {
		t.Errorf("/proc/1/exe inside is the host's %s (device:inode %s)", harness.Bin(), lines[0])
	}
	if lines[1] == harness.Bin() {
		t.Errorf("/proc/1/exe -> %q, the host's binary", lines[1])
	}
	if !strings.Contains(lines[2], "E   L   F") {
		t.Errorf("/proc/1/exe is readable with SYS_PTRACE and is mydocker: %q", lines[2])
	}
	if strings.Contains(out, "WRITTEN") {
		t.Errorf("/proc/1/exe was opened for writing: %q", out)
	}
	if string(mustRead(t, harness.Bin())) != string(before) {
		t.Errorf("the host's %s changed", harness.Bin())
	}
}

// Docker's --security-opt no-new-privileges: a setuid-root program run by
// another user stays that user.
func TestNoNewPrivileges(t *testing.T) {
	t.Log("Docker: --security-opt no-new-privileges keeps setuid programs from gaining privileges")
	e := harness.New(t)
	root := e.BusyboxDir()
	suid := filepath.Join(root, "suid-probe")
	harness.CopyFile(t, harness.RequireStaticSelf(t), suid, 0o755)
	require.NoError(t, unix.Chmod(suid, 0o4755)) // setuid root (os.Chmod would need os.ModeSetuid)
	// Where the data root is on a nosuid mount (the test VM's /tmp), no
	// setuid bit works at all: then only the flag itself can be seen.
	base := e.MustRun("run", "--rm", "-u", "1000", "-e", probeEnv+"=/nothing", root, "/suid-probe")
	suidWorks := strings.Contains(base, "PROBE RAN: euid=0 ")
	if !suidWorks {
		t.Logf("setuid has no effect here (%q): checking NoNewPrivs only", base)
	}
	tests := []struct {
		opts      []string
		euid, nnp string
	}{
		{nil, "euid=0", "NoNewPrivs:\t0"},
		{[]string{"--security-opt", "no-new-privileges"}, "euid=1000", "NoNewPrivs:\t1"},
		{[]string{"--security-opt", "no-new-privileges:true"}, "euid=1000", "NoNewPrivs:\t1"},
		{[]string{"--security-opt", "no-new-privileges=false"}, "euid=0", "NoNewPrivs:\t0"},
	}
	for _, tt := range tests {
		args := append(append([]string{"run", "--rm", "-u", "1000", "-e", probeEnv + "=/nothing"}, tt.opts...), root, "/suid-probe")
		if out := e.MustRun(args...); suidWorks && !strings.Contains(out, "PROBE RAN: "+tt.euid+" ") {
			t.Errorf("mydocker %s: %q, want %s", strings.Join(args, " "), out, tt.euid)
		}
		args = append(append([]string{"run", "--rm"}, tt.opts...), root, "grep", "NoNewPrivs", "/proc/self/status")
		if out := e.MustRun(args...); strings.TrimSpace(out) != tt.nnp {
			t.Errorf("mydocker %s: %q, want %q", strings.Join(args, " "), out, tt.nnp)
		}
	}
	r := e.Run("run", "--rm", "--security-opt", "seccomp=unconfined", root, "true")
	if r.Code != 125 || strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, "no-new-privileges") {
		t.Errorf("an unknown --security-opt: %v; want exit 125 and one line", r)
	}
}

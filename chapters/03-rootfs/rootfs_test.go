// Chapter 03's tests: the container's own root filesystem, built like
// runc builds it, from the built-in busybox image, a root filesystem
// directory and a tarball.
package chapter03

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// The breakout program: the test binary itself, copied into a root
// filesystem, re-run with BREAKOUT_TARGET set (or ESCAPE_PROBE, for the
// exploit suite in escapes_test.go).
func TestMain(m *testing.M) {
	if target := os.Getenv("BREAKOUT_TARGET"); target != "" {
		os.Exit(breakout(target))
	}
	if sentinel := os.Getenv(probeEnv); sentinel != "" {
		os.Exit(probe(sentinel))
	}
	harness.Main(m)
}

// breakout is the classic chroot escape, run as root inside a container:
// chroot into a subdirectory while keeping the cwd outside it, climb with
// "..", which only stops at the process's root, and chroot to where the
// climb ended. It prints the first line of target if it got there.
func breakout(target string) int {
	os.Mkdir("/breakout", 0o755)
	if err := syscall.Chroot("/breakout"); err != nil {
		fmt.Println("chroot failed:", err)
		return 1
	}
	for i := 0; i < 100; i++ {
		syscall.Chdir("..")
	}
	syscall.Chroot(".")
	data, err := os.ReadFile(target)
	if err != nil {
		fmt.Println("CONTAINED:", err)
		return 0
	}
	fmt.Println("ESCAPED:", strings.SplitN(string(data), "\n", 2)[0])
	return 0
}

func TestBusyboxImage(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	out := e.MustRun("run", "--rm", "busybox", "sh", "-c", "cat /etc/os-release | head -1; ls /bin/busybox; echo $PATH")
	want := "NAME=\"mydocker busybox\"\n/bin/busybox\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	if out != want {
		t.Errorf("run busybox: %q, want %q", out, want)
	}
	// No command: the image's CMD, sh, reads its stdin (empty) and exits 0.
	r := e.Run("run", "--rm", "busybox")
	if r.Code != 0 {
		t.Errorf("run busybox with the image's own CMD: %v", r)
	}
}

func TestHostFilesInvisible(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	secret := filepath.Join(t.TempDir(), "host-secret")
	require.NoError(t, os.WriteFile(secret, []byte("host"), 0o644))
	wd, _ := os.Getwd()
	for _, path := range []string{secret, wd, "/etc/debian_version", "/usr/local/go", "/var/lib"} {
		r := e.Run("run", "--rm", "busybox", "test", "-e", path)
		if r.Code != 1 {
			t.Errorf("host path %s: test -e inside exits %d, want 1 (absent)", path, r.Code)
		}
	}
}

func TestNoTraceOfTheOldRoot(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	out := e.MustRun("run", "--rm", "busybox", "cat", "/proc/self/mountinfo")
	allowed := regexp.MustCompile(`^/(proc(/.*)?|dev(/(pts|shm|mqueue))?|sys(/fs/cgroup(/[a-z,_]+)?|/firmware|/devices/virtual/powercap)?|etc/(hosts|hostname|resolv\.conf))?$`)
	var points []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		require.Greater(t, len(f), 4, line)
		points = append(points, f[4])
		if !allowed.MatchString(f[4]) {
			t.Errorf("mountinfo inside lists %s: a mount from outside the container's root", f[4])
		}
	}
	if !slices.Contains(points, "/") || strings.Count(strings.Join(points, " ")+" ", "/ ") != 1 {
		t.Errorf("mount points inside %v: want exactly one /, the container's", points)
	}
}

func TestHostMountTableUnchanged(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	before := harness.MountTable()
	e.MustRun("run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", "mount -t tmpfs none /tmp && touch /tmp/x")
	if after := harness.MountTable(); after != before {
		t.Errorf("the host's mount table changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestDevices(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	out := e.MustRun("run", "--rm", "busybox", "sh", "-c",
		`echo gone > /dev/null && head -c 4 /dev/zero | od -An -tx1 && head -c 16 /dev/urandom | wc -c && ls /dev | tr '\n' ' '`)
	want := " 00 00 00 00\n16\ncore fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
	if out != want {
		t.Errorf("devices inside:\n%q\nwant\n%q", out, want)
	}
	// With -t: a terminal from the container's own devpts, and /dev/tty works.
	master, slave, err := harness.OpenPTY()
	require.NoError(t, err)
	defer master.Close()
	cmd := e.Cmd("run", "--rm", "-t", "busybox", "sh", "-c", "tty; ls /dev/pts | tr '\\n' ' '; echo; echo via-dev-tty > /dev/tty")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	require.NoError(t, cmd.Start())
	slave.Close()
	got := harness.ReadUntil(master, "via-dev-tty", 10*time.Second)
	cmd.Wait()
	// Two terminals turn each \n into \r\n: the container's, then the test's.
	got = strings.ReplaceAll(got, "\r\r\n", "\r\n")
	if !strings.Contains(got, "/dev/pts/0\r\n0 ptmx \r\n") || !strings.Contains(got, "via-dev-tty") {
		t.Errorf("with -t: %q; want /dev/pts/0 of a devpts of its own (only 0 and ptmx), and /dev/tty working", got)
	}
}

func TestSysAndProcAreGuarded(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	tests := []struct{ script, want string }{
		{"touch /sys/kernel/x 2>&1 || true", "Read-only file system"},
		{"{ echo 1 > /proc/sys/vm/drop_caches; } 2>&1 || true", "Read-only file system"},
		{"if [ -e /proc/sysrq-trigger ]; then { echo b > /proc/sysrq-trigger; } 2>&1; else echo 'Read-only file system (absent here)'; fi; true", "Read-only file system"},
		{"wc -c < /proc/keys", "0"},
		{"ls /proc/acpi /sys/firmware | wc -l", "3"}, // two headers and a blank line: empty dirs
		{"touch /sys/fs/cgroup/x 2>&1 || true", "Read-only file system"},
	}
	for _, tt := range tests {
		out := strings.TrimSpace(e.MustRun("run", "--rm", "busybox", "sh", "-c", tt.script))
		if tt.want == "0" || tt.want == "3" {
			if out != tt.want { // counts: exactly
				t.Errorf("%s: %q, want %q", tt.script, out, tt.want)
			}
		} else if !strings.Contains(out, tt.want) {
			t.Errorf("%s: %q, want %q", tt.script, out, tt.want)
		}
	}
	// The container sees its own cgroup, with its limit, and nothing else.
	out := e.MustRun("run", "--rm", "-m", "64m", "busybox", "sh", "-c",
		"cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes")
	if strings.TrimSpace(out) != "67108864" {
		t.Errorf("the memory limit read inside /sys/fs/cgroup = %q, want 67108864", out)
	}
}

func TestChrootBreakout(t *testing.T) {
	e := harness.New(t)
	self := harness.RequireStaticSelf(t)
	root := e.BusyboxDir()
	harness.CopyFile(t, self, filepath.Join(root, "escape"), 0o755)
	target := filepath.Join(t.TempDir(), "host-secret")
	require.NoError(t, os.WriteFile(target, []byte("the host's secret\n"), 0o600))

	// A chroot-only "container": the escape reaches the host's file.
	cmd := exec.Command("/escape")
	cmd.Env = []string{"BREAKOUT_TARGET=" + target}
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	if !strings.HasPrefix(string(out), "ESCAPED: the host's secret") {
		t.Fatalf("under a bare chroot the breakout printed %q; want it to escape (that is the point)", out)
	}
	// mydocker: pivot_root, old root detached: no way back.
	r := e.Run("run", "--rm", "-e", "BREAKOUT_TARGET="+target, root, "/escape")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "CONTAINED:") {
		t.Errorf("under mydocker the breakout: %v; want CONTAINED", r)
	}
}

func TestEnvWorkdirUser(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-e", "GREETING=hi there", "-e", "PATH=/bin", "busybox", "sh", "-c", `echo "$GREETING|$PATH|$HOME|$HOSTNAME"`}, "hi there|/bin|/root|box\n"},
		{[]string{"busybox", "pwd"}, "/\n"},
		{[]string{"-w", "/tmp", "busybox", "pwd"}, "/tmp\n"},
		{[]string{"-w", "/made/for/you", "busybox", "pwd"}, "/made/for/you\n"},
		// No supplementary groups unless /etc/group lists the user, as in runc.
		{[]string{"-u", "1000:1000", "busybox", "id"}, "uid=1000 gid=1000\n"},
		{[]string{"-u", "nobody", "busybox", "sh", "-c", "id; echo $HOME"}, "uid=65534(nobody) gid=65534(nogroup)\n/home\n"},
		{[]string{"-u", "daemon:tty", "busybox", "id"}, "uid=1(daemon) gid=5(tty)\n"},
		{[]string{"busybox", "id"}, "uid=0(root) gid=0(root) groups=10(wheel)\n"},
	}
	for _, tt := range tests {
		args := append([]string{"run", "--rm", "--hostname", "box"}, tt.args...)
		if got := e.MustRun(args...); got != tt.want {
			t.Errorf("mydocker %s = %q, want %q", strings.Join(args, " "), got, tt.want)
		}
	}
	r := e.Run("run", "--rm", "-u", "nosuchuser", "busybox", "id")
	if r.Code != 125 || !strings.Contains(r.Stderr, `user "nosuchuser": no matching entry in the container's /etc/passwd`) {
		t.Errorf("-u nosuchuser: %v", r)
	}
}

func TestEtcFiles(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	out := e.MustRun("run", "--rm", "--hostname", "web1", "busybox", "sh", "-c", "cat /etc/hostname; grep -c localhost /etc/hosts")
	if out != "web1\n2\n" {
		t.Errorf("/etc/hostname and localhost lines in /etc/hosts: %q, want web1 and 2", out)
	}
}

func TestDirectoryAndTarballImages(t *testing.T) {
	e := harness.New(t)
	dir := e.BusyboxDir()
	tarball := e.BusyboxTar()
	for _, img := range []string{dir, tarball} {
		r := e.Run("run", "--rm", img, "sh", "-c", "echo written > /etc/inside; cat /etc/passwd | head -1")
		if r.Code != 0 || r.Stdout != "root:x:0:0:root:/root:/bin/sh\n" {
			t.Errorf("run %s: %v", img, r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "etc", "inside")); err == nil {
		t.Errorf("a write in the container changed the image directory %s", dir)
	}
}

func TestBadInput(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.tar")
	require.NoError(t, os.WriteFile(corrupt, bytes.Repeat([]byte("not a tar "), 200), 0o644))
	notExec := filepath.Join(dir, "root")
	require.NoError(t, os.MkdirAll(filepath.Join(notExec, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(notExec, "bin", "tool"), []byte("data"), 0o644))
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"no-such-image", "sh"}, 125, `image "no-such-image" not found locally`},
		{[]string{filepath.Join(dir, "missing"), "sh"}, 125, "no such file or directory"},
		{[]string{corrupt, "sh"}, 125, "not a usable root filesystem tarball"},
		{[]string{fifo, "sh"}, 125, "neither a directory nor a tarball"},
		{[]string{"busybox", "no-such-command"}, 127, `exec "no-such-command": executable file not found`},
		{[]string{"busybox", "/etc/passwd"}, 126, "permission denied"},
		{[]string{notExec, "/bin/tool"}, 126, "permission denied"},
	}
	for _, tt := range tests {
		// --pull never: a test must not reach for Docker Hub.
		r := e.Run(append([]string{"run", "--rm", "--pull", "never"}, tt.args...)...)
		if r.Code != tt.code || strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, tt.msg) {
			t.Errorf("%v\nwant exit %d and one line with %q", r, tt.code, tt.msg)
		}
	}
	if out := e.MustRun("ps", "-a", "-q"); out != "" {
		t.Errorf("bad input left containers: %q", out)
	}
	if entries, _ := os.ReadDir(filepath.Join(e.Root, "layers")); len(entries) != 1 {
		var names []string
		for _, d := range entries {
			names = append(names, d.Name())
		}
		t.Errorf("the layer store holds %v; want only busybox's layer (nothing half-made)", names)
	}
}

func TestTraceShowsMounts(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("--trace narrates the kernel steps on the stderr of the mydocker that takes them: through a daemon, the daemon's")
	e.Busybox()
	r := e.Run("--trace", "run", "--rm", "busybox", "true")
	require.Equal(t, 0, r.Code, "%v", r)
	for _, step := range []string{
		`mount("overlay"`, "lowerdir=", `mount("proc", "/proc", "proc"`, `mount("tmpfs", "/dev", "tmpfs"`,
		`mount("devpts", "/dev/pts", "devpts", MS_NOSUID|MS_NOEXEC, "newinstance`, `mknod("/dev/null", S_IFCHR|0666, 1:3)`,
		`pivot_root(".", ".")`, "umount2(old root, MNT_DETACH)", `): masked`,
	} {
		if !strings.Contains(r.Stderr, step) {
			t.Errorf("--trace lacks %q", step)
		}
	}
}

func TestCapabilitiesAndDevices(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	// Docker's 14 capabilities but CAP_MKNOD: 0xa80425fb without bit 27.
	out := e.MustRun("run", "--rm", "busybox", "sh", "-c", "grep -E '^Cap(Eff|Bnd)' /proc/self/status")
	if out != "CapBnd:\t00000000a00425fb\nCapEff:\t00000000a00425fb\n" && out != "CapEff:\t00000000a00425fb\nCapBnd:\t00000000a00425fb\n" {
		t.Errorf("capabilities inside:\n%s\nwant a00425fb: Docker's defaults without CAP_MKNOD", out)
	}
	tests := []struct{ script, want string }{
		// No new device nodes...
		{"mknod /tmp/disk b 8 0 2>&1; true", "Operation not permitted"},
		// ...no mounts, so no way to reach the host's disks...
		{"mkdir -p /m && mount -t tmpfs none /m 2>&1; true", "permission denied"},
		// ...and init is not open to inspection.
		{"cat /proc/1/environ 2>&1; true", "Permission denied"},
	}
	for _, tt := range tests {
		if out := e.MustRun("run", "--rm", "busybox", "sh", "-c", tt.script); !strings.Contains(out, tt.want) {
			t.Errorf("%s: %q, want %q", tt.script, out, tt.want)
		}
	}

	// A device node shipped in an image opens nothing: the root is nodev.
	dir := e.BusyboxDir()
	require.NoError(t, syscall.Mknod(filepath.Join(dir, "zero-from-image"), syscall.S_IFCHR|0o666, 1<<8|5))
	r := e.Run("run", "--rm", dir, "sh", "-c", "head -c 1 /zero-from-image | wc -c")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "0" || !strings.Contains(r.Stderr, "Permission denied") {
		t.Errorf("reading a device node from the image: %v; want it refused (nodev)", r)
	}
}

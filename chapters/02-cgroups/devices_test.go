// Chapter 02's device cgroup tests: Docker's rules, kept by devices.allow
// on v1 (natively here) and by an eBPF program on v2 (in `make test-vm`).
// A container root with CAP_MKNOD can make any device node; the cgroup is
// what stops it from opening one that reaches the host.
package chapter02

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// Docker's device cgroup: with --cap-add MKNOD, mknod of the host's kernel
// log (c 1:11) and of a block device succeeds, but opening them fails with
// EPERM, as `docker run --cap-add MKNOD` does; the standard nodes work.
func TestDeviceCgroupRefusesHostDevices(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	// Each open in a subshell: a failed redirection must not end the script.
	r := e.Run("run", "--rm", "--cap-add", "MKNOD", "busybox", "sh", "-c", `
		mknod /dev/k c 1 11 && echo mknod-char-ok
		mknod /dev/b b 7 0 && echo mknod-block-ok
		(echo mydocker-device-cgroup-test > /dev/k) && echo WROTE-THE-HOST-KERNEL-LOG
		(exec 3< /dev/k) && echo OPENED-THE-HOST-KERNEL-LOG
		(exec 3< /dev/b) && echo OPENED-A-HOST-BLOCK-DEVICE
		echo x > /dev/null && echo null-ok
		head -c 4 /dev/zero | wc -c
		head -c 4 /dev/urandom | wc -c
		head -c 4 /dev/random | wc -c
		(exec 3> /dev/full) && echo full-ok
		true`)
	if r.Code != 0 {
		t.Fatalf("%v", r)
	}
	t.Logf("stderr: %q", r.Stderr)
	if want := "mknod-char-ok\nmknod-block-ok\nnull-ok\n4\n4\n4\nfull-ok\n"; r.Stdout != want {
		t.Errorf("stdout = %q, want %q: mknod allowed, the host's devices refused, the standard ones working", r.Stdout, want)
	}
	for _, node := range []string{"/dev/k", "/dev/b"} {
		re := regexp.MustCompile(regexp.QuoteMeta(node) + `'?: Operation not permitted`)
		if n := len(re.FindAllString(r.Stderr, -1)); n == 0 {
			t.Errorf("opening %s: stderr = %q, want EPERM (Operation not permitted)", node, r.Stderr)
		}
	}
}

// Docker's device cgroup with -t: the container's terminal is /dev/pts/0
// (c 136:0), /dev/tty (c 5:0) and /dev/ptmx (c 5:2) open, as in `docker run -t`.
func TestDeviceCgroupAllowsTheTerminal(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	master, slave, err := harness.OpenPTY()
	require.NoError(t, err)
	defer master.Close()
	cmd := e.Cmd("run", "--rm", "-t", "busybox", "sh", "-c",
		`echo via-tty > /dev/tty; echo via-pts > "$(tty)"; (exec 3<> /dev/ptmx) && echo ptmx-ok; echo done`)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	require.NoError(t, cmd.Start())
	slave.Close()
	got := harness.ReadUntil(master, "done", 10*time.Second)
	cmd.Wait()
	for _, want := range []string{"via-tty", "via-pts", "ptmx-ok"} {
		if !strings.Contains(got, want) {
			t.Errorf("with -t: %q; want %s (and no Operation not permitted)", got, want)
		}
	}
}

// Docker's rules as the kernel holds them: on v1 the group's devices.list,
// read from the host, is deny-all plus the allow list; on v2 --trace shows
// the program loaded and attached to the container's group.
func TestDeviceRulesAreInstalled(t *testing.T) {
	e := harness.New(t)
	if v2() {
		e.Daemonless("--trace narrates the kernel steps on the stderr of the mydocker that takes them: through a daemon, the daemon's")
		r := e.Run("--trace", "run", "--rm", "host", "true")
		require.Equal(t, 0, r.Code, "%v", r)
		trace := harness.Untimed(r.Stderr)
		for _, re := range []string{
			`=> \[host\] bpf\(BPF_PROG_LOAD, cgroup_device, 60 insns\) = fd \d+`,
			`=> \[host\] bpf\(BPF_PROG_ATTACH, /sys/fs/cgroup/mydocker/[0-9a-f]{64}, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI\)`,
		} {
			if m := regexp.MustCompile(re).FindString(trace); m == "" {
				t.Errorf("--trace lacks %s:\n%s", re, trace)
			} else {
				t.Log(m)
			}
		}
		return
	}
	_, g := running(t, e, "devices", "host", "sh", "-c", "echo ready; exec sleep 60")
	want := "c *:* m\nb *:* m\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* rwm"
	if got := g.read(t, "devices", "devices.list"); got != want {
		t.Errorf("%s/devices.list =\n%s\nwant\n%s", g.dir("devices"), got, want)
	}
}

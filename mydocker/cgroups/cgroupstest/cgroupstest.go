// Package cgroupstest checks a cgroup v2 memory and pids limiter: a function
// that writes a container's -m, --memory-swap and --pids-limit into its
// group's files. The engine's cgroups.WriteV2 and lab 02 pass the same
// checker.
//
// CheckV2Limiter has two parts. "files" runs anywhere: it calls the limiter
// on a directory made to look like a v2 group and compares the files with a
// table. "enforced" needs a real cgroup v2 host: it puts a process in a real
// group limited by the limiter, and watches the kernel refuse its forks and
// OOM-kill it. On a host without cgroup v2 (a v1/v2 hybrid) that part runs
// in the cgroup v2 VM instead (make test-vm).
package cgroupstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mydocker/mydocker/mydocker/cgroups"
)

// Limiter writes r's memory and pids limits into the v2 group at dir.
type Limiter func(dir string, r *cgroups.Resources) error

// Cases are the table both the engine and the lab are held to: the
// Resources, and what each file must hold afterwards ("max" is the kernel's
// value in a fresh group).
var Cases = []struct {
	Name  string
	R     cgroups.Resources
	Files map[string]string
}{
	{"no limits: files untouched", cgroups.Resources{},
		map[string]string{"memory.max": "max", "memory.swap.max": "max", "pids.max": "max"}},
	{"-m 64m: swap as big again, as Docker does", cgroups.Resources{Memory: 64 << 20},
		map[string]string{"memory.max": "67108864", "memory.swap.max": "67108864", "pids.max": "max"}},
	{"-m 64m --memory-swap 96m: v2 counts swap alone", cgroups.Resources{Memory: 64 << 20, MemorySwap: 96 << 20},
		map[string]string{"memory.max": "67108864", "memory.swap.max": "33554432", "pids.max": "max"}},
	{"-m 64m --memory-swap 64m: no swap", cgroups.Resources{Memory: 64 << 20, MemorySwap: 64 << 20},
		map[string]string{"memory.max": "67108864", "memory.swap.max": "0", "pids.max": "max"}},
	{"-m 6m --memory-swap -1: unlimited swap", cgroups.Resources{Memory: 6 << 20, MemorySwap: -1},
		map[string]string{"memory.max": "6291456", "memory.swap.max": "max", "pids.max": "max"}},
	{"--pids-limit 100", cgroups.Resources{PidsLimit: 100},
		map[string]string{"memory.max": "max", "memory.swap.max": "max", "pids.max": "100"}},
	{"--pids-limit -1: unlimited", cgroups.Resources{PidsLimit: -1},
		map[string]string{"memory.max": "max", "memory.swap.max": "max", "pids.max": "max"}},
}

// CheckV2Limiter runs both parts of the check.
func CheckV2Limiter(t *testing.T, limit Limiter) {
	t.Run("files", func(t *testing.T) {
		for _, c := range Cases {
			t.Run(c.Name, func(t *testing.T) {
				dir := t.TempDir()
				for f := range c.Files {
					if err := os.WriteFile(filepath.Join(dir, f), []byte("max\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				r := c.R
				if err := limit(dir, &r); err != nil {
					t.Fatalf("Limit returned %v, want nil", err)
				}
				for f, want := range c.Files {
					data, _ := os.ReadFile(filepath.Join(dir, f))
					if got := strings.TrimSpace(string(data)); got != want {
						t.Errorf("%s = %q, want %q", f, got, want)
					}
				}
			})
		}
	})
	t.Run("enforced", func(t *testing.T) { checkEnforced(t, limit) })
}

func checkEnforced(t *testing.T, limit Limiter) {
	if mode, _ := cgroups.DetectMode(); mode != cgroups.Unified || os.Geteuid() != 0 {
		if os.Getenv("MYDOCKER_V2_IN_VM") == "1" {
			t.Skip("this host is not pure cgroup v2 (or not root): the kernel's enforcement is checked in the cgroup v2 VM")
		}
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: needs root on a pure cgroup v2 host, or MYDOCKER_V2_IN_VM=1 with make test-vm")
		}
		t.Skip("needs root on a pure cgroup v2 host (the Vagrant VM, or make test-vm)")
	}
	// A real group, made by the engine without limits: the limiter's job.
	g, err := cgroups.New(fmt.Sprintf("lab-%d", os.Getpid()), &cgroups.Resources{})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Destroy()
	dir := g.Dir("memory")
	if err := limit(dir, &cgroups.Resources{Memory: 16 << 20, MemorySwap: 16 << 20, PidsLimit: 8}); err != nil {
		t.Fatalf("limit on a real group: %v", err)
	}
	out, code := runIn(t, dir, "for i in $(seq 20); do sleep 5 </dev/null >/dev/null 2>&1 & done; echo all-forked")
	if code == 0 || !strings.Contains(strings.ToLower(out), "fork") {
		t.Errorf("with pids.max 8, a shell starting 20 processes said %q (exit %d); want a fork refused", out, code)
	}
	_, code = runIn(t, dir, "x=a; while :; do x=$x$x$x$x; done")
	events, _ := os.ReadFile(filepath.Join(dir, "memory.events"))
	if code != 128+int(syscall.SIGKILL) || !strings.Contains(string(events), "oom_kill 1") {
		t.Errorf("with memory.max 16M, a shell growing a string without end exited %d; memory.events:\n%s\nwant it OOM-killed (137, oom_kill 1)", code, events)
	}
}

// runIn runs a shell script in a process born in the group (clone3 into
// the cgroup), kills what it leaves behind, and returns its output and exit
// code (128+N if signal N killed it).
func runIn(t *testing.T, dir, script string) (string, int) {
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(f.Fd())}
	out, _ := cmd.CombinedOutput()
	os.WriteFile(filepath.Join(dir, "cgroup.kill"), []byte("1"), 0)
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return string(out), 128 + int(ws.Signal())
	}
	return string(out), cmd.ProcessState.ExitCode()
}

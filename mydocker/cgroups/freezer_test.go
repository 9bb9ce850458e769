package cgroups

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// TestFreezer freezes a real group holding a process that spins on the
// CPU, on each cgroup version this host has: v1's freezer.state and v2's
// cgroup.freeze (the hybrid's /sys/fs/cgroup/unified has it; a pure v2
// host, the VM, runs the same test on its only hierarchy). Frozen, the
// process's CPU time must stand still and /proc must not call it running;
// thawed, it must run again.
func TestFreezer(t *testing.T) {
	testenv.RequireRoot(t, "the freezer needs real cgroups")
	mode, err := DetectMode()
	require.NoError(t, err)
	t.Run("v1", func(t *testing.T) {
		if mode == Unified {
			// Not a missing capability: a pure v2 host (the VM) has no v1
			// hierarchy at all. The hybrid CI host runs this part.
			t.Skip("this host is pure cgroup v2: the v1 freezer is tested on v1 and hybrid hosts")
		}
		g, err := New(fmt.Sprintf("freezetest-%d", os.Getpid()), &Resources{})
		require.NoError(t, err)
		defer g.Destroy()
		checkFreezer(t, g.Dirs["freezer"], "D", g.Freeze, g.Thaw, g.Frozen)
	})
	t.Run("v2", func(t *testing.T) {
		var dir string
		if mode == Unified {
			g, err := New(fmt.Sprintf("freezetest-%d", os.Getpid()), &Resources{})
			require.NoError(t, err)
			defer g.Destroy()
			dir = g.Dirs[""]
		} else {
			testenv.Require(t, mode == Hybrid, "no cgroup2 hierarchy on this host")
			dir = filepath.Join(Mountpoint, "unified", ownV2Path(t), fmt.Sprintf("mydocker-freezetest-%d", os.Getpid()))
			require.NoError(t, os.Mkdir(dir, 0o755))
			defer removeGroup(Unified, dir)
		}
		checkFreezer(t, dir, "S",
			func() error { return FreezeV2(dir, true) },
			func() error { return FreezeV2(dir, false) },
			func() (bool, error) { return FrozenV2(dir) })
	})
}

// checkFreezer puts a spinning shell in the group at dir and freezes it.
// frozenState is the state letter /proc shows for a frozen task.
func checkFreezer(t *testing.T, dir, frozenState string, freeze, thaw func() error, frozen func() (bool, error)) {
	cmd := exec.Command("/bin/sh", "-c", "while :; do :; done")
	require.NoError(t, cmd.Start())
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0))

	require.NoError(t, freeze())
	if ok, err := frozen(); !ok || err != nil {
		t.Fatalf("Frozen() after Freeze = %v, %v; want true", ok, err)
	}
	state, cpu := procState(t, pid)
	time.Sleep(200 * time.Millisecond)
	_, cpu2 := procState(t, pid)
	if state != frozenState || cpu2 != cpu {
		t.Errorf("frozen: /proc/%d says state %s, CPU ticks %d then %d 200ms later; want state %s, ticks unchanged", pid, state, cpu, cpu2, frozenState)
	}

	require.NoError(t, thaw())
	if ok, err := frozen(); ok || err != nil {
		t.Fatalf("Frozen() after Thaw = %v, %v; want false", ok, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, now := procState(t, pid); now > cpu2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("thawed: the spinning process used no CPU in 10 s")
		}
	}
}

// procState reads a process's state letter and its CPU time (utime+stime)
// from /proc/PID/stat.
func procState(t *testing.T, pid int) (string, uint64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(t, err)
	f := strings.Fields(string(data)[strings.LastIndexByte(string(data), ')')+1:])
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	return f[0], utime + stime
}

// ownV2Path is this process's group on the cgroup2 hierarchy ("0::/path").
func ownV2Path(t *testing.T) string {
	data, err := os.ReadFile("/proc/self/cgroup")
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p
		}
	}
	t.Fatal("no 0:: line in /proc/self/cgroup")
	return ""
}

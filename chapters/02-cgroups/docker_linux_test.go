// Side by side with Docker: for the same flags, a mydocker container must
// see the same cgroup files at /sys/fs/cgroup as a Docker container, with
// the same values. On a cgroup v1 host (or a v1/v2 hybrid, like this
// course's CI machines) the test starts a real Docker engine of its own
// (harness.StartDockerd) and runs both; on pure cgroup v2 (the VM of
// `make test-vm`, which has no Docker) it holds mydocker to the values
// Docker documents for v2.
package chapter02

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/chapters/harness"
)

// dockerCases are the flag sets compared and, for v2, the values Docker
// documents for them where they differ from a fresh group's (v2Defaults):
// memory.swap.max is --memory-swap minus -m (as big as -m when only -m is
// given), cpu.max is "quota period" with a 100 ms period, and cpu.weight is
// --cpu-shares converted as runc's ConvertCPUSharesToCgroupV2Value does,
// 1 + (shares-2)*9999/262142.
var dockerCases = []struct {
	flags []string
	v2    map[string]string
}{
	{nil, nil},
	{[]string{"-m", "64m"}, map[string]string{"memory.max": "67108864", "memory.swap.max": "67108864"}},
	{[]string{"-m", "64m", "--memory-swap", "128m"}, map[string]string{"memory.max": "67108864", "memory.swap.max": "67108864"}},
	{[]string{"-m", "64m", "--memory-swap", "-1"}, map[string]string{"memory.max": "67108864", "memory.swap.max": "max"}},
	{[]string{"--cpus", "0.5"}, map[string]string{"cpu.max": "50000 100000"}},
	{[]string{"--cpu-shares", "512"}, map[string]string{"cpu.weight": "20"}},
	{[]string{"--cpuset-cpus", "0"}, map[string]string{"cpuset.cpus": "0"}},
	{[]string{"--pids-limit", "50"}, map[string]string{"pids.max": "50"}},
	{[]string{"-m", "32m", "--memory-swap", "96m", "--cpus", "0.25", "--cpu-shares", "2048", "--cpuset-cpus", "0", "--pids-limit", "20"},
		map[string]string{"memory.max": "33554432", "memory.swap.max": "67108864", "cpu.max": "25000 100000",
			"cpu.weight": "79", "cpuset.cpus": "0", "pids.max": "20"}},
}

// v2Defaults are a fresh v2 group's values, what Docker shows without flags.
var v2Defaults = map[string]string{"memory.max": "max", "memory.swap.max": "max", "cpu.max": "max 100000",
	"cpu.weight": "100", "cpuset.cpus": "", "pids.max": "max"}

// v1Files are the files whose values are compared on v1 (every file's
// presence is compared too).
var v1Files = []string{"memory/memory.limit_in_bytes", "memory/memory.memsw.limit_in_bytes",
	"cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us", "cpu/cpu.shares",
	"cpuset/cpuset.cpus", "cpuset/cpuset.mems", "pids/pids.max"}

// view is what a container prints of its /sys/fs/cgroup: every entry two
// levels deep (v1: each hierarchy and its files), then "file=value" for
// each of files.
func view(files []string) string {
	return `cd /sys/fs/cgroup || exit 1; find . -maxdepth 2 | sort; for f in ` + strings.Join(files, " ") +
		`; do v=$(cat "$f" 2>/dev/null) || v='<absent>'; echo "$f=$v"; done`
}

func TestCgroupFilesMatchDocker(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	if v2() {
		checkV2AsDockerDocuments(t, e)
		return
	}
	d := harness.StartDockerd(t)
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	e.MustRun("save", "-o", archive, "busybox")
	d.Load(archive)
	t.Logf("Docker engine %s", strings.TrimSpace(d.Docker("version", "--format", "{{.Server.Version}}").Stdout))
	script := view(v1Files)
	for _, c := range dockerCases {
		t.Run(flagsName(c.flags), func(t *testing.T) {
			docker := d.Docker(append(append([]string{"run", "--rm", "--network", "none", "--pull", "never"}, c.flags...),
				"busybox", "sh", "-c", script)...)
			if docker.Code != 0 {
				t.Fatalf("%v", docker)
			}
			mine := e.Run(append(append([]string{"run", "--rm"}, c.flags...), "busybox", "sh", "-c", script)...)
			if mine.Code != 0 {
				t.Fatalf("%v", mine)
			}
			if onlyDocker, onlyMine := lineDiff(docker.Stdout, mine.Stdout); len(onlyDocker)+len(onlyMine) > 0 {
				t.Errorf("/sys/fs/cgroup inside differs from Docker's:\nonly in Docker's: %q\nonly in mydocker's: %q",
					onlyDocker, onlyMine)
			}
			if !strings.Contains(mine.Stdout, "./cpuset/cpuset.cpus\n") {
				t.Errorf("no cpuset/cpuset.cpus inside:\n%s", mine.Stdout)
			}
		})
	}
}

// checkV2AsDockerDocuments holds each flag set's files to Docker's v2
// values, and the controllers inside to the ones Docker's runc enables:
// every one the root has.
func checkV2AsDockerDocuments(t *testing.T, e *harness.Env) {
	root, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers")
	if err != nil {
		t.Fatal(err)
	}
	controllers := strings.Fields(string(root))
	t.Logf("the root's controllers: %s", strings.Join(controllers, " "))
	files := []string{"cgroup.controllers"}
	for f := range v2Defaults {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, c := range dockerCases {
		t.Run(flagsName(c.flags), func(t *testing.T) {
			r := e.Run(append(append([]string{"run", "--rm"}, c.flags...), "busybox", "sh", "-c", view(files))...)
			if r.Code != 0 {
				t.Fatalf("%v", r)
			}
			got := map[string]string{}
			listed := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					got[k] = v
				} else {
					listed[strings.TrimPrefix(line, "./")] = true
				}
			}
			for f, def := range v2Defaults {
				want, ok := c.v2[f]
				if !ok {
					want = def
				}
				if got[f] != want {
					t.Errorf("%s = %q inside, want %q (Docker's)", f, got[f], want)
				}
			}
			if got["cgroup.controllers"] != strings.Join(controllers, " ") {
				t.Errorf("cgroup.controllers = %q inside, want every controller the root has, %q, as Docker's runc enables",
					got["cgroup.controllers"], strings.Join(controllers, " "))
			}
			for _, ctrl := range controllers {
				if !hasPrefixed(listed, ctrl+".") {
					t.Errorf("no %s.* file inside /sys/fs/cgroup", ctrl)
				}
			}
		})
	}
}

func flagsName(flags []string) string {
	if len(flags) == 0 {
		return "no flags"
	}
	return strings.Join(flags, " ")
}

// lineDiff returns the lines only in a and only in b.
func lineDiff(a, b string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(b, "\n") {
		count[l]--
	}
	for l, n := range count {
		for ; n > 0; n-- {
			onlyA = append(onlyA, l)
		}
		for ; n < 0; n++ {
			onlyB = append(onlyB, l)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}

func hasPrefixed(set map[string]bool, prefix string) bool {
	for k := range set {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

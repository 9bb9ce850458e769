package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func ExampleParseBytes() {
	for _, s := range []string{"512m", "1.5g", "100", "64k", "2GiB", "6mb", "12x", "-1"} {
		n, err := ParseBytes(s)
		fmt.Println(s, n, err != nil)
	}
	// Output:
	// 512m 536870912 false
	// 1.5g 1610612736 false
	// 100 100 false
	// 64k 65536 false
	// 2GiB 2147483648 false
	// 6mb 6291456 false
	// 12x 0 true
	// -1 0 true
}

func ExampleSharesToWeight() {
	for _, shares := range []int64{2, 512, 1024, 262144} {
		fmt.Println(shares, "→", SharesToWeight(shares))
	}
	// Output:
	// 2 → 1
	// 512 → 20
	// 1024 → 39
	// 262144 → 10000
}

func ExampleV2Files() {
	r := &Resources{Memory: 64 << 20, NanoCPUs: 1.5e9, CPUShares: 512, PidsLimit: 100, CpusetCpus: "0"}
	for _, f := range V2Files(r) {
		fmt.Printf("%s = %s\n", f[0], f[1])
	}
	// Output:
	// cpuset.cpus = 0
	// memory.max = 67108864
	// memory.swap.max = 67108864
	// cpu.max = 150000 100000
	// cpu.weight = 20
	// pids.max = 100
}

func TestSwapConversion(t *testing.T) {
	tests := []struct {
		memory, swap int64
		v2, v1       string
	}{
		{64 << 20, 0, "67108864", "134217728"},         // default: swap as big as memory
		{64 << 20, 100 << 20, "37748736", "104857600"}, // v2 counts swap alone, v1 memory+swap
		{64 << 20, -1, "max", "-1"},                    // unlimited swap
		{64 << 20, 64 << 20, "0", "67108864"},          // no swap at all
	}
	for _, tt := range tests {
		r := &Resources{Memory: tt.memory, MemorySwap: tt.swap}
		if got := fileValue(V2Files(r), "memory.swap.max"); got != tt.v2 {
			t.Errorf("-m %d --memory-swap %d: v2 memory.swap.max = %q, want %q", tt.memory, tt.swap, got, tt.v2)
		}
		var v1 string
		for _, f := range V1Files(r) {
			if f[1] == "memory.memsw.limit_in_bytes" {
				v1 = f[2]
			}
		}
		if v1 != tt.v1 {
			t.Errorf("-m %d --memory-swap %d: v1 memsw = %q, want %q", tt.memory, tt.swap, v1, tt.v1)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		r    Resources
		err  string // "" for valid
	}{
		{"no limits", Resources{}, ""},
		{"all good", Resources{Memory: 64 << 20, MemorySwap: 128 << 20, NanoCPUs: 1.5e9, CPUShares: 512, CpusetCpus: "0-1", PidsLimit: 10}, ""},
		{"-m 1k", Resources{Memory: 1024}, "minimum memory limit allowed is 6MB"},
		{"swap below memory", Resources{Memory: 64 << 20, MemorySwap: 32 << 20}, "must be at least -m"},
		{"swap without memory", Resources{MemorySwap: 32 << 20}, "needs -m"},
		{"--cpus -1", Resources{NanoCPUs: -1e9}, "from 0.01 to 2.00"},
		{"--cpus 99", Resources{NanoCPUs: 99e9}, "only 2 CPUs"},
		{"--cpus 0.001", Resources{NanoCPUs: 1e6}, "out of range"},
		{"--cpu-shares 1", Resources{CPUShares: 1}, "from 2 to 262144"},
		{"--cpuset-cpus 99", Resources{CpusetCpus: "99"}, "CPU 99 is not available"},
		{"--cpuset-cpus x", Resources{CpusetCpus: "x"}, "invalid CPU list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate(2, "0-1")
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("Validate(%+v) = %v, want %q", tt.r, err, tt.err)
			}
		})
	}
}

// recorder is a cgroup filesystem in a temp dir, made to look like a
// cgroupfs: interface files are created on first write, every write is
// recorded, and device programs are recorded instead of attached.
type recorder struct{ writes []string }

func (rec *recorder) fs(mount string, v1 []v1Hierarchy) *cgroupfs {
	return &cgroupfs{
		Mount: mount,
		V1:    func() ([]v1Hierarchy, error) { return v1, nil },
		Write: func(dir, file, value string) error {
			path := filepath.Join(dir, file)
			rec.writes = append(rec.writes, path+" "+value)
			return os.WriteFile(path, []byte(value), 0o644)
		},
		AttachDevices: func(dir string, rules []DeviceRule) error {
			rec.writes = append(rec.writes, fmt.Sprintf("%s bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) %d insns", dir, len(DeviceProgram(rules))))
			return nil
		},
	}
}

func TestNewV2OnFakeFS(t *testing.T) {
	var rec recorder
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "cgroup.controllers"), []byte("cpuset cpu io memory hugetlb pids\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte("memory pids\n"), 0o644))
	// A fake "mydocker" group, already made, offering what the root hands down.
	parent := filepath.Join(root, Parent)
	require.NoError(t, os.Mkdir(parent, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(parent, "cgroup.controllers"), []byte("cpuset cpu io memory pids\n"), 0o644))

	g, err := newV2(rec.fs(root, nil), "c1", &Resources{Memory: 64 << 20, PidsLimit: 50})
	require.NoError(t, err)
	dir := filepath.Join(parent, "c1")
	if got := g.Dir("memory"); got != dir {
		t.Errorf("group dir = %s, want %s", got, dir)
	}
	want := []string{
		// The root already hands down memory and pids: only what is missing
		// is added, one controller at a time, every one the root has
		// (hugetlb too, as runc enables it for Docker).
		root + "/cgroup.subtree_control +cpuset",
		root + "/cgroup.subtree_control +cpu",
		root + "/cgroup.subtree_control +io",
		root + "/cgroup.subtree_control +hugetlb",
		parent + "/cgroup.subtree_control +cpuset",
		parent + "/cgroup.subtree_control +cpu",
		parent + "/cgroup.subtree_control +io",
		parent + "/cgroup.subtree_control +memory",
		parent + "/cgroup.subtree_control +pids",
		dir + "/memory.max 67108864",
		dir + "/memory.swap.max 67108864",
		dir + "/pids.max 50",
		// The device rules, compiled to eBPF, last: before the command is born there.
		dir + " bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) 60 insns",
	}
	if !reflect.DeepEqual(rec.writes, want) {
		t.Errorf("writes:\n%s\nwant:\n%s", strings.Join(rec.writes, "\n"), strings.Join(want, "\n"))
	}
}

func TestNewV1OnFakeFS(t *testing.T) {
	var rec recorder
	root := t.TempDir()
	mk := func(ctrls ...string) v1Hierarchy {
		m := filepath.Join(root, strings.Join(ctrls, ","))
		require.NoError(t, os.MkdirAll(filepath.Join(m, "user.slice"), 0o755))
		return v1Hierarchy{Controllers: ctrls, Mount: m, Path: "/user.slice"}
	}
	hs := []v1Hierarchy{mk("cpu", "cpuacct"), mk("memory"), mk("pids"), mk("cpuset"), mk("devices"), mk("name=systemd")}
	// A cpuset group starts empty: the test's parents have CPUs and nodes.
	for _, d := range []string{hs[3].Mount, filepath.Join(hs[3].Mount, "user.slice")} {
		require.NoError(t, os.WriteFile(filepath.Join(d, "cpuset.cpus"), []byte("0-1\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(d, "cpuset.mems"), []byte("0\n"), 0o644))
	}
	fs := rec.fs(root, hs)

	g, err := newV1(fs, Hybrid, "c1", &Resources{Memory: 64 << 20, NanoCPUs: 0.5e9, PidsLimit: 50, CpusetCpus: "1"})
	require.NoError(t, err)
	// A group in every hierarchy, as Docker's container has, limits or not.
	for ctrl, m := range map[string]string{"cpu": hs[0].Mount, "cpuacct": hs[0].Mount, "memory": hs[1].Mount, "pids": hs[2].Mount,
		"cpuset": hs[3].Mount, "devices": hs[4].Mount, "name=systemd": hs[5].Mount} {
		want := filepath.Join(m, "user.slice", Parent, "c1")
		if got := g.Dir(ctrl); got != want {
			t.Errorf("%s group = %s, want %s: beneath the caller's own group", ctrl, got, want)
		}
		if _, err := os.Stat(want); err != nil {
			t.Errorf("%s group: %v", ctrl, err)
		}
	}
	// The devices group: deny all first, then Docker's rules, in order.
	devices := hs[4].Mount + "/user.slice/mydocker/c1/"
	var got []string
	for _, w := range rec.writes {
		if strings.HasPrefix(w, devices) {
			got = append(got, strings.TrimPrefix(w, devices))
		}
	}
	want := []string{"devices.deny a"}
	for _, r := range DefaultDevices {
		want = append(want, "devices.allow "+r.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("writes to the devices group:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	has := strings.Join(rec.writes, "\n")
	for _, w := range []string{
		hs[1].Mount + "/user.slice/mydocker/c1/memory.limit_in_bytes 67108864",
		hs[1].Mount + "/user.slice/mydocker/c1/memory.memsw.limit_in_bytes 134217728",
		hs[0].Mount + "/user.slice/mydocker/c1/cpu.cfs_period_us 100000",
		hs[0].Mount + "/user.slice/mydocker/c1/cpu.cfs_quota_us 50000",
		// One more than the limit until init's thread has left (writeV1).
		hs[2].Mount + "/user.slice/mydocker/c1/pids.max 51",
		hs[3].Mount + "/user.slice/mydocker/cpuset.cpus 0-1",
		hs[3].Mount + "/user.slice/mydocker/cpuset.mems 0",
		hs[3].Mount + "/user.slice/mydocker/c1/cpuset.cpus 1",
	} {
		if !strings.Contains(has, w) {
			t.Errorf("no write %q; writes:\n%s", w, has)
		}
	}

	// The group planned before it exists numbers init's files as the
	// group New made: the engine sends init the one and opens the other's.
	planned := withPidsMax(placeV1(Hybrid, hs, "c1"), &Resources{PidsLimit: 50})
	if got, want := planned.Placement(3), g.Placement(3); !reflect.DeepEqual(got, want) {
		t.Errorf("Placement of the planned group = %+v, want New's %+v", got, want)
	}

	// Without --cpuset-cpus the cpuset group is made all the same, and
	// filled from its parent, or no task could join it.
	rec.writes = nil
	g, err = newV1(fs, Hybrid, "c2", &Resources{})
	require.NoError(t, err)
	if got, want := g.Dir("cpuset"), filepath.Join(hs[3].Mount, "user.slice", Parent, "c2"); got != want {
		t.Errorf("cpuset group without --cpuset-cpus = %q, want %s", got, want)
	}
	has = strings.Join(rec.writes, "\n")
	for _, w := range []string{
		hs[3].Mount + "/user.slice/mydocker/c2/cpuset.cpus 0-1",
		hs[3].Mount + "/user.slice/mydocker/c2/cpuset.mems 0",
	} {
		if !strings.Contains(has, w) {
			t.Errorf("no write %q; writes:\n%s", w, has)
		}
	}
}

func fileValue(files [][2]string, name string) string {
	for _, f := range files {
		if f[0] == name {
			return f[1]
		}
	}
	return ""
}

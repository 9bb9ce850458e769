package cgroups

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Docker's default device rules, as v1's devices.allow takes them.
func ExampleDefaultDevices() {
	fmt.Println("devices.deny: a")
	for _, r := range DefaultDevices {
		fmt.Printf("devices.allow: %-11s # %s\n", r, r.Name)
	}
	// Output:
	// devices.deny: a
	// devices.allow: c *:* m     # any character device: mknod only
	// devices.allow: b *:* m     # any block device: mknod only
	// devices.allow: c 1:3 rwm   # /dev/null
	// devices.allow: c 1:5 rwm   # /dev/zero
	// devices.allow: c 1:7 rwm   # /dev/full
	// devices.allow: c 1:8 rwm   # /dev/random
	// devices.allow: c 1:9 rwm   # /dev/urandom
	// devices.allow: c 5:0 rwm   # /dev/tty
	// devices.allow: c 5:1 rwm   # /dev/console
	// devices.allow: c 5:2 rwm   # /dev/ptmx
	// devices.allow: c 136:* rwm # /dev/pts/*
}

// The same rules as a cgroup v2 device program: what newV2 loads.
func ExampleDeviceProgram() {
	rules := []DeviceRule{DefaultDevices[0], DefaultDevices[2], DefaultDevices[10]}
	fmt.Print(DeviceProgram(rules))
	// Output:
	//  0: r2 = *(u32 *)(r1 +0)       ; r2 = ctx->access_type
	//  1: w2 &= 65535                ; r2 = its low 16 bits: the device type, 1 block, 2 char
	//  2: r3 = *(u32 *)(r1 +0)       ; r3 = ctx->access_type
	//  3: w3 >>= 16                  ; r3 = its high 16 bits: the access, 1 mknod | 2 read | 4 write
	//  4: r4 = *(u32 *)(r1 +4)       ; r4 = ctx->major
	//  5: r5 = *(u32 *)(r1 +8)       ; r5 = ctx->minor
	//  6: if r2 != 0x2 goto pc+3     ; rule "c *:* m" (any character device: mknod only): type c?
	//  7: if r3 & 0x6 goto pc+2      ; asks for rw, which the rule does not allow?
	//  8: r0 = 1                     ; the rule matches: return 1, allow
	//  9: exit
	// 10: if r2 != 0x2 goto pc+4     ; rule "c 1:3 rwm" (/dev/null): type c?
	// 11: if r4 != 0x1 goto pc+3     ; major 1?
	// 12: if r5 != 0x3 goto pc+2     ; minor 3?
	// 13: r0 = 1                     ; the rule matches: return 1, allow
	// 14: exit
	// 15: if r2 != 0x2 goto pc+3     ; rule "c 136:* rwm" (/dev/pts/*): type c?
	// 16: if r4 != 0x88 goto pc+2    ; major 136?
	// 17: r0 = 1                     ; the rule matches: return 1, allow
	// 18: exit
	// 19: r0 = 0                     ; no rule allows it: return 0, deny (EPERM)
	// 20: exit
}

// The access and type numbers are the kernel's (include/uapi/linux/bpf.h).
func TestDeviceNumbersAreTheKernels(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint32
	}{
		{"mknod", uint32(AccessMknod), unix.BPF_DEVCG_ACC_MKNOD},
		{"read", uint32(AccessRead), unix.BPF_DEVCG_ACC_READ},
		{"write", uint32(AccessWrite), unix.BPF_DEVCG_ACC_WRITE},
	} {
		if c.got != c.want {
			t.Errorf("Access %s = %d, want the kernel's %d", c.name, c.got, c.want)
		}
	}
}

// interpret runs an encoded device program on one request, as the kernel
// would, for the instructions DeviceProgram emits. Along the way it checks
// what the verifier checks of such a program: jumps only forward and
// inside it, the context read only at its three fields, r0 set at exit
// to 0 or 1. Anything else fails the test.
func interpret(t *testing.T, code []byte, typ, access, major, minor uint32) uint32 {
	t.Helper()
	ctx := []uint32{typ | access<<16, major, minor}
	var reg [11]uint64
	set := map[uint8]bool{1: true}
	n := len(code) / 8
	for pc := 0; pc < n; pc++ {
		b := code[8*pc : 8*pc+8]
		op, dst, src := b[0], b[1]&0xf, b[1]>>4
		off := int16(binary.LittleEndian.Uint16(b[2:]))
		imm := int32(binary.LittleEndian.Uint32(b[4:]))
		jump := func(cond bool) {
			if off < 0 || pc+1+int(off) >= n {
				t.Fatalf("insn %d: jump by %d leaves the program or goes back", pc, off)
			}
			if !set[dst] {
				t.Fatalf("insn %d: r%d read before it is set", pc, dst)
			}
			if cond {
				pc += int(off)
			}
		}
		switch op {
		case unix.BPF_LDX | unix.BPF_W | unix.BPF_MEM:
			if src != 1 || off < 0 || off > 8 || off%4 != 0 {
				t.Fatalf("insn %d: load from r%d%+d: not a field of bpf_cgroup_dev_ctx", pc, src, off)
			}
			reg[dst], set[dst] = uint64(ctx[off/4]), true
		case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K:
			reg[dst] = uint64(uint32(reg[dst]) & uint32(imm))
		case unix.BPF_ALU | unix.BPF_RSH | unix.BPF_K:
			reg[dst] = uint64(uint32(reg[dst]) >> uint32(imm))
		case unix.BPF_ALU64 | unix.BPF_MOV | unix.BPF_K:
			reg[dst], set[dst] = uint64(int64(imm)), true
		case unix.BPF_JMP | unix.BPF_JNE | unix.BPF_K:
			jump(reg[dst] != uint64(int64(imm)))
		case unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			jump(reg[dst]&uint64(int64(imm)) != 0)
		case unix.BPF_JMP | unix.BPF_EXIT:
			if !set[0] || reg[0] > 1 {
				t.Fatalf("insn %d: exit with r0 = %d (set: %v), want 0 or 1", pc, reg[0], set[0])
			}
			return uint32(reg[0])
		default:
			t.Fatalf("insn %d: opcode %#x is not one DeviceProgram emits", pc, op)
		}
	}
	t.Fatalf("the program runs off its end")
	return 0
}

// The encoded program computes exactly what the rules say, for every
// access to a spread of devices: those the rules name, their neighbours,
// and the ones an attacker wants (kmsg 1:11, mem 1:1, a disk 8:0, loop 7:0).
func TestDeviceProgramFollowsTheRules(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the interpreter reads little-endian instructions")
	}
	for _, rules := range [][]DeviceRule{
		DefaultDevices,
		nil, // deny all
		{{'a', Wildcard, Wildcard, AccessAll, "everything"}},
		{{'b', 8, Wildcard, AccessRead, "disks, read-only"}, {'c', 10, 200, AccessRead | AccessWrite, "tun"}},
	} {
		code := DeviceProgram(rules).Bytes()
		for _, typ := range []byte{'b', 'c'} {
			kernelType := uint32(unix.BPF_DEVCG_DEV_CHAR)
			if typ == 'b' {
				kernelType = unix.BPF_DEVCG_DEV_BLOCK
			}
			for _, major := range []uint32{0, 1, 4, 5, 7, 8, 10, 136, 137, 254} {
				for _, minor := range []uint32{0, 1, 2, 3, 5, 7, 8, 9, 11, 200, 1 << 19} {
					for access := AccessMknod; access <= AccessAll; access++ {
						want := DevicesAllow(rules, typ, major, minor, access)
						got := interpret(t, code, kernelType, uint32(access), major, minor) == 1
						if got != want {
							t.Errorf("rules %v: %c %d:%d %s: program allows = %v, rules allow = %v", rules, typ, major, minor, access, got, want)
						}
					}
				}
			}
		}
	}
}

func TestDeviceProgramLoads(t *testing.T) {
	testenv.RequireRoot(t, "bpf(BPF_PROG_LOAD)")
	fd, err := loadProgram(DeviceProgram(DefaultDevices), unix.BPF_PROG_TYPE_CGROUP_DEVICE, "mydocker_test")
	require.NoError(t, err, "the kernel's verifier refused the device program")
	unix.Close(fd)

	// A broken program is refused, and the error carries the verifier's words.
	bad := Program{mov64(unix.BPF_REG_0, 1, ""), exit(""), exit("unreachable")}
	if _, err := loadProgram(bad, unix.BPF_PROG_TYPE_CGROUP_DEVICE, "mydocker_bad"); err == nil || !strings.Contains(err.Error(), "unreachable insn") {
		t.Errorf("loadProgram(a program with an unreachable exit) = %v, want the verifier's log", err)
	}
}

// devChildEnv tells the test binary, re-run inside the test's cgroup, to
// play the container's command (TestDeviceProgramChild).
const devChildEnv = "MYDOCKER_DEVICES_CHILD_DIR"

// The device program, attached to a real cgroup v2 group, holds a process
// born there to Docker's rules: mknod of anything works, opening the
// host's kernel log, memory or a block device fails with EPERM, the
// standard nodes open. This is what stops `mknod /dev/k c 1 11 && echo hi
// > /dev/k` in a container on v2.
func TestDeviceProgramEnforces(t *testing.T) {
	testenv.RequireRoot(t, "cgroups and bpf(2)")
	root := cgroup2Root()
	testenv.Require(t, root != "", "no cgroup2 hierarchy is mounted (at "+Mountpoint+" or "+Mountpoint+"/unified)")
	dir := filepath.Join(root, "mydocker-devtest-"+strconv.Itoa(os.Getpid()))
	require.NoError(t, os.Mkdir(dir, 0o755))
	t.Cleanup(func() { removeGroup(Unified, dir) })
	require.NoError(t, attachDevicesV2(dir, DefaultDevices))

	nodes := nodeDir(t)
	// The test itself is outside the group: opening a node it made shows
	// that a refusal inside comes from the program, not the filesystem.
	require.NoError(t, unix.Mknod(filepath.Join(nodes, "control-kmsg"), unix.S_IFCHR|0o600, int(unix.Mkdev(1, 11))))
	f, err := os.Open(filepath.Join(nodes, "control-kmsg"))
	require.NoError(t, err, "outside the group the kernel log opens")
	f.Close()

	cg, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer unix.Close(cg)
	child := exec.Command(os.Args[0], "-test.run=^TestDeviceProgramChild$", "-test.v")
	child.Env = append(os.Environ(), devChildEnv+"="+nodes)
	child.SysProcAttr = &unix.SysProcAttr{UseCgroupFD: true, CgroupFD: cg}
	out, err := child.CombinedOutput()
	require.NoError(t, err, "child in the group:\n%s", out)
	for _, want := range []string{
		"mknod kmsg c 1:11: ok", "mknod loop b 7:0: ok", "mknod mem c 1:1: ok", "mknod null c 1:3: ok",
		"mknod zero c 1:5: ok", "mknod urandom c 1:9: ok", "mknod tty c 5:0: ok",
		"open kmsg w: operation not permitted", "open kmsg r: operation not permitted",
		"open mem r: operation not permitted", "open loop r: operation not permitted",
		"open null rw: ok", "open zero r: ok", "open urandom r: ok",
		"open tty rw: allowed", // ENXIO without a terminal: past the cgroup
	} {
		if !strings.Contains(string(out), "\n"+want+"\n") {
			t.Errorf("in a group with the device program: no %q in\n%s", want, out)
		}
	}
}

// TestDeviceProgramChild is the process inside the group of
// TestDeviceProgramEnforces; on its own it does nothing.
func TestDeviceProgramChild(t *testing.T) {
	dir := os.Getenv(devChildEnv)
	if dir == "" {
		return
	}
	fmt.Println()
	for _, n := range []struct {
		name         string
		typ          uint32
		major, minor uint32
	}{{"kmsg", unix.S_IFCHR, 1, 11}, {"loop", unix.S_IFBLK, 7, 0}, {"mem", unix.S_IFCHR, 1, 1}, {"null", unix.S_IFCHR, 1, 3},
		{"zero", unix.S_IFCHR, 1, 5}, {"urandom", unix.S_IFCHR, 1, 9}, {"tty", unix.S_IFCHR, 5, 0}} {
		kind := map[uint32]string{unix.S_IFCHR: "c", unix.S_IFBLK: "b"}[n.typ]
		err := unix.Mknod(filepath.Join(dir, n.name), n.typ|0o600, int(unix.Mkdev(n.major, n.minor)))
		fmt.Printf("mknod %s %s %d:%d: %s\n", n.name, kind, n.major, n.minor, result(err))
	}
	for _, o := range []struct {
		name, mode string
		flags      int
	}{{"kmsg", "w", unix.O_WRONLY}, {"kmsg", "r", unix.O_RDONLY}, {"mem", "r", unix.O_RDONLY}, {"loop", "r", unix.O_RDONLY},
		{"null", "rw", unix.O_RDWR}, {"zero", "r", unix.O_RDONLY}, {"urandom", "r", unix.O_RDONLY}, {"tty", "rw", unix.O_RDWR}} {
		fd, err := unix.Open(filepath.Join(dir, o.name), o.flags|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
		}
		if o.name == "tty" && !errors.Is(err, unix.EPERM) {
			err = errAllowed
		}
		fmt.Printf("open %s %s: %s\n", o.name, o.mode, result(err))
	}
}

var errAllowed = errors.New("allowed")

func result(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// nodeDir is a temporary directory where device nodes can be opened: not
// on a nodev mount, as /tmp is on systemd hosts and in the VM (there /dev,
// a devtmpfs, will do).
func nodeDir(t *testing.T) string {
	for _, parent := range []string{os.TempDir(), "/dev"} {
		var st unix.Statfs_t
		if unix.Statfs(parent, &st) != nil || st.Flags&unix.ST_NODEV != 0 {
			continue
		}
		dir, err := os.MkdirTemp(parent, "mydocker-devtest-")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	testenv.Require(t, false, "no directory where device nodes work: "+os.TempDir()+" and /dev are both mounted nodev")
	return ""
}

// cgroup2Root is where a cgroup2 hierarchy is mounted: /sys/fs/cgroup on
// v2, /sys/fs/cgroup/unified on a hybrid host ("" if none). On a hybrid
// host the v2 device programs apply too, beside the v1 controller.
func cgroup2Root() string {
	switch mode, _ := DetectMode(); mode {
	case Unified:
		return Mountpoint
	case Hybrid:
		return Mountpoint + "/unified"
	}
	return ""
}

// The device cgroup on v2. cgroup v2 has no devices controller and no
// devices.allow: the kernel instead runs an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE, attached to a group, whenever a process in
// the group makes (mknod) or opens a device node. The program gets
//
//	struct bpf_cgroup_dev_ctx {
//		u32 access_type;  // device type | access << 16
//		u32 major;
//		u32 minor;
//	};
//
// with type 1 block or 2 character and access a set of 1 mknod, 2 read,
// 4 write, and answers 1 (allow) or 0 (the call fails with EPERM). So the
// rule table becomes code: DeviceProgram compiles each rule into a few
// compare-and-skip instructions that end in "return 1", and the program
// ends in "return 0". newV2 loads it and attaches it to the container's
// group before the command is born there; rmdir of the group frees it.

package cgroups

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// The registers the program keeps the request in.
const (
	rCtx    = unix.BPF_REG_1 // the input: a pointer to bpf_cgroup_dev_ctx
	rType   = unix.BPF_REG_2
	rAccess = unix.BPF_REG_3
	rMajor  = unix.BPF_REG_4
	rMinor  = unix.BPF_REG_5
)

// DeviceProgram compiles rules into an eBPF program that allows what they
// allow (DevicesAllow) and denies the rest.
func DeviceProgram(rules []DeviceRule) Program {
	p := Program{
		// Unpack the request into four registers. The verifier lets a
		// device program read its context 4 bytes at a time.
		ldxW(rType, rCtx, 0, "r2 = ctx->access_type"),
		and32(rType, 0xffff, "r2 = its low 16 bits: the device type, 1 block, 2 char"),
		ldxW(rAccess, rCtx, 0, "r3 = ctx->access_type"),
		rsh32(rAccess, 16, "r3 = its high 16 bits: the access, 1 mknod | 2 read | 4 write"),
		ldxW(rMajor, rCtx, 4, "r4 = ctx->major"),
		ldxW(rMinor, rCtx, 8, "r5 = ctx->minor"),
	}
	for _, r := range rules {
		p = append(p, ruleProgram(r)...)
	}
	return append(p,
		mov64(unix.BPF_REG_0, 0, "no rule allows it: return 0, deny (EPERM)"),
		exit(""))
}

// ruleProgram is one rule: a test for each part of it that is not a
// wildcard, each skipping to the next rule when the request does not
// match, then "return 1".
func ruleProgram(r DeviceRule) []Insn {
	var tests []Insn
	if r.Type != 'a' {
		typ := int32(unix.BPF_DEVCG_DEV_CHAR)
		if r.Type == 'b' {
			typ = unix.BPF_DEVCG_DEV_BLOCK
		}
		tests = append(tests, jne(rType, typ, fmt.Sprintf("rule %q (%s): type %c?", r, r.Name, r.Type)))
	}
	if deny := AccessAll &^ r.Access; deny != 0 {
		// Asking for anything the rule does not give: not this rule.
		tests = append(tests, jset(rAccess, int32(deny), fmt.Sprintf("asks for %s, which the rule does not allow?", deny)))
	}
	if r.Major != Wildcard {
		tests = append(tests, jne(rMajor, int32(r.Major), fmt.Sprintf("major %d?", r.Major)))
	}
	if r.Minor != Wildcard {
		tests = append(tests, jne(rMinor, int32(r.Minor), fmt.Sprintf("minor %d?", r.Minor)))
	}
	// A failed test skips the tests after it and the two instructions
	// that allow: "goto pc+N" counts from the next instruction.
	for i := range tests {
		tests[i].Off = int16(len(tests) - 1 - i + 2)
	}
	return append(tests,
		mov64(unix.BPF_REG_0, 1, "the rule matches: return 1, allow"),
		exit(""))
}

// attachDevicesV2 loads the program for rules and attaches it to the v2
// group dir. BPF_F_ALLOW_MULTI keeps any program an ancestor group holds
// in force as well (each must allow), so the container can never get more
// than its parent; it is also what lets a group hold a program below an
// ancestor that has one attached the same way, as runc's groups do.
func attachDevicesV2(dir string, rules []DeviceRule) error {
	prog := DeviceProgram(rules)
	fd, err := loadProgram(prog, unix.BPF_PROG_TYPE_CGROUP_DEVICE, "mydocker_dev")
	if err != nil {
		return fmt.Errorf("device cgroup: %w", err)
	}
	defer unix.Close(fd) // the group holds the program from now on
	trace.Step("bpf(BPF_PROG_LOAD, cgroup_device, %d insns) = fd %d: the device rules, compiled", len(prog), fd)
	if err := attachProgram(dir, fd, unix.BPF_CGROUP_DEVICE, unix.BPF_F_ALLOW_MULTI); err != nil {
		return fmt.Errorf("device cgroup: %w", err)
	}
	trace.Step("bpf(BPF_PROG_ATTACH, %s, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI): checked at every mknod and open of a device in the group", dir)
	return nil
}

// eBPF by hand: just enough to load a small program into the kernel and
// attach it to a cgroup, with the bpf(2) system call and nothing else.
//
// An eBPF program is an array of 8-byte instructions (struct bpf_insn) for
// a small virtual machine with eleven 64-bit registers: r1 holds the
// program's input when it starts, r0 its answer when it exits. The kernel's
// verifier reads every path of a program before accepting it (no loops it
// cannot bound, no read outside the input, r0 set at every exit), then
// compiles it to machine code. Programs are usually written in C and
// compiled by clang; mydocker's one program (devices_v2_linux.go) is a
// few dozen instructions, so it is assembled here, one Insn per line, each
// with a comment, and Program.String prints it as the kernel's verifier
// log would.
//
//	bpf(BPF_PROG_LOAD, {type, insns, license, log})  -> a descriptor for the program
//	bpf(BPF_PROG_ATTACH, {cgroup dir fd, prog fd, attach type, flags})

package cgroups

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Insn is one eBPF instruction, struct bpf_insn, and a comment for people.
type Insn struct {
	Code     uint8 // class | operation | source, e.g. BPF_JMP|BPF_JNE|BPF_K
	Dst, Src uint8 // registers r0..r10
	Off      int16 // jumps: how many instructions to skip; loads: byte offset
	Imm      int32 // the constant operand
	Comment  string
}

// Program is an eBPF program, in order.
type Program []Insn

// The instructions the device program needs. "32" is an operation on the
// low half of a register (the kernel writes it wN), which also clears the
// high half; "K" takes the constant Imm as the second operand.

// ldxW loads 4 bytes from memory: dst = *(u32 *)(src + off).
func ldxW(dst, src uint8, off int16, c string) Insn {
	return Insn{Code: unix.BPF_LDX | unix.BPF_W | unix.BPF_MEM, Dst: dst, Src: src, Off: off, Comment: c}
}

// and32 is dst &= imm on the low 32 bits.
func and32(dst uint8, imm int32, c string) Insn {
	return Insn{Code: unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, Dst: dst, Imm: imm, Comment: c}
}

// rsh32 is dst >>= imm on the low 32 bits.
func rsh32(dst uint8, imm int32, c string) Insn {
	return Insn{Code: unix.BPF_ALU | unix.BPF_RSH | unix.BPF_K, Dst: dst, Imm: imm, Comment: c}
}

// mov64 is dst = imm.
func mov64(dst uint8, imm int32, c string) Insn {
	return Insn{Code: unix.BPF_ALU64 | unix.BPF_MOV | unix.BPF_K, Dst: dst, Imm: imm, Comment: c}
}

// jne skips off instructions if dst != imm.
func jne(dst uint8, imm int32, c string) Insn {
	return Insn{Code: unix.BPF_JMP | unix.BPF_JNE | unix.BPF_K, Dst: dst, Imm: imm, Comment: c}
}

// jset skips off instructions if dst & imm is not zero.
func jset(dst uint8, imm int32, c string) Insn {
	return Insn{Code: unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K, Dst: dst, Imm: imm, Comment: c}
}

// exit returns r0 to the kernel.
func exit(c string) Insn { return Insn{Code: unix.BPF_JMP | unix.BPF_EXIT, Comment: c} }

// String is the instruction as the kernel's verifier log prints it.
func (i Insn) String() string {
	switch i.Code {
	case unix.BPF_LDX | unix.BPF_W | unix.BPF_MEM:
		return fmt.Sprintf("r%d = *(u32 *)(r%d %+d)", i.Dst, i.Src, i.Off)
	case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K:
		return fmt.Sprintf("w%d &= %d", i.Dst, i.Imm)
	case unix.BPF_ALU | unix.BPF_RSH | unix.BPF_K:
		return fmt.Sprintf("w%d >>= %d", i.Dst, i.Imm)
	case unix.BPF_ALU64 | unix.BPF_MOV | unix.BPF_K:
		return fmt.Sprintf("r%d = %d", i.Dst, i.Imm)
	case unix.BPF_JMP | unix.BPF_JNE | unix.BPF_K:
		return fmt.Sprintf("if r%d != %#x goto pc%+d", i.Dst, i.Imm, i.Off)
	case unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
		return fmt.Sprintf("if r%d & %#x goto pc%+d", i.Dst, i.Imm, i.Off)
	case unix.BPF_JMP | unix.BPF_EXIT:
		return "exit"
	}
	return fmt.Sprintf("(%#02x) r%d r%d %+d %d", i.Code, i.Dst, i.Src, i.Off, i.Imm)
}

// String lists the program, one numbered instruction per line with its comment.
func (p Program) String() string {
	var b strings.Builder
	for n, i := range p {
		if i.Comment == "" {
			fmt.Fprintf(&b, "%2d: %s\n", n, i)
		} else {
			fmt.Fprintf(&b, "%2d: %-26s ; %s\n", n, i, i.Comment)
		}
	}
	return b.String()
}

// Bytes encodes the program as the kernel reads it: struct bpf_insn
// {u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm}, in the machine's
// byte order (the two register nibbles swap places on a big-endian one).
func (p Program) Bytes() []byte {
	little := binary.NativeEndian.Uint16([]byte{1, 0}) == 1
	buf := make([]byte, 0, 8*len(p))
	for _, i := range p {
		regs := i.Dst&0xf | i.Src<<4
		if !little {
			regs = i.Dst<<4 | i.Src&0xf
		}
		buf = append(buf, i.Code, regs)
		buf = binary.NativeEndian.AppendUint16(buf, uint16(i.Off))
		buf = binary.NativeEndian.AppendUint32(buf, uint32(i.Imm))
	}
	return buf
}

// progLoadAttr is the head of union bpf_attr for BPF_PROG_LOAD; the kernel
// takes a shorter attr as if the rest were zero.
type progLoadAttr struct {
	progType    uint32
	insnCnt     uint32
	insns       uint64 // pointer to the instructions
	license     uint64 // pointer to a NUL-terminated string
	logLevel    uint32
	logSize     uint32
	logBuf      uint64 // pointer to a buffer for the verifier's log
	kernVersion uint32
	progFlags   uint32
	progName    [unix.BPF_OBJ_NAME_LEN]byte
}

// progAttachAttr is union bpf_attr for BPF_PROG_ATTACH.
type progAttachAttr struct {
	targetFD    uint32 // the cgroup's directory
	attachBPFFD uint32 // the program
	attachType  uint32
	attachFlags uint32
}

// bpf is the system call; attr points to one of the structs above.
func bpf(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	r, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

// loadProgram loads p as a program of progType and returns its descriptor.
// If the verifier refuses it, the error carries the verifier's log.
func loadProgram(p Program, progType uint32, name string) (int, error) {
	code := p.Bytes()
	license := []byte("Apache-2.0\x00") // no GPL-only kernel helpers are called
	logBuf := make([]byte, 64<<10)
	attr := progLoadAttr{
		progType: progType,
		insnCnt:  uint32(len(p)),
		// The kernel reads these three buffers during the call; Go's heap
		// does not move objects, and KeepAlive below keeps them alive.
		insns:    uint64(uintptr(unsafe.Pointer(&code[0]))),
		license:  uint64(uintptr(unsafe.Pointer(&license[0]))),
		logLevel: 1,
		logSize:  uint32(len(logBuf)),
		logBuf:   uint64(uintptr(unsafe.Pointer(&logBuf[0]))),
	}
	copy(attr.progName[:unix.BPF_OBJ_NAME_LEN-1], name)
	// The verifier gives up with EAGAIN when a signal is pending, and Go's
	// runtime signals its threads often (SIGURG, to preempt goroutines):
	// try again, as libbpf does.
	var fd int
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if fd, err = bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&attr), unsafe.Sizeof(attr)); !errors.Is(err, unix.EAGAIN) {
			break
		}
		clear(logBuf)
	}
	runtime.KeepAlive(code)
	runtime.KeepAlive(license)
	runtime.KeepAlive(logBuf)
	if err == nil {
		unix.CloseOnExec(fd) // init and the command must not inherit it
		return fd, nil
	}
	err = os.NewSyscallError("bpf(BPF_PROG_LOAD)", err)
	if log := strings.TrimSpace(string(bytes.TrimRight(logBuf, "\x00"))); log != "" {
		return -1, fmt.Errorf("%w; the verifier says:\n%s", err, log)
	}
	switch {
	case errors.Is(err, unix.EPERM):
		return -1, fmt.Errorf("%w (needs CAP_SYS_ADMIN or CAP_BPF; before Linux 5.11 also enough RLIMIT_MEMLOCK, ulimit -l)", err)
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		// The verifier logs why it refuses a program; no log means the
		// kernel did not get that far.
		return -1, fmt.Errorf("%w (this kernel may lack cgroup device programs: CONFIG_BPF_SYSCALL, CONFIG_CGROUP_BPF)", err)
	}
	return -1, err
}

// attachProgram attaches the program progFD to the cgroup directory dir.
// The cgroup holds its own reference to the program: the caller may close
// progFD afterwards, and the program goes when the cgroup is removed.
func attachProgram(dir string, progFD int, attachType, flags uint32) error {
	cg, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(cg)
	attr := progAttachAttr{targetFD: uint32(cg), attachBPFFD: uint32(progFD), attachType: attachType, attachFlags: flags}
	if _, err := bpf(unix.BPF_PROG_ATTACH, unsafe.Pointer(&attr), unsafe.Sizeof(attr)); err != nil {
		err = &os.PathError{Op: "bpf(BPF_PROG_ATTACH)", Path: dir, Err: err}
		if errors.Is(err, unix.EPERM) {
			// The kernel refuses a program below one an ancestor holds
			// without BPF_F_ALLOW_OVERRIDE or BPF_F_ALLOW_MULTI.
			return fmt.Errorf("%w (a parent group holds a program that allows no others below it)", err)
		}
		return err
	}
	return nil
}

// nsprobe: checks, inside the vm-test VM, the two kernel features mydocker's
// run path leans on: new namespaces via clone flags, and clone3's
// CLONE_INTO_CGROUP (exec.Cmd SysProcAttr.UseCgroupFD) into a cgroup whose
// parent has controllers enabled. Exit status 0 = all good.
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

const cg = "/sys/fs/cgroup/mydocker"

var failed bool

func check(ok bool, format string, a ...any) {
	status := "ok  "
	if !ok {
		status, failed = "FAIL", true
	}
	fmt.Printf("%s %s\n", status, fmt.Sprintf(format, a...))
}

func read(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "ERR " + err.Error()
	}
	return strings.TrimSpace(string(b))
}

func write(path, value string) error {
	return os.WriteFile(path, []byte(value), 0o644)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		child()
		return
	}
	self := read("/proc/self/cgroup")
	check(self == "0::/user.slice/user-1000.slice/session-1.scope", "parent cgroup %q", self)

	// A cgroup of our own beside the session, with controllers delegated.
	check(os.MkdirAll(cg+"/x", 0o755) == nil, "mkdir %s/x", cg)
	for _, c := range []string{"cpu", "memory", "pids"} {
		err := write(cg+"/cgroup.subtree_control", "+"+c)
		check(err == nil, "enable %s in %s: %v", c, cg, err)
	}
	check(write(cg+"/x/memory.max", "67108864") == nil, "memory.max")
	check(write(cg+"/x/pids.max", "32") == nil, "pids.max")
	check(write(cg+"/x/cpu.max", "50000 100000") == nil, "cpu.max")

	fd, err := syscall.Open(cg+"/x", syscall.O_DIRECTORY|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	check(err == nil, "open cgroup dir: %v", err)

	cmd := exec.Command("/proc/self/exe", "child")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUTS | syscall.CLONE_NEWPID |
			syscall.CLONE_NEWNS | syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC,
		UseCgroupFD: true, // clone3(CLONE_INTO_CGROUP)
		CgroupFD:    fd,
	}
	err = cmd.Run()
	check(err == nil, "child ran: %v", err)
	syscall.Close(fd)

	check(read(cg+"/x/cgroup.procs") == "", "cgroup empty after child exit")
	check(syscall.Rmdir(cg+"/x") == nil, "rmdir %s/x", cg)
	check(syscall.Rmdir(cg) == nil, "rmdir %s", cg)
	h, _ := os.Hostname()
	check(h == "vmtest", "host's hostname untouched: %s", h)
	if failed {
		os.Exit(1)
	}
}

func child() {
	check(os.Getpid() == 1, "child is PID 1 of its PID namespace (pid %d)", os.Getpid())
	cgLine := read("/proc/self/cgroup")
	check(cgLine == "0::/mydocker/x", "child cgroup %q", cgLine)
	check(syscall.Sethostname([]byte("container")) == nil, "sethostname")
	h, _ := os.Hostname()
	check(h == "container", "child hostname %s", h)
	ifs, _ := net.Interfaces()
	names := []string{}
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	check(len(names) == 1 && names[0] == "lo", "child net interfaces %v", names)
	// Mounts are shared (systemd-like); make ours private before mounting.
	check(syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, "") == nil, "make / rprivate")
	check(syscall.Mount("proc", "/proc", "proc", 0, "") == nil, "mount new /proc")
	ents, _ := os.ReadDir("/proc")
	pids := 0
	for _, e := range ents {
		if e.Name()[0] >= '0' && e.Name()[0] <= '9' {
			pids++
		}
	}
	check(pids == 1, "new /proc shows %d process(es)", pids)
	check(read(cg+"/x/memory.max") == "67108864", "memory.max seen from child")
	check(read(cg+"/x/pids.max") == "32", "pids.max seen from child")
	if failed {
		os.Exit(1)
	}
}

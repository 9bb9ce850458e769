// Package doctor is the preflight a student runs first: can this machine
// run containers, and if not, what one thing fixes it? Each check prints one
// line, OK or WARN or FAIL, and every FAIL names its fix.
package doctor

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/namespace"
)

// Status grades a check.
type Status string

const (
	OK   Status = "OK"
	Warn Status = "WARN"
	Fail Status = "FAIL"
)

// A Result is one line of the report.
type Result struct {
	Status Status
	Name   string
	Detail string
	Fix    string // what to do, for WARN and FAIL
}

// Check is one preflight check.
type Check func() Result

// Checks are run in this order: each later one leans on the earlier.
var Checks = []Check{checkRoot, checkKernel, checkNamespaces, checkUserNamespaces,
	checkCgroups, checkOverlay, checkIptables, checkNetLinks, checkNAT, checkForwarding, checkBusybox}

// MinKernel is the oldest kernel mydocker supports: 5.9 brought
// close_range(2), with which init closes every descriptor it inherited
// before the container can reach one (a loop over /proc/self/fd would do
// on older kernels, but every distribution a student uses has 5.9: Ubuntu
// 22.04 ships 5.15, Debian 11 5.10); 5.7 brought clone3(CLONE_INTO_CGROUP),
// 5.6 openat2.
var MinKernel = [2]int{5, 9}

// Run runs every check and reports whether all passed (warnings pass).
func Run() ([]Result, bool) {
	var out []Result
	ok := true
	for _, c := range Checks {
		r := c()
		out = append(out, r)
		if r.Status == Fail {
			ok = false
		}
	}
	return out, ok
}

func checkRoot() Result {
	if os.Geteuid() != 0 {
		return Result{Fail, "root", fmt.Sprintf("running as uid %d; namespaces, mounts and cgroups need root", os.Geteuid()), "run it with sudo"}
	}
	return Result{Status: OK, Name: "root", Detail: "running as uid 0"}
}

func checkKernel() Result {
	var u unix.Utsname
	unix.Uname(&u)
	rel := unix.ByteSliceToString(u.Release[:])
	maj, min := parseKernel(rel)
	want := fmt.Sprintf("%d.%d", MinKernel[0], MinKernel[1])
	if maj < MinKernel[0] || maj == MinKernel[0] && min < MinKernel[1] {
		return Result{Fail, "kernel", rel + " is older than " + want, "boot a kernel " + want + " or later (Ubuntu 24.04 has 6.8)"}
	}
	return Result{Status: OK, Name: "kernel", Detail: rel + " (need " + want + " or later)"}
}

// parseKernel reads "6.18.44-foo" as 6, 18.
func parseKernel(rel string) (int, int) {
	parts := strings.SplitN(rel, ".", 3)
	if len(parts) < 2 {
		return 0, 0
	}
	maj, _ := strconv.Atoi(parts[0])
	min, _ := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	return maj, min
}

func checkNamespaces() Result {
	var have, missing []string
	for _, k := range namespace.Kinds {
		if _, err := os.Stat("/proc/self/ns/" + k.Proc); err != nil {
			missing = append(missing, k.Proc)
		} else {
			have = append(have, k.Proc)
		}
	}
	if len(missing) > 0 {
		return Result{Fail, "namespaces", "missing: " + strings.Join(missing, " "), "use a kernel built with CONFIG_" + strings.ToUpper(missing[0]) + "_NS"}
	}
	return Result{Status: OK, Name: "namespaces", Detail: strings.Join(have, " ")}
}

func checkUserNamespaces() Result {
	data, err := os.ReadFile("/proc/sys/user/max_user_namespaces")
	if err != nil {
		return Result{Warn, "user namespaces", "not available", "rootless containers need CONFIG_USER_NS"}
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if n == 0 {
		return Result{Warn, "user namespaces", "disabled (max_user_namespaces is 0)", "sysctl -w user.max_user_namespaces=15000"}
	}
	return Result{Status: OK, Name: "user namespaces", Detail: fmt.Sprintf("enabled (max %d)", n)}
}

func checkCgroups() Result {
	mode, err := cgroups.DetectMode()
	if err != nil {
		return Result{Fail, "cgroups", err.Error(), "mount cgroup2 on /sys/fs/cgroup"}
	}
	detail, problem := cgroups.Describe(mode)
	if problem != "" {
		return Result{Fail, "cgroups", mode.String() + ": " + detail, problem}
	}
	return Result{Status: OK, Name: "cgroups", Detail: mode.String() + ": " + detail}
}

func checkOverlay() Result {
	data, _ := os.ReadFile("/proc/filesystems")
	if !bytes.Contains(data, []byte("\toverlay\n")) {
		return Result{Fail, "overlayfs", "not in /proc/filesystems", "sudo modprobe overlay"}
	}
	return Result{Status: OK, Name: "overlayfs", Detail: "available"}
}

func checkIptables() Result {
	out, err := exec.Command("iptables", "--version").Output()
	if err != nil {
		return Result{Warn, "iptables", "not found: containers on a bridge network need it for NAT and published ports, as Docker's do (--network none and host work without)", "sudo apt-get install iptables"}
	}
	v := strings.TrimSpace(string(out))
	backend := "legacy"
	if strings.Contains(v, "nf_tables") {
		backend = "nf_tables"
	}
	return Result{Status: OK, Name: "iptables", Detail: v + ", backend " + backend}
}

// BusyboxPaths are where the default image's static busybox is looked for.
var BusyboxPaths = []string{"/bin/busybox", "/usr/bin/busybox"}

func checkBusybox() Result {
	path, err := FindStaticBusybox()
	if err != nil {
		return Result{Fail, "busybox", err.Error(), "sudo apt-get install busybox-static"}
	}
	return Result{Status: OK, Name: "busybox", Detail: path + " (static: the default image is built from it)"}
}

// FindStaticBusybox finds a statically linked busybox, which runs in a
// container with nothing else in it. A dynamic one would need the host's
// libc inside, and fails there with "no such file or directory".
func FindStaticBusybox() (string, error) {
	if p := os.Getenv("MYDOCKER_BUSYBOX"); p != "" {
		return p, checkStatic(p)
	}
	var lastErr error = fmt.Errorf("no busybox in %s", strings.Join(BusyboxPaths, " or "))
	for _, p := range BusyboxPaths {
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue
		}
		if err := checkStatic(real); err != nil {
			lastErr = err
			continue
		}
		return p, nil
	}
	return "", lastErr
}

// checkStatic fails unless path is an ELF executable with no interpreter.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not an ELF executable: %v", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked; the default image needs a static busybox", path)
		}
	}
	return nil
}

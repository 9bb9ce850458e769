// Reading and writing cgroup interface files. Every write is narrated by
// trace in shell form (echo VALUE > FILE), so an instructor can replay it
// by hand, and every error names the file and explains the famous errnos.

package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// cgroupfs is the cgroup filesystem New works on, passed in rather than
// assumed: the engine's is the host's (hostFS); the package's tests give
// one of their own, a directory tree that records what is written, so
// that the v2 path is checked on a v1 host and the v1 path on a v2 one.
type cgroupfs struct {
	Mount string                        // where the hierarchies are: /sys/fs/cgroup
	V1    func() ([]v1Hierarchy, error) // the v1 hierarchies, and the caller's place in each
	// Write writes one value into a cgroup file: echo value > dir/file.
	Write func(dir, file, value string) error
	// AttachDevices puts device rules in force on a v2 group (bpf).
	AttachDevices func(dir string, rules []DeviceRule) error
}

// hostFS is the host's cgroup filesystem.
func hostFS() *cgroupfs {
	return &cgroupfs{Mount: Mountpoint, V1: readV1Hierarchies, Write: writeFile, AttachDevices: attachDevicesV2}
}

// writeFile writes one value into a cgroup file, as `echo value > file` does.
func writeFile(dir, file, value string) error {
	path := filepath.Join(dir, file)
	trace.Step("echo %q > %s", value, path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, explain(file, err))
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %q to %s: %w", value, path, explain(file, err))
	}
	return nil
}

// explain turns the errnos cgroup files are known for into causes.
func explain(file string, err error) error {
	switch {
	case errors.Is(err, unix.EBUSY) && strings.HasSuffix(file, "subtree_control"):
		return fmt.Errorf("%w (cgroup v2's \"no internal processes\" rule: a group that holds processes cannot hand controllers to children)", err)
	case errors.Is(err, unix.ENOENT) && strings.Contains(file, "memsw"):
		return fmt.Errorf("%w (swap accounting is off: boot with swapaccount=1)", err)
	case errors.Is(err, unix.ENOENT):
		return fmt.Errorf("%w (the controller is not enabled for this group)", err)
	case errors.Is(err, unix.EINVAL) && strings.HasPrefix(file, "cpuset."):
		return fmt.Errorf("%w (CPUs outside the parent group's cpuset)", err)
	case errors.Is(err, unix.EPERM) && file == "devices.allow":
		return fmt.Errorf("%w (a group cannot allow a device its parent denies: is mydocker itself in a container's devices cgroup?)", err)
	case errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOTSUP):
		return fmt.Errorf("%w (the controller is not available here)", err)
	}
	return err
}

// readString returns a file's content without the trailing newline.
func readString(dir, file string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, file))
	return strings.TrimSpace(string(data)), err
}

// readUint reads a file holding one number; "max" reads as 0.
func readUint(dir, file string) uint64 {
	s, err := readString(dir, file)
	if err != nil || s == "max" {
		return 0
	}
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

// readKeyed reads a flat keyed file ("key value" per line), such as
// cpu.stat or memory.events.
func readKeyed(dir, file string) map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			out[k] = n
		}
	}
	return out
}

// mkdir creates one group directory and reports whether it made it.
func mkdir(dir string) (bool, error) {
	err := os.Mkdir(dir, 0o755)
	switch {
	case err == nil:
		trace.Step("mkdir %s", dir)
		return true, nil
	case errors.Is(err, os.ErrExist):
		return false, nil
	}
	return false, err
}

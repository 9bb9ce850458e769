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

// fakeFS is set by unit tests that run against a directory tree made to look
// like a cgroupfs: there, interface files must be created on first write.
// writes then records every write.
var (
	fakeFS bool
	writes []string
)

// writeFile writes one value into a cgroup file, as `echo value > file` does.
func writeFile(dir, file, value string) error {
	path := filepath.Join(dir, file)
	trace.Step("echo %q > %s", value, path)
	flags := os.O_WRONLY | os.O_TRUNC
	if fakeFS {
		flags |= os.O_CREATE
		writes = append(writes, path+" "+value)
	}
	f, err := os.OpenFile(path, flags, 0o644)
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

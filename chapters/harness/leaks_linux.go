// Leak checks: what a container run may leave on the host, looked at before
// and after a test. Chapter tests run one package at a time (go test -p 1),
// so the host is quiet enough for a before/after comparison.

package harness

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// State is a snapshot of the host things a container touches.
type State struct {
	Mounts  map[string]bool // mount points, from /proc/self/mountinfo
	Cgroups map[string]bool // directories under every "mydocker" cgroup
	// The host's own network, which a test must never change (its
	// networks live in NetHost's namespace): the project's links, and
	// the rules of its iptables chains.
	Links map[string]bool // /sys/class/net names with the "myd" prefix
	Rules map[string]bool // iptables-save lines naming a MYDOCKER chain
}

// Snapshot reads the host's state now.
func Snapshot() State {
	return State{Mounts: MountPoints(), Cgroups: projectCgroups(), Links: projectLinks(), Rules: projectRules()}
}

// LeaksSince lists what is in s but was not in before: new mounts anywhere
// (under dataRoot above all) and new cgroups of the project.
func (s State) LeaksSince(before State, dataRoot string) []string {
	var out []string
	for m := range s.Mounts {
		if !before.Mounts[m] {
			out = append(out, "mount still present: "+m)
		}
	}
	for c := range s.Cgroups {
		if !before.Cgroups[c] {
			out = append(out, "cgroup still present: "+c)
		}
	}
	for l := range s.Links {
		if !before.Links[l] {
			out = append(out, "link in the host's network namespace: "+l)
		}
	}
	for r := range s.Rules {
		if !before.Rules[r] {
			out = append(out, "iptables rule in the host's network namespace: "+r)
		}
	}
	return out
}

// projectLinks lists the host's network interfaces named with the
// project's prefix (bridges, veths).
func projectLinks() map[string]bool {
	out := map[string]bool{}
	entries, _ := os.ReadDir("/sys/class/net")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "myd") {
			out[e.Name()] = true
		}
	}
	return out
}

// projectRules lists the host's iptables lines that name one of the
// project's chains (MYDOCKER, MYDOCKER-…), none where iptables is not
// installed (a test that needs it says so itself).
func projectRules() map[string]bool {
	out := map[string]bool{}
	path, err := exec.LookPath("iptables-save")
	if err != nil {
		return out
	}
	data, _ := exec.Command(path).Output()
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "MYDOCKER") {
			out[line] = true
		}
	}
	return out
}

// MountPoints lists the host's mount points (the mount namespace of the caller).
func MountPoints() map[string]bool {
	out := map[string]bool{}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 {
			out[fields[4]] = true
		}
	}
	return out
}

// MountTable returns /proc/self/mountinfo without the fields that change
// with time (none do today; kept as the one place to say so).
func MountTable() string {
	data, _ := os.ReadFile("/proc/self/mountinfo")
	return string(data)
}

// projectCgroups lists the cgroup directories beneath any group named
// "mydocker" in any mounted hierarchy: those mydocker made for containers.
func projectCgroups() map[string]bool {
	out := map[string]bool{}
	roots, _ := filepath.Glob("/sys/fs/cgroup/*")
	roots = append(roots, "/sys/fs/cgroup")
	for _, root := range roots {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if d.Name() == "mydocker" {
				out[path] = true // the shared parent must go too, once empty
				entries, _ := os.ReadDir(path)
				for _, e := range entries {
					if e.IsDir() {
						out[filepath.Join(path, e.Name())] = true
					}
				}
				return filepath.SkipDir
			}
			if strings.Count(strings.TrimPrefix(path, root), "/") > 4 {
				return filepath.SkipDir // containers live shallow; don't walk the world
			}
			return nil
		})
	}
	return out
}

// Describe is a readable one-line summary of a snapshot, for failure messages.
func (s State) Describe() string {
	return fmt.Sprintf("%d mounts, %d project cgroups, %d project links, %d project iptables lines",
		len(s.Mounts), len(s.Cgroups), len(s.Links), len(s.Rules))
}

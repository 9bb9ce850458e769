// Where each controller lives, and where the caller sits in it. On v1 every
// controller is a separate mount (sometimes two share one, as "cpu,cpuacct")
// and a process has a path in each; /proc/self/mountinfo names the mounts,
// /proc/self/cgroup the paths ("4:memory:/user.slice"). On v2 there is one
// tree and one path ("0::/user.slice/...").

package cgroups

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
)

// v1Hierarchy is one mounted v1 hierarchy.
type v1Hierarchy struct {
	Controllers []string // e.g. [cpu cpuacct]
	Mount       string   // e.g. /sys/fs/cgroup/cpu,cpuacct
	Path        string   // the caller's cgroup in it, e.g. /user.slice
}

// v1Hierarchies lists every mounted v1 hierarchy (those that carry
// controllers, and named ones such as name=systemd), with the caller's place
// in each, read from mountinfo and /proc/self/cgroup.
func v1Hierarchies() ([]v1Hierarchy, error) { return readV1Hierarchies() }

// readV1Hierarchies reads the v1 hierarchies from mountinfo and /proc/self/cgroup.
func readV1Hierarchies() ([]v1Hierarchy, error) {
	paths, err := ownCgroups()
	if err != nil {
		return nil, err
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []v1Hierarchy
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 36 25 0:31 / /sys/fs/cgroup/memory rw,... shared:15 - cgroup cgroup rw,memory
		fields := strings.Fields(sc.Text())
		sep := indexOf(fields, "-")
		if sep < 0 || len(fields) < sep+4 || fields[sep+1] != "cgroup" || len(fields) < 5 {
			continue
		}
		var ctrls []string
		for _, opt := range strings.Split(fields[sep+3], ",") {
			// A named hierarchy ("name=systemd") has no controller, and
			// /proc/self/cgroup lists it by that name.
			if knownV1[opt] || strings.HasPrefix(opt, "name=") {
				ctrls = append(ctrls, opt)
			}
		}
		if len(ctrls) == 0 {
			continue
		}
		sort.Strings(ctrls)
		key := strings.Join(ctrls, ",")
		if seen[key] {
			continue // the same hierarchy mounted twice: one group is enough
		}
		seen[key] = true
		root := fields[3] // the part of the hierarchy this mount shows
		path := paths[key]
		if root != "/" {
			// Inside a container whose cgroupns is the host's but whose
			// mount shows a subtree: paths are relative to that subtree.
			path = "/" + strings.TrimPrefix(strings.TrimPrefix(path, root), "/")
		}
		out = append(out, v1Hierarchy{Controllers: ctrls, Mount: unescapeMount(fields[4]), Path: path})
	}
	return out, sc.Err()
}

// knownV1 are the v1 controllers mydocker drives or reports.
var knownV1 = map[string]bool{"cpu": true, "cpuacct": true, "cpuset": true, "memory": true,
	"pids": true, "blkio": true, "devices": true, "freezer": true, "net_cls": true,
	"net_prio": true, "perf_event": true, "hugetlb": true, "rdma": true, "misc": true}

// ownCgroups reads /proc/self/cgroup into a map from the sorted,
// comma-joined controller list ("" for v2) to the caller's path.
func ownCgroups() (map[string]string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		ctrls := strings.Split(parts[1], ",")
		sort.Strings(ctrls)
		out[strings.Join(ctrls, ",")] = parts[2]
	}
	return out, nil
}

// OwnV2Path is the caller's cgroup in the v2 tree ("0::PATH").
func OwnV2Path() (string, error) {
	paths, err := ownCgroups()
	if err != nil {
		return "", err
	}
	p, ok := paths[""]
	if !ok {
		return "", fmt.Errorf("no cgroup v2 entry in /proc/self/cgroup")
	}
	return p, nil
}

// Describe says in one line what the host's hierarchy offers, and names a
// fix if a controller mydocker needs is missing.
func Describe(mode Mode) (detail, fix string) {
	if mode == Unified {
		data, err := os.ReadFile(Mountpoint + "/cgroup.controllers")
		if err != nil {
			return err.Error(), "mount cgroup2 on " + Mountpoint
		}
		have := strings.Fields(string(data))
		own, _ := OwnV2Path()
		detail = fmt.Sprintf("controllers %s; you are in %s", strings.Join(have, " "), own)
		for _, c := range []string{"memory", "pids", "cpu"} {
			if indexOf(have, c) < 0 {
				return detail, "the " + c + " controller is not available at the root: boot with it enabled (cgroup_enable=" + c + ")"
			}
		}
		return detail, ""
	}
	hs, err := v1Hierarchies()
	if err != nil {
		return err.Error(), "mount the cgroup v1 controllers under " + Mountpoint
	}
	var names []string
	have := map[string]string{}
	for _, h := range hs {
		for _, c := range h.Controllers {
			have[c] = h.Path
		}
		if !strings.HasPrefix(h.Controllers[0], "name=") {
			names = append(names, strings.Join(h.Controllers, ","))
		}
	}
	sort.Strings(names)
	detail = "controllers on v1 (" + strings.Join(names, " ") + ")"
	if mode == Hybrid {
		detail += ", cgroup2 at " + Mountpoint + "/unified without controllers"
	}
	if p := have["memory"]; p != "" && p != "/" {
		detail += "; your memory cgroup is " + p
	}
	for _, c := range []string{"memory", "pids", "cpu", "devices"} {
		if _, ok := have[c]; !ok {
			return detail, "mount the v1 " + c + " controller: mount -t cgroup -o " + c + " cgroup " + Mountpoint + "/" + c
		}
	}
	return detail, ""
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// A container's group. New creates it on the host's hierarchy and writes
// the limits; the record (Group) is plain data, saved with the container, so
// that `mydocker stats` and `mydocker rm` in another process can find it
// again. Each container gets its own group named after its ID, beneath a
// "mydocker" group: /sys/fs/cgroup/mydocker/<id> on v2; on v1 the same
// beneath the caller's own group of each controller.

package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// Parent is the group every container's group is made in.
const Parent = "mydocker"

// Group is a container's cgroup.
type Group struct {
	Mode Mode `json:"Mode"`
	// Dirs maps each controller to the group's directory. On v2 there is
	// one directory, under the key "". On v1 co-mounted controllers
	// (cpu,cpuacct) share one.
	Dirs map[string]string `json:"Dirs"`
	// Back maps each v1 controller to the caller's own group: where init's
	// forking thread returns after placing the command (see Placement).
	Back map[string]string `json:"Back,omitempty"`
	// PidsMax is, on v1, the --pids-limit that Placement.Fork writes right
	// after the fork, before init's thread leaves the group (until then
	// pids.max is one more).
	PidsMax int64 `json:"PidsMax,omitempty"`
}

// New makes the group for container id on this host and writes the
// limits. On any error it removes what it made.
func New(id string, r *Resources) (g *Group, err error) {
	mode, err := DetectMode()
	if err != nil {
		return nil, err
	}
	if mode == Unified {
		g, err = newV2(hostFS(), id, r)
	} else {
		g, err = newV1(hostFS(), mode, id, r)
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

// dirs returns the group's distinct directories, deepest first.
func (g *Group) dirs() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range g.Dirs {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// Dir is the group's directory for a controller ("" for v2's only one).
func (g *Group) Dir(controller string) string {
	if g.Mode == Unified {
		return g.Dirs[""]
	}
	return g.Dirs[controller]
}

// Paths lists the group's directories, for messages and tests.
func (g *Group) Paths() []string { return g.dirs() }

// Destroy removes the group. Processes still in it are killed first (the
// container is over when this is called), then each directory is removed,
// and the shared "mydocker" parent too if no other container uses it.
func (g *Group) Destroy() error {
	var errs []error
	// A paused container's processes cannot die: on v1 a frozen task
	// killed with SIGKILL stays until it is thawed. Thaw first.
	if frozen, err := g.Frozen(); err == nil && frozen {
		g.Thaw()
	}
	for _, dir := range g.dirs() {
		if err := removeGroup(g.Mode, dir); err != nil {
			errs = append(errs, err)
		}
		removeIfEmpty(filepath.Dir(dir))
	}
	return errors.Join(errs...)
}

// removeGroup empties and removes one group directory.
func removeGroup(mode Mode, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var err error
	for i := 0; i < 200; i++ { // up to ~2s: killed tasks take a moment to leave
		trace.Step("rmdir %s", dir)
		if err = unix.Rmdir(dir); err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) {
			break
		}
		if i == 0 {
			killAll(mode, dir)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}

// killAll kills what is left in a group: cgroup.kill on v2 (5.14+),
// otherwise SIGKILL to each PID listed in cgroup.procs.
func killAll(mode Mode, dir string) {
	if mode == Unified && writeFile(dir, "cgroup.kill", "1") == nil {
		return
	}
	data, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	for _, f := range strings.Fields(string(data)) {
		var pid int
		// On v1 a process is listed if one of its threads is in the
		// group: never this one, whichever thread strayed there.
		if _, err := fmt.Sscan(f, &pid); err == nil && pid > 0 && pid != os.Getpid() {
			unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// removeIfEmpty removes the shared parent if it has no groups left; if
// another container still uses it, rmdir fails and that is fine.
func removeIfEmpty(dir string) {
	if filepath.Base(dir) != Parent {
		return
	}
	if unix.Rmdir(dir) == nil {
		trace.Step("rmdir %s", dir)
	}
}

// Hierarchies maps the name of each v1 hierarchy the group is in, as it
// appears under /sys/fs/cgroup ("memory", "cpu,cpuacct"), to the group's
// directory there. On v2 it is empty.
func (g *Group) Hierarchies() map[string]string {
	out := map[string]string{}
	if g.Mode == Unified {
		return out
	}
	for _, dir := range g.dirs() {
		rel, err := filepath.Rel(Mountpoint, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue // a hierarchy mounted elsewhere: no name under /sys/fs/cgroup
		}
		name, _, _ := strings.Cut(rel, string(filepath.Separator))
		out[name] = dir
	}
	return out
}

// Finding a container's group from its ID alone. The group's place is a
// function of the ID (<parent>/mydocker/<id>), so an engine that lost
// everything else (its `mydocker run` was killed between making the group
// and saving where it is) can still find the group and remove it.

package cgroups

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Locate returns the group container id has, or would have, on this host,
// seen from the caller's own cgroups: on v1, a directory in every mounted
// hierarchy, even those New would not use, so that Destroy of the result
// removes whatever New made. Directories that do not exist are fine:
// Destroy skips them.
func Locate(id string) (*Group, error) {
	if id == "" || id == "." || id == ".." || strings.ContainsRune(id, '/') {
		return nil, fmt.Errorf("locate cgroup: %q is not a container ID", id)
	}
	mode, err := DetectMode()
	if err != nil {
		return nil, err
	}
	if mode == Unified {
		return &Group{Mode: mode, Dirs: map[string]string{"": filepath.Join(Mountpoint, Parent, id)}}, nil
	}
	hs, err := v1Hierarchies()
	if err != nil {
		return nil, err
	}
	return placeV1(mode, hs, id), nil
}

// Plan is the group New(id, r) makes, known before it exists: Locate's,
// with the pids limit Placement needs on v1 (see writeV1). The engine
// numbers init's cgroup files from it and makes the group while init
// starts.
func Plan(id string, r *Resources) (*Group, error) {
	g, err := Locate(id)
	if err != nil {
		return nil, err
	}
	return withPidsMax(g, r), nil
}

// withPidsMax sets the pids limit Placement.Fork writes, as writeV1 does.
func withPidsMax(g *Group, r *Resources) *Group {
	if g.Mode != Unified && r.PidsLimit > 0 {
		g.PidsMax = r.PidsLimit
	}
	return g
}

// placeV1 is where container id's group goes in each v1 hierarchy:
// beneath the caller's own group there, in Parent. Back is the caller's
// own group, where init's forking thread returns. New and Locate both use
// it, so they cannot disagree.
func placeV1(mode Mode, hs []v1Hierarchy, id string) *Group {
	g := &Group{Mode: mode, Dirs: map[string]string{}, Back: map[string]string{}}
	for _, h := range hs {
		own := filepath.Join(h.Mount, h.Path)
		for _, c := range h.Controllers {
			g.Dirs[c], g.Back[c] = filepath.Join(own, Parent, id), own
		}
	}
	return g
}

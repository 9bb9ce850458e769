// The container store keeps one directory per container under the data root,
// <data-root>/containers/<id>/, holding container.json: what was asked for
// (the Config), and what happened (the State). A container outlives its
// process, as in Docker, until `mydocker rm` or `run --rm` removes it.
// Writes are atomic and durable (fsutil.WriteFile), so a reader never sees
// half a record, and a record saved before a crash is there after it.

package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/network"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

// ErrNotFound is returned for a name or ID no container has.
var ErrNotFound = errors.New("no such container")

// Container is the record of one container, shaped like `docker inspect`.
type Container struct {
	ID    string `json:"Id"`
	Name  string `json:"Name"`
	Image string `json:"Image"` // as given on the command line
	// ImageID is the image's config digest; Layers its layers' ChainIDs,
	// lowest first, which the container keeps in use (chapter 04).
	ImageID digest.Digest   `json:"ImageID,omitempty"`
	Layers  []digest.Digest `json:"Layers,omitempty"`
	// Lowers are the directories of its root's read-only layers, top
	// first, for `mydocker diff`.
	Lowers  []string       `json:"Lowers,omitempty"`
	Created time.Time      `json:"Created"`
	Config  runtime.Config `json:"Config"`
	Host    HostConfig     `json:"HostConfig"`
	State   State          `json:"State"`
	// Cgroup is the container's group, kept so that `mydocker stats` can
	// read it and `mydocker rm` can remove it if mydocker died first. It is
	// recorded before the group is made (its place follows from the ID).
	Cgroup          *cgroups.Group    `json:"Cgroup,omitempty"`
	NetworkSettings *network.Settings `json:"NetworkSettings,omitempty"` // chapter 07
	containerMounts                   // chapter 08: "Mounts", as docker inspect shows them
	image           *Image            // while the container is being made
}

// HostConfig holds the settings that concern the host, not the container's inside.
type HostConfig struct {
	AutoRemove bool `json:"AutoRemove"` // --rm
	// ReadonlyRootfs is --read-only: the root is read-only, its mounts not.
	ReadonlyRootfs bool              `json:"ReadonlyRootfs"`
	Resources      cgroups.Resources `json:"Resources"` // -m, --cpus, --pids-limit, ...
}

// State is what became of the container.
type State struct {
	Status   string `json:"Status"` // created, running, exited
	Pid      int    `json:"Pid"`    // init's PID on the host while running
	PidStart uint64 `json:"PidStart,omitempty"`
	// Monitor is the `mydocker run` that owns the container, from its
	// creation: it records the end. While it lives, the record is its to
	// write, and the container is starting or running.
	Monitor      int       `json:"Monitor,omitempty"`
	MonitorStart uint64    `json:"MonitorStart,omitempty"`
	ExitCode     int       `json:"ExitCode"`
	OOMKilled    bool      `json:"OOMKilled"`
	Error        string    `json:"Error,omitempty"`
	StartedAt    time.Time `json:"StartedAt"`
	FinishedAt   time.Time `json:"FinishedAt"`
	// Usage is what the container had used when it ended, read from its
	// cgroup just before the group was removed.
	Usage *cgroups.Stats `json:"Usage,omitempty"`
}

// Store is the set of containers under one data root.
type Store struct {
	dir string
}

// OpenStore opens (creating if needed) the container store of a data root.
func OpenStore(dataRoot string) (*Store, error) {
	dir := filepath.Join(dataRoot, "containers")
	if err := fsutil.MkdirPrivate(dataRoot); err != nil {
		return nil, err
	}
	if err := fsutil.MkdirOwned(dir); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Dir is the container's own directory.
func (s *Store) Dir(id string) string { return filepath.Join(s.dir, id) }

// Create records a new container, giving it a name if it has none. Names
// are unique; the store's lock makes check-and-create atomic.
func (s *Store) Create(c *Container) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	all, err := s.list()
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, o := range all {
		taken[o.Name] = true
	}
	if c.Name == "" {
		c.Name = randomName(taken)
	} else if taken[c.Name] {
		return fmt.Errorf("container name %q is already in use: remove it with `mydocker rm %s` or choose another --name", c.Name, c.Name)
	}
	if err := os.Mkdir(s.Dir(c.ID), 0o700); err != nil {
		return err
	}
	if err := s.Save(c); err != nil {
		return err
	}
	// The record's directory is an entry of containers/: durable only
	// once that directory is synced.
	return fsutil.SyncDir(s.dir)
}

// Save writes the container's record atomically.
func (s *Store) Save(c *Container) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFile(filepath.Join(s.Dir(c.ID), "container.json"), data, 0o600)
}

// MonitorAlive reports whether the `mydocker run` that owns the container
// is alive and has not recorded the end: the container is starting or
// running, and only a forced rm may remove it.
func (c *Container) MonitorAlive() bool {
	return c.State.Monitor > 0 && processAlive(c.State.Monitor, c.State.MonitorStart)
}

// Get finds a container by name, full ID or unique ID prefix.
func (s *Store) Get(ref string) (*Container, error) {
	all, err := s.List()
	if err != nil {
		return nil, err
	}
	var match []*Container
	for _, c := range all {
		if c.Name == ref || c.ID == ref {
			return c, nil
		}
		if strings.HasPrefix(c.ID, ref) {
			match = append(match, c)
		}
	}
	switch {
	case len(match) == 1:
		return match[0], nil
	case len(match) > 1:
		return nil, fmt.Errorf("container ID prefix %q is ambiguous: give more of the ID", ref)
	}
	return nil, fmt.Errorf("%w: %s", ErrNotFound, ref)
}

// List returns every container, newest first, with the state of running ones
// checked against the process table.
func (s *Store) List() ([]*Container, error) { return s.list() }

func (s *Store) list() ([]*Container, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []*Container
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.dir, e.Name(), "container.json"))
		if err != nil {
			continue // being created or removed right now
		}
		var c Container
		if json.Unmarshal(data, &c) != nil {
			continue
		}
		if c.State.Status == "running" && !processAlive(c.State.Monitor, c.State.MonitorStart) {
			// mydocker run was killed before it could record the end: the
			// exit code and time are unknown (Docker says 255 here too).
			c.State.Status, c.State.ExitCode = "exited", 255
			c.State.Error = "mydocker exited before the container did"
			if c.State.FinishedAt.IsZero() {
				c.State.FinishedAt = c.State.StartedAt
			}
		}
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Remove deletes the container's record and directory.
func (s *Store) Remove(id string) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return os.RemoveAll(s.Dir(id))
}

// lock takes the store-wide lock, an flock(2) on a file beside the records.
func (s *Store) lock() (func(), error) {
	return fsutil.Lock(filepath.Join(s.dir, ".lock"), fsutil.Exclusive)
}

// processAlive reports whether pid is still the process that started at
// start (field 22 of /proc/PID/stat), not a later one given the same PID.
func processAlive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	got, err := ProcessStartTime(pid)
	return err == nil && (start == 0 || got == start)
}

// ProcessStartTime reads when pid started, in clock ticks since boot.
func ProcessStartTime(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: skip
	// past its last ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// Remove deletes a container that is not running: its record and whatever
// it kept on disk. Its cgroup is left behind only if its `mydocker run` was
// killed: the record names it, and its place follows from the ID too, seen
// from here (for a record that lost it, or a v1 caller in other groups).
func Remove(s *Store, id string) error {
	var errs []error
	if c, err := s.Get(id); err == nil && c.Cgroup != nil {
		if err := c.Cgroup.Destroy(); err != nil {
			errs = append(errs, err)
		}
	}
	if g, err := cgroups.Locate(id); err == nil {
		if err := g.Destroy(); err != nil {
			errs = append(errs, err)
		}
	}
	// Chapter 07: an endpoint whose mydocker run was killed is released
	// (its address, ports and rules; the kernel took its veth already).
	if err := network.Release(filepath.Dir(s.dir)); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove container %s: %w", ShortID(id), err)
	}
	return s.Remove(id)
}

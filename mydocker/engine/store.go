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
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/logs"
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
	Lowers     []string       `json:"Lowers,omitempty"`
	Created    time.Time      `json:"Created"`
	Config     runtime.Config `json:"Config"`
	HostConfig HostConfig     `json:"HostConfig"`
	State      State          `json:"State"`
	// RestartCount is how often the monitor restarted the command since
	// the last start by a user (chapter 06).
	RestartCount int `json:"RestartCount"`
	// ManuallyStopped is set by stop, kill and rm -f: the restart policy
	// does not apply until the next start.
	ManuallyStopped bool `json:"ManuallyStopped,omitempty"`
	// LogPath is the json-file log of a detached container.
	LogPath   string `json:"LogPath,omitempty"`
	OpenStdin bool   `json:"OpenStdin,omitempty"` // -i: the monitor holds stdin open for attach (chapter 06)
	StdinOnce bool   `json:"StdinOnce,omitempty"` // an attached client's end of input closes it (-i without -d)
	// StopSignal is the image's STOPSIGNAL, which `mydocker stop` sends
	// first (chapter 06).
	StopSignal string `json:"StopSignal,omitempty"`
	// Cgroup is the container's group, kept so that `mydocker stats` can
	// read it and `mydocker rm` can remove it if mydocker died first. It is
	// recorded before the group is made (its place follows from the ID).
	Cgroup          *cgroups.Group    `json:"Cgroup,omitempty"`
	NetworkSettings *network.Settings `json:"NetworkSettings,omitempty"` // chapter 07
	containerMounts                   // chapter 08: "Mounts", as docker inspect shows them
	image           *Image            // while the container is being made
	durable         chan error        // the new record's fsyncs are done (Create)
	written         []byte            // the record as this process last wrote it (mergeSave)
}

// HostConfig holds the settings that concern the host, not the container's inside.
type HostConfig struct {
	AutoRemove bool              `json:"AutoRemove"` // --rm
	Resources  cgroups.Resources `json:"Resources"`  // -m, --cpus, --pids-limit, ...
	// ReadonlyRootfs is --read-only: the root is read-only, its mounts not.
	ReadonlyRootfs bool `json:"ReadonlyRootfs"`
	// RestartPolicy is --restart, carried out by the monitor (chapter 06).
	RestartPolicy RestartPolicy `json:"RestartPolicy"`
	// LogConfig is --log-opt for the json-file log the monitor writes.
	LogConfig LogConfig `json:"LogConfig"`
	// Chapter 07: --network, -P, and the -p and --ip the container was
	// created with, for each start (the monitor attaches it anew).
	NetworkMode     string   `json:"NetworkMode"`
	PublishAllPorts bool     `json:"PublishAllPorts"`
	PortSpecs       []string `json:"PortSpecs,omitempty"`
	IPAddress       string   `json:"IPAddress,omitempty"`
	NetworkAliases  []string `json:"NetworkAliases,omitempty"` // --network-alias
	// ExposedPorts are the image's EXPOSE, which -P publishes.
	ExposedPorts []string `json:"ExposedPorts,omitempty"`
}

// LogConfig is the log driver and its options, as `docker inspect` shows them.
type LogConfig struct {
	Type   string            `json:"Type"` // always json-file
	Config map[string]string `json:"Config"`
}

// Options are the json-file log's options, read back from Config.
func (l LogConfig) Options() (logs.Options, error) {
	var flags []string
	for k, v := range l.Config {
		flags = append(flags, k+"="+v)
	}
	sort.Strings(flags)
	return logs.ParseOptions(flags, cgroups.ParseBytes)
}

// State is what became of the container: Docker's .State (DockerState)
// and what mydocker needs to check it against the process table.
type State struct {
	DockerState
	PidStart uint64 `json:"PidStart,omitempty"`
	// Monitor is the process that owns the container while it lives: the
	// `mydocker run` in the foreground, or the monitor of a detached one
	// (chapter 06). It records the end. While it lives, the record is its
	// to write, and the container is starting or running.
	Monitor      int    `json:"Monitor,omitempty"`
	MonitorStart uint64 `json:"MonitorStart,omitempty"`
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

// DataRoot is the data root the store is in.
func (s *Store) DataRoot() string { return filepath.Dir(s.dir) }

// Create records a new container, giving it a name if it has none. Names
// are unique; the store's lock makes check-and-create atomic.
func (s *Store) Create(c *Container) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	ids, err := s.ids()
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, id := range ids {
		if name, err := s.recordName(id); err == nil {
			taken[name] = true
		}
	}
	if c.Name == "" {
		c.Name = randomName(taken)
	} else if taken[c.Name] {
		// A conflict (Docker's 409), worded for the command line.
		return conflict("container name %q is already in use: remove it with `mydocker rm %s` or choose another --name", c.Name, c.Name)
	}
	// The directory appears whole, record inside, or not at all: it is
	// made under a temporary name and renamed. A creator killed midway
	// (kill -9 of `run -d`) leaves only a ".new-" directory, which no
	// reader takes for a container, and the next Create sweeps away.
	s.sweep()
	tmp := filepath.Join(s.dir, newPrefix+c.ID)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return err
	}
	// Its three fsyncs (the record, its directory, and containers/, of
	// which the directory is an entry) run while the root is prepared and
	// init starts; the command does not start before they are done
	// (Container.durable, waited for by Run's commandFiles and by
	// Prepare). Until the rename nothing is visible, so the record needs
	// no rename of its own.
	data, err := json.MarshalIndent(c, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(tmp, "container.json"), data, 0o600)
	}
	if err == nil {
		// Its lock comes with it: LockContainer never makes one (see Remove).
		err = os.WriteFile(filepath.Join(tmp, "lock"), nil, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, s.Dir(c.ID))
	}
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	c.written = data
	c.durable = make(chan error, 1)
	go func() { c.durable <- syncRecord(filepath.Join(s.Dir(c.ID), "container.json"), s.dir) }()
	return nil
}

// syncRecord makes a new record durable: its data, its name in its
// directory, and the directory's name in containers/ (dir).
func syncRecord(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return err
	}
	if err := fsutil.SyncDir(filepath.Dir(path)); err != nil {
		return err
	}
	return fsutil.SyncDir(dir)
}

// newPrefix marks a container directory still being created.
const newPrefix = ".new-"

// sweep removes what creators killed midway left. Only called under the
// store's lock, which every creator holds throughout: none is at work.
func (s *Store) sweep() {
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), newPrefix) {
			os.RemoveAll(filepath.Join(s.dir, e.Name()))
		}
	}
}

// Save writes the container's record atomically.
func (s *Store) Save(c *Container) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFile(filepath.Join(s.Dir(c.ID), "container.json"), data, 0o600); err != nil {
		return err
	}
	c.written = data
	return nil
}

// MonitorAlive reports whether the `mydocker run` that owns the container
// is alive and has not recorded the end: the container is starting or
// running, and only a forced rm may remove it.
func (c *Container) MonitorAlive() bool {
	return c.State.Monitor > 0 && processAlive(c.State.Monitor, c.State.MonitorStart)
}

// Get finds a container by name, full ID or unique ID prefix. It reads
// only what it must: a container's ID is its directory's name, and its
// name is the second field of its record (recordName); the one record found
// is then read whole.
func (s *Store) Get(ref string) (*Container, error) {
	id, err := s.Find(ref)
	if err != nil {
		return nil, err
	}
	return s.Load(id)
}

// Find returns the full ID of the container ref names (a name, a full ID
// or a unique ID prefix), for a caller that reads the record itself, under
// the container's lock (Update).
func (s *Store) Find(ref string) (string, error) {
	ids, err := s.ids()
	if err != nil {
		return "", err
	}
	if slices.Contains(ids, ref) {
		return ref, nil
	}
	var match []string
	for _, id := range ids {
		name, err := s.recordName(id)
		if err != nil {
			continue // being removed right now, or not a record
		}
		if name == ref {
			return id, nil
		}
		if strings.HasPrefix(id, ref) {
			match = append(match, id)
		}
	}
	switch {
	case len(match) == 1:
		return match[0], nil
	case len(match) > 1:
		return "", fmt.Errorf("container ID prefix %q is ambiguous: give more of the ID", ref)
	}
	return "", fmt.Errorf("%w: %s", ErrNotFound, ref)
}

// ids lists the IDs of the store's containers: its directories, less those
// still being created.
func (s *Store) ids() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), newPrefix) {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// recordName reads a container's name from the head of its record, where
// it follows the ID (Container's first two fields), without reading or
// decoding the rest: checking a name against 100 containers reads 100
// short heads, not 100 records.
func (s *Store) recordName(id string) (string, error) {
	f, err := os.Open(filepath.Join(s.Dir(id), "container.json"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	dec := json.NewDecoder(io.LimitReader(f, 1024))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", fmt.Errorf("record of container %s: not an object", ShortID(id))
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			break
		}
		if key == "Name" {
			var name string
			err := dec.Decode(&name)
			return name, err
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			break
		}
	}
	// Not in the head (a record written by hand?): read it whole.
	c, err := s.Load(id)
	if err != nil {
		return "", err
	}
	return c.Name, nil
}

// List returns every container, newest first, with the state of running ones
// checked against the process table.
func (s *Store) List() ([]*Container, error) {
	if unlock, ok := s.tryLock(); ok {
		s.sweep()
		unlock()
	}
	return s.list()
}

// tryLock takes the store's lock if no one holds it.
func (s *Store) tryLock() (func(), bool) {
	unlock, err := fsutil.Lock(filepath.Join(s.dir, ".lock"), fsutil.Exclusive|unix.LOCK_NB)
	return unlock, err == nil
}

func (s *Store) list() ([]*Container, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []*Container
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), newPrefix) {
			continue
		}
		c, err := s.Load(e.Name())
		if err != nil {
			continue // being created or removed right now
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// monitorGone records what a record that says "running" means once its
// monitor is known to have died without writing the end (kill -9): the
// container is gone too, since init dies with the monitor (Pdeathsig).
// The exit code and time are unknown (Docker says 255 here too).
func (c *Container) monitorGone() {
	c.State.Set(Exited)
	c.State.ExitCode = 255
	c.State.Error = "the monitor exited before the container did"
	if c.State.FinishedAt.IsZero() {
		c.State.FinishedAt = c.State.StartedAt
	}
}

// Update changes a container's record under its own lock: it reads the
// record afresh, lets fn change it, and saves it, so that the monitor and
// the lifecycle commands (stop, pause, rm) never overwrite each other's
// changes. If fn fails, nothing is saved.
func (s *Store) Update(id string, fn func(c *Container) error) (*Container, error) {
	unlock, err := s.LockContainer(id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := s.Load(id)
	if err != nil {
		return nil, err
	}
	if err := fn(c); err != nil {
		return c, err
	}
	return c, s.saveState(c)
}

// saveState writes a change of state atomically (a reader sees the old
// record or the new, never half), but without fsync: a state is about
// processes, and a power cut ends them all. The record written at
// creation is durable; after a crash, the state it says is checked against
// the process table (Load) and found to be over. Four fsyncs fewer
// per run -d and stop: about 4 ms on this machine's disk.
func (s *Store) saveState(c *Container) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(s.Dir(c.ID), "container.json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Load reads one container's record by its full ID, with its state
// checked against the process table.
func (s *Store) Load(id string) (*Container, error) {
	c, err := s.read(id)
	if err != nil {
		return nil, err
	}
	// A monitor records the end and then exits: if it is gone now, the
	// record read a moment ago may predate its last write. Read again. A
	// record read after its monitor was seen dead, still "running" and
	// still naming that monitor, is that monitor's last word: it died
	// without recording the end. (Seen alive, then dead at a second look,
	// proves nothing about a record read before both: 255 for a container
	// that exited 7, 4 times in 160 run -d + wait.) A record naming a new
	// monitor (start after the end) is looked at again, a few times.
	for tries := 0; tries < 3 && c.State.Running && !c.MonitorAlive(); tries++ {
		dead, start := c.State.Monitor, c.State.MonitorStart
		if c, err = s.read(id); err != nil {
			return nil, err
		}
		if c.State.Running && c.State.Monitor == dead && c.State.MonitorStart == start {
			c.monitorGone()
		}
	}
	s.checkRemoval(c)
	return c, nil
}

// read reads one container's record as it is on disk.
func (s *Store) read(id string) (*Container, error) {
	data, err := os.ReadFile(filepath.Join(s.Dir(id), "container.json"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return nil, err
	}
	var c Container
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("read record of container %s: %w", ShortID(id), err)
	}
	return &c, nil
}

// LockContainer takes one container's lock, an flock(2) on a file in its
// directory, made with the record (Create). Every change of state is made
// under it (Update). It opens the file, never makes it: a lock made while
// Remove deletes the directory would be a fresh lock, free at once, and a
// file in the way of the rmdir (ENOTEMPTY: the container left "dead").
// Only a record older than its lock file gets one here, when the record
// is still there: Remove deletes the record before the lock.
func (s *Store) LockContainer(id string) (func(), error) {
	path := filepath.Join(s.Dir(id), "lock")
	unlock, err := fsutil.LockExisting(path, fsutil.Exclusive)
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(filepath.Join(s.Dir(id), "container.json")); serr != nil {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return fsutil.Lock(path, fsutil.Exclusive)
	}
	return unlock, err
}

// Remove deletes the container's directory: what it holds first, the
// record (and its lock) last, so that a teardown that fails midway leaves
// a record to say so ("dead") and to retry from.
func (s *Store) Remove(id string) error {
	dir := s.Dir(id)
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var errs []error
	for _, e := range entries {
		if e.Name() != "container.json" && e.Name() != "lock" {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	// The record, then its lock, then the directory: a lock file missing
	// means the record is gone too, so LockContainer makes none again.
	for _, name := range []string{"container.json", "lock"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.RemoveAll(dir)
}

// lock takes the store-wide lock, an flock(2) on a file beside the records.
func (s *Store) lock() (func(), error) {
	return fsutil.Lock(filepath.Join(s.dir, ".lock"), fsutil.Exclusive)
}

// processAlive reports whether pid is still the process that started at
// start (field 22 of /proc/PID/stat), not a later one given the same PID,
// and has not exited: a zombie is dead, though its parent (after a kill -9
// of a monitor, whoever adopted it) may not have reaped it yet.
func processAlive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	state, got, err := procStat(pid)
	return err == nil && state != 'Z' && state != 'X' && (start == 0 || got == start)
}

// ProcessStartTime reads when pid started, in clock ticks since boot.
func ProcessStartTime(pid int) (uint64, error) {
	_, start, err := procStat(pid)
	return start, err
}

// procStat reads a process's state letter and start time from /proc/PID/stat.
func procStat(pid int) (byte, uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: skip
	// past its last ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 || len(fields[0]) != 1 {
		return 0, 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	start, err := strconv.ParseUint(fields[19], 10, 64)
	return fields[0][0], start, err
}

// Remove deletes a container that is not running, under its lock
// (removeLocked). A container already gone is no error.
func Remove(s *Store, id string) error {
	unlock, err := s.LockContainer(id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unlock()
	return removeLocked(s, id)
}

// removeLocked deletes a container that is not running: its record and
// whatever it kept on disk. The caller holds the container's lock. The
// record says "removing" first, as Docker's does; a teardown that fails
// leaves it "dead" ("Dead": true), which rm (-f) retries. A remover killed
// midway leaves "removing" and a free lock: readers find that out
// (checkRemoval) and see "dead".
//
// Its cgroup is left behind only if its `mydocker run` was killed: the
// record names it, and its place follows from the ID too, seen from here
// (for a record that lost it, or a v1 caller in other groups).
func removeLocked(s *Store, id string) error {
	c, err := s.Load(id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	c.State.Set(Removing)
	if err := s.saveState(c); err != nil {
		return err
	}
	var errs []error
	if c.Cgroup != nil {
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
	if len(errs) == 0 {
		if err := s.Remove(id); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		c.State.Set(Dead)
		c.State.Error = "removal failed: " + oneLine(err)
		s.saveState(c)
		return fmt.Errorf("remove container %s: %w: it is dead now; rm -f retries", ShortID(id), err)
	}
	return nil
}

// oneLine keeps a joined error on one line.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// checkRemoval finds out a container whose record says "removing" while no
// one removes it: its remover was killed (it held the container's lock
// throughout, and the kernel let go of it). Docker marks such a container
// dead when it starts again; rm -f finishes it.
func (s *Store) checkRemoval(c *Container) {
	if c.State.Status != Removing {
		return
	}
	// The lock file is opened, never made: Store.Remove may have unlinked
	// it already, and a new one here would be a fresh lock, free at once,
	// and a file in the directory it is deleting (ENOTEMPTY: the
	// container left "dead"; seen with 100 `docker rm` at once).
	unlock, err := fsutil.LockExisting(filepath.Join(s.Dir(c.ID), "lock"), fsutil.Exclusive|unix.LOCK_NB)
	if errors.Is(err, os.ErrNotExist) {
		// The directory is being deleted, under the store's lock; a
		// remover killed in the middle of it left that lock free.
		unlock, err = fsutil.Lock(filepath.Join(s.dir, ".lock"), fsutil.Exclusive|unix.LOCK_NB)
	}
	if err != nil {
		return // held: a removal is in progress (or it is ours)
	}
	unlock()
	c.State.Set(Dead)
}

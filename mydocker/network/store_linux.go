// The state file: every network and endpoint, in DATA_ROOT/network/state.json,
// read and written only while holding an flock on DATA_ROOT/network/lock.
// Writes are atomic (rename of a temp file), so a mydocker killed mid-write
// leaves the old state, never half a file.
//
// Only the networks need to survive a power cut; an endpoint never
// outlives the machine (after a reboot every holder is dead, and the next
// command reclaims its endpoint). So a write that changes only endpoints —
// every container's attach and detach — is renamed into place without an
// fsync: after a crash the file may be an older one, or, on a filesystem
// that commits a rename before the data, damaged. A write that changes the
// networks is durable (fsutil.WriteFile), and so is its copy of them in
// networks.json, which a damaged state.json falls back to. The fsyncs
// were half of a container's attach+detach here, and most of its variance
// on a busy disk.

package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/fsutil"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// State is the whole state file.
type State struct {
	Networks  []*Network           `json:"Networks"`
	Endpoints map[string]*Endpoint `json:"Endpoints"` // by container ID
}

// Store is a data root's network state.
type Store struct{ dir string }

// OpenStore opens the network state of a data root.
func OpenStore(dataRoot string) (*Store, error) {
	if err := fsutil.MkdirPrivate(dataRoot); err != nil {
		return nil, err
	}
	dir := filepath.Join(dataRoot, "network")
	if err := fsutil.MkdirOwned(dir); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Update runs fn on the state under the lock and saves it if fn returns nil.
func (s *Store) Update(fn func(*State) error) error {
	return s.locked(true, fn)
}

// Read runs fn on the state under a shared lock.
func (s *Store) Read(fn func(*State) error) error {
	return s.locked(false, fn)
}

func (s *Store) locked(write bool, fn func(*State) error) error {
	f, err := os.OpenFile(filepath.Join(s.dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close() // releases the lock
	how := unix.LOCK_SH
	if write {
		how = unix.LOCK_EX
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		return os.NewSyscallError("flock", err)
	}
	st, err := s.load()
	if err != nil {
		return err
	}
	before, _ := json.Marshal(st.Networks)
	if err := fn(st); err != nil {
		return err
	}
	if !write {
		return nil
	}
	out, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if after, _ := json.Marshal(st.Networks); string(after) != string(before) {
		nets, _ := json.MarshalIndent(State{Networks: st.Networks}, "", "  ")
		if err := fsutil.WriteFile(filepath.Join(s.dir, "networks.json"), nets, 0o600); err != nil {
			return err
		}
		return fsutil.WriteFile(filepath.Join(s.dir, "state.json"), out, 0o600)
	}
	return writeVolatile(filepath.Join(s.dir, "state.json"), out)
}

// load reads the state file; if a crash left it damaged, the networks'
// durable copy, with no endpoints (no container survived the crash).
func (s *Store) load() (*State, error) {
	st := &State{Endpoints: map[string]*Endpoint{}}
	path := filepath.Join(s.dir, "state.json")
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return st, nil
	case err != nil:
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		st = &State{}
		copyData, cerr := os.ReadFile(filepath.Join(s.dir, "networks.json"))
		if cerr != nil || json.Unmarshal(copyData, st) != nil {
			return nil, fmt.Errorf("network state %s is damaged: %w", path, err)
		}
		trace.Step("network state %s damaged (a crash?): the networks from networks.json, no endpoints", path)
		st.Endpoints = nil
	}
	if st.Endpoints == nil {
		st.Endpoints = map[string]*Endpoint{}
	}
	return st, nil
}

// writeVolatile replaces path with data atomically for other processes (a
// rename), but not durably: no fsync (see the top of this file).
func writeVolatile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // finds nothing once renamed
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Find finds a network by name, full ID or unique ID prefix.
func (st *State) Find(ref string) (*Network, error) {
	var match []*Network
	for _, n := range st.Networks {
		if n.Name == ref || n.ID == ref {
			return n, nil
		}
		if len(ref) >= 3 && strings.HasPrefix(n.ID, ref) {
			match = append(match, n)
		}
	}
	if len(match) == 1 {
		return match[0], nil
	}
	return nil, fmt.Errorf("%w: %s (see mydocker network ls)", ErrNotFound, ref)
}

// users lists the containers with an endpoint on network id.
func (st *State) users(id string) []string {
	var out []string
	for _, ep := range st.Endpoints {
		if ep.Network == id {
			out = append(out, ep.Container)
		}
	}
	return out
}

// alive reports whether pid is still the process that started at start
// (field 22 of /proc/PID/stat), not a later one given the same PID.
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return false
	}
	got, _ := strconv.ParseUint(f[19], 10, 64)
	return start == 0 || got == start
}

// StartTime is a process's start time as alive compares it.
func StartTime(pid int) uint64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

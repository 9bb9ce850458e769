// The volume store: one directory per volume under the data root,
//
//	<data-root>/volumes/<name>/volume.json   the record (`volume inspect`)
//	<data-root>/volumes/<name>/_data/        the data, what containers see
//
// A volume appears whole or not at all: it is built under a temporary name
// and renamed into place; it is removed by renaming it away first. Open
// sweeps what a kill -9 left half-made or half-removed.

package volume

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/fsutil"
)

// Store is the set of volumes under one data root.
type Store struct {
	dir string
}

// temporary entries start with '.', which no volume name may.
const (
	tmpPrefix = ".new-"
	rmPrefix  = ".rm-"
)

// Open opens (creating if needed) the volume store of a data root, and
// removes what an interrupted create or remove left.
func Open(dataRoot string) (*Store, error) {
	if err := fsutil.MkdirPrivate(dataRoot); err != nil {
		return nil, err
	}
	dir := filepath.Join(dataRoot, "volumes")
	// 0o701: a container's user may reach its volume's _data through
	// the path (as Docker's /var/lib/docker/volumes), not list the volumes.
	if err := os.Mkdir(dir, 0o701); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	s := &Store{dir: dir}
	return s, s.sweep()
}

// sweep removes leftovers of a create or remove that was killed. It holds
// the store's lock, so it never takes a temp dir another process is filling.
func (s *Store) sweep() error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) || strings.HasPrefix(e.Name(), rmPrefix) {
			os.RemoveAll(filepath.Join(s.dir, e.Name()))
		}
	}
	return nil
}

// Mountpoint is where a volume's data lives on the host.
func (s *Store) Mountpoint(name string) string { return filepath.Join(s.dir, name, "_data") }

// Create makes a volume, or returns the existing one of that name, as
// Docker does; a different driver or different options are refused. No
// name makes an anonymous one (NewAnonymousName), as `docker volume
// create` without one.
func (s *Store) Create(name, driver string, opts, labels map[string]string) (v *Volume, created bool, err error) {
	if name == "" {
		name = NewAnonymousName()
	}
	if driver == "" {
		driver = DefaultDriver
	}
	if driver != DefaultDriver {
		return nil, false, invalid("create %s: driver %q: mydocker has the local driver only", name, driver)
	}
	if err := CheckName(name); err != nil {
		return nil, false, err
	}
	if err := checkLocalOptions(opts); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	unlock, err := s.lock()
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	if old, err := s.Get(name); err == nil {
		if len(opts) > 0 && !maps.Equal(opts, old.Options) {
			return nil, false, invalid("create %s: a volume of that name exists with other options: remove it first (`mydocker volume rm %s`)", name, name)
		}
		return old, false, nil
	}
	v = &Volume{CreatedAt: time.Now().UTC().Truncate(time.Second), Driver: driver, Labels: labels,
		Mountpoint: s.Mountpoint(name), Name: name, Options: opts, Scope: "local"}
	if v.Labels == nil {
		v.Labels = map[string]string{}
	}
	if v.Options == nil {
		v.Options = map[string]string{}
	}
	tmp, err := os.MkdirTemp(s.dir, tmpPrefix)
	if err != nil {
		return nil, false, err
	}
	defer os.RemoveAll(tmp) // gone once renamed; the leftover of a failure otherwise
	// _data is 0755 root, as Docker makes it; copy-up gives it the
	// owner and mode of the image's directory.
	if err := os.Mkdir(filepath.Join(tmp, "_data"), 0o755); err != nil {
		return nil, false, err
	}
	if err := os.Chmod(tmp, 0o701); err != nil {
		return nil, false, err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, false, err
	}
	if err := fsutil.WriteFile(filepath.Join(tmp, "volume.json"), data, 0o600); err != nil {
		return nil, false, err
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, name)); err != nil {
		return nil, false, err
	}
	return v, true, fsutil.SyncDir(s.dir)
}

// Get reads a volume's record.
func (s *Store) Get(name string) (*Volume, error) {
	if CheckName(name) != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	data, err := os.ReadFile(filepath.Join(s.dir, name, "volume.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, err
	}
	var v Volume
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("volume %s: bad record: %w", name, err)
	}
	v.Mountpoint = s.Mountpoint(name)
	return &v, nil
}

// List returns every volume, by name.
func (s *Store) List() ([]*Volume, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []*Volume
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if v, err := s.Get(e.Name()); err == nil {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes a volume and its data. Whether a container still uses it
// is the caller's check (it holds the data root's lock meanwhile).
func (s *Store) Remove(name string) error {
	if _, err := s.Get(name); err != nil {
		return err
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	gone, err := os.MkdirTemp(s.dir, rmPrefix)
	if err != nil {
		return err
	}
	// The rename is the removal: from here the name is free, and a kill
	// before RemoveAll ends leaves only a .rm- entry for sweep.
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(gone, name)); err != nil {
		os.Remove(gone)
		return err
	}
	fsutil.SyncDir(s.dir)
	return os.RemoveAll(gone)
}

// Size is the bytes a volume's data uses, for prune's "reclaimed space".
func (s *Store) Size(name string) int64 {
	var n int64
	filepath.WalkDir(s.Mountpoint(name), func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// lock takes the store's lock, an flock(2) beside the volumes: create and
// remove of one name never interleave.
func (s *Store) lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, os.NewSyscallError("flock", err)
	}
	return func() { f.Close() }, nil
}

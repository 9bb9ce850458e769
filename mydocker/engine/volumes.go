// Volumes on the engine's side (chapter 08): turning what `run` asks for
// (-v, --mount, --tmpfs, --volumes-from, the image's VOLUME) into the
// container's mount points, recorded in its record as `docker inspect`
// shows them, and into the mounts init makes (rootfs.VolumeMount).
//
// Whether a volume is in use is read from the containers' records, never
// counted, so a kill -9 cannot leave a count wrong. The data root's lock
// makes that check and a removal one step: `run` holds it shared while it
// makes its volumes and saves its record; `volume rm` and `volume prune`
// hold it exclusive.

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/mydocker/mydocker/mydocker/rootfs"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/store"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// MountPoint is one of a container's mounts, as `docker inspect` shows it.
type MountPoint struct {
	Type        string `json:"Type"`
	Name        string `json:"Name,omitempty"`
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	Driver      string `json:"Driver,omitempty"`
	Mode        string `json:"Mode"`
	RW          bool   `json:"RW"`
	Propagation string `json:"Propagation"`
	// What --volumes-from needs to make the same mount again.
	Tmpfs  string `json:"TmpfsOptions,omitempty"`
	NoCopy bool   `json:"NoCopy,omitempty"`
}

// containerMounts are a container's mounts, in its record (Container
// embeds it, so "Mounts" is a top-level field of `inspect`, as in Docker).
// The volumes named here are in use.
type containerMounts struct {
	Mounts []MountPoint         `json:"Mounts"`
	mounts []rootfs.VolumeMount // what init mounts, made with the record
}

// removeWithVolumes removes a container's record, then (`run --rm`) its
// anonymous volumes, once the record no longer holds them in use.
func removeWithVolumes(dataRoot string, containers *Store, c *Container) error {
	if err := containers.Remove(c.ID); err != nil {
		return err
	}
	return RemoveAnonymousVolumes(dataRoot, containers, c)
}

// VolumeUsers lists, for each volume, the containers whose records use it.
func VolumeUsers(s *Store) (map[string][]string, error) {
	all, err := s.List()
	if err != nil {
		return nil, err
	}
	users := map[string][]string{}
	for _, c := range all {
		for _, m := range c.Mounts {
			if m.Type == volume.TypeVolume {
				users[m.Name] = append(users[m.Name], c.ID)
			}
		}
	}
	return users, nil
}

// planMounts gathers the container's mounts: the user's, then those of
// --volumes-from containers, then an anonymous volume for each of the
// image's VOLUMEs, each only where no earlier one has the target. It checks
// everything it can before anything is made.
func planMounts(containers *Store, img *Image, opts RunOptions) ([]volume.Mount, error) {
	mounts := append([]volume.Mount{}, opts.Mounts...)
	if err := volume.CheckDuplicates(mounts); err != nil {
		return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	taken := map[string]bool{}
	for _, m := range mounts {
		taken[m.Target] = true
	}
	for _, from := range opts.VolumesFrom {
		ref, mode, _ := strings.Cut(from, ":")
		if mode != "" && mode != "ro" && mode != "rw" {
			return nil, runtime.Exitf(runtime.ExitEngine, "invalid --volumes-from %q: the mode must be ro or rw", from)
		}
		c, err := containers.Get(ref)
		if err != nil {
			return nil, runtime.Exitf(runtime.ExitEngine, "--volumes-from %s: %v", ref, err)
		}
		for _, mp := range c.Mounts {
			if taken[mp.Destination] {
				continue
			}
			taken[mp.Destination] = true
			m := volume.Mount{Type: mp.Type, Source: mp.Name, Target: mp.Destination, ReadOnly: !mp.RW,
				Propagation: mp.Propagation, Tmpfs: mp.Tmpfs, NoCopy: mp.NoCopy}
			if mp.Type == volume.TypeBind {
				m.Source = mp.Source
			}
			if mode != "" {
				m.ReadOnly = mode == "ro"
			}
			mounts = append(mounts, m)
		}
	}
	if img != nil {
		var paths []string
		for p := range img.Config.Volumes {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			m := volume.Mount{Type: volume.TypeVolume, Target: p}
			if err := m.Validate(); err != nil {
				return nil, runtime.Exitf(runtime.ExitEngine, "the image's VOLUME %q: %v", p, err)
			}
			if !taken[m.Target] {
				taken[m.Target] = true
				mounts = append(mounts, m)
			}
		}
	}
	for _, m := range mounts {
		if m.Type != volume.TypeBind {
			continue
		}
		if _, err := os.Stat(m.Source); errors.Is(err, os.ErrNotExist) && !m.CreateSource {
			return nil, runtime.Exitf(runtime.ExitEngine, "invalid mount config for type \"bind\": bind source path does not exist: %s", m.Source)
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, runtime.Exitf(runtime.ExitEngine, "bind source %s: %v", m.Source, err)
		}
	}
	// Parents before children: /data before /data/logs.
	sort.SliceStable(mounts, func(i, j int) bool {
		return strings.Count(mounts[i].Target, "/") < strings.Count(mounts[j].Target, "/")
	})
	return mounts, nil
}

// makeMounts creates what the planned mounts need on the host: named
// volumes on first use, anonymous volumes, a missing -v host directory. It
// returns the record's mount points, init's mounts, and the names of the
// volumes it made; on failure it removes those.
func makeMounts(vols *volume.Store, mounts []volume.Mount) (_ []MountPoint, _ []rootfs.VolumeMount, _ []string, err error) {
	var made []string
	defer func() {
		if err != nil {
			for _, name := range made {
				vols.Remove(name)
			}
		}
	}()
	var points []MountPoint
	var specs []rootfs.VolumeMount
	for _, m := range mounts {
		mp := MountPoint{Type: m.Type, Destination: m.Target, RW: !m.ReadOnly, Tmpfs: m.Tmpfs, NoCopy: m.NoCopy}
		vm := rootfs.VolumeMount{Target: m.Target, ReadOnly: m.ReadOnly}
		switch m.Type {
		case volume.TypeBind:
			if _, err := os.Stat(m.Source); m.CreateSource && errors.Is(err, os.ErrNotExist) {
				// -v's old habit, kept by Docker: a missing host path
				// becomes a directory.
				if err := os.MkdirAll(m.Source, 0o755); err != nil {
					return nil, nil, nil, runtime.Exitf(runtime.ExitEngine, "create bind source %s: %v", m.Source, err)
				}
			}
			mp.Source, mp.Propagation = m.Source, m.Propagation
			vm.Kind, vm.Source, vm.Propagation = "bind", m.Source, m.Propagation
		case volume.TypeTmpfs:
			data, err := volume.TmpfsData(m.Tmpfs)
			if err != nil {
				return nil, nil, nil, runtime.Exitf(runtime.ExitEngine, "tmpfs at %s: %v", m.Target, err)
			}
			// Docker's tmpfs flags: nothing to run, no set-user-ID, no
			// devices, unless the options say exec, suid or dev.
			flags := ","
			if m.Tmpfs != "" {
				flags = "," + m.Tmpfs + ","
			}
			vm.Kind, vm.Data = "tmpfs", data
			vm.NoExec, vm.NoSuid, vm.NoDev = !strings.Contains(flags, ",exec,"), !strings.Contains(flags, ",suid,"), !strings.Contains(flags, ",dev,")
		case volume.TypeVolume:
			var labels map[string]string
			if m.Source == "" { // an anonymous volume: Create names it
				labels = map[string]string{volume.AnonymousLabel: ""}
			}
			v, created, err := vols.Create(m.Source, "", nil, labels)
			if err != nil {
				return nil, nil, nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
			}
			if created {
				made = append(made, v.Name)
			}
			mp.Name, mp.Source, mp.Driver, mp.Mode = v.Name, v.Mountpoint, v.Driver, "z"
			vm.Kind, vm.Source = "bind", v.Mountpoint
			switch v.Options["type"] {
			case "tmpfs":
				vm.Kind, vm.Source = "tmpfs", ""
				vm.Data, _ = volume.TmpfsData(v.Options["o"])
			case "none":
				vm.Source = v.Options["device"]
			}
			// nodev: copy-up brings the image's device nodes along,
			// which overlayfs showed without letting them open.
			vm.CopyUp, vm.NoDev = !m.NoCopy, true
			vm.CopyUpLock = filepath.Join(filepath.Dir(v.Mountpoint), "copyup.lock")
		}
		points = append(points, mp)
		specs = append(specs, vm)
	}
	return points, specs, made, nil
}

// withoutUserTargets drops the engine's own files (/etc/hosts,
// /etc/hostname) where the user mounts something: Docker leaves those to
// the user's mount.
func withoutUserTargets(binds []rootfs.Bind, mounts []rootfs.VolumeMount) []rootfs.Bind {
	var out []rootfs.Bind
	for _, b := range binds {
		mine := true
		for _, m := range mounts {
			if m.Target == b.Target {
				mine = false
			}
		}
		if mine {
			out = append(out, b)
		}
	}
	return out
}

// RemoveAnonymousVolumes removes the container's anonymous volumes that no
// other container uses (`rm -v`, `run --rm`). Named volumes stay.
func RemoveAnonymousVolumes(dataRoot string, s *Store, c *Container) error {
	if !slices.ContainsFunc(c.Mounts, func(m MountPoint) bool { return m.Type == volume.TypeVolume }) {
		return nil // no volume: no lock to take, no record to read
	}
	unlock, err := store.LockDataRoot(dataRoot, true)
	if err != nil {
		return err
	}
	defer unlock()
	vols, err := volume.Open(dataRoot)
	if err != nil {
		return err
	}
	users, err := VolumeUsers(s)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range c.Mounts {
		if m.Type != volume.TypeVolume || len(users[m.Name]) > 0 {
			continue
		}
		if v, err := vols.Get(m.Name); err == nil && v.Anonymous() {
			if err := vols.Remove(m.Name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// RemoveVolume removes a volume no container uses, in Docker's words when
// one does.
func RemoveVolume(dataRoot string, s *Store, name string) error {
	unlock, err := store.LockDataRoot(dataRoot, true)
	if err != nil {
		return err
	}
	defer unlock()
	vols, err := volume.Open(dataRoot)
	if err != nil {
		return err
	}
	if _, err := vols.Get(name); err != nil {
		return fmt.Errorf("get %s: %w", name, err)
	}
	users, err := VolumeUsers(s)
	if err != nil {
		return err
	}
	if ids := users[name]; len(ids) > 0 {
		return fmt.Errorf("remove %s: %w - [%s]", name, volume.ErrInUse, strings.Join(ids, ", "))
	}
	return vols.Remove(name)
}

// PruneVolumes removes the volumes no container uses: the anonymous ones,
// or with all every one (Docker 23's `volume prune [--all]`). It returns
// their names and the bytes their data held.
func PruneVolumes(dataRoot string, s *Store, all bool) ([]string, int64, error) {
	unlock, err := store.LockDataRoot(dataRoot, true)
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	vols, err := volume.Open(dataRoot)
	if err != nil {
		return nil, 0, err
	}
	users, err := VolumeUsers(s)
	if err != nil {
		return nil, 0, err
	}
	list, err := vols.List()
	if err != nil {
		return nil, 0, err
	}
	var removed []string
	var space int64
	var errs []error
	for _, v := range list {
		if len(users[v.Name]) > 0 || (!all && !v.Anonymous()) {
			continue
		}
		size := vols.Size(v.Name)
		if err := vols.Remove(v.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		removed, space = append(removed, v.Name), space+size
	}
	return removed, space, errors.Join(errs...)
}

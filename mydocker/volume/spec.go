// Mount specs: what `run -v`, `--mount`, `--tmpfs` and `--volumes-from`
// ask for, parsed with Docker's grammar and checked with Docker's words.
// Parsing is pure: whether a host path exists, or a named volume, is the
// engine's business when it creates the container.
//
//	-v NAME:/path[:ro]        a named volume (made on first use)
//	-v /path                  an anonymous volume
//	-v /host:/path[:ro|rw]    a bind mount; a missing /host is created
//	--mount type=bind,source=/host,target=/path,readonly,bind-propagation=rslave
//	--mount type=volume,source=NAME,target=/path,volume-nocopy
//	--mount type=tmpfs,target=/path,tmpfs-size=64m,tmpfs-mode=1777
//	--tmpfs /path[:size=64m,mode=1777,exec]
package volume

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Mount types, as Docker names them.
const (
	TypeVolume = "volume"
	TypeBind   = "bind"
	TypeTmpfs  = "tmpfs"
)

// Mount is one mount a container asks for.
type Mount struct {
	Type     string // TypeVolume, TypeBind or TypeTmpfs
	Source   string // volume name ("" for anonymous), absolute host path, or "" for tmpfs
	Target   string // absolute path inside the container
	ReadOnly bool
	// NoCopy leaves a new volume empty instead of filling it with what
	// the image has at Target (volume-nocopy, -v ...:nocopy).
	NoCopy bool
	// Propagation of a bind mount: rprivate (the default), private,
	// rslave, slave, rshared, shared.
	Propagation string
	// CreateSource is -v's habit of making a missing host directory;
	// --mount type=bind refuses one instead.
	CreateSource bool
	// Tmpfs is a tmpfs's options: "size=65536k,mode=1777", and flags
	// such as "exec" (--tmpfs /path:OPTIONS, tmpfs-size, tmpfs-mode).
	Tmpfs string
}

// propagations are the modes a bind mount's propagation may take.
var propagations = map[string]bool{"private": true, "rprivate": true, "shared": true, "rshared": true, "slave": true, "rslave": true}

// mountFlags are the mount(8) flags --tmpfs and -v modes may name.
var mountFlags = map[string]bool{"ro": true, "rw": true, "exec": true, "noexec": true, "suid": true, "nosuid": true, "dev": true, "nodev": true}

// invalidMount is the daemon's wording for a mount it refuses.
func invalidMount(typ, format string, args ...any) error {
	return invalid("invalid mount config for type %q: %s", typ, fmt.Sprintf(format, args...))
}

func invalidSpec(spec string) error {
	return invalid("invalid volume specification: '%s'", spec)
}

// ParseVolume parses one -v value.
func ParseVolume(spec string) (Mount, error) {
	parts := strings.Split(spec, ":")
	var m Mount
	var mode string
	switch len(parts) {
	case 1:
		m.Target = parts[0]
	case 2:
		if validMode(parts[1]) {
			// "/foo:ro": an anonymous volume cannot take a mode.
			return Mount{}, invalidSpec(spec)
		}
		m.Source, m.Target = parts[0], parts[1]
	case 3:
		m.Source, m.Target, mode = parts[0], parts[1], parts[2]
	default:
		return Mount{}, invalidSpec(spec)
	}
	if m.Source == "" && len(parts) > 1 {
		return Mount{}, invalidSpec(spec)
	}
	m.Type = TypeVolume
	if path.IsAbs(m.Source) {
		m.Type, m.CreateSource = TypeBind, true
	}
	if mode != "" {
		if err := m.applyMode(mode); err != nil {
			return Mount{}, err
		}
	}
	return m, m.Validate()
}

// validMode reports whether s reads as -v's third field.
func validMode(s string) bool { return (&Mount{Type: TypeBind}).applyMode(s) == nil }

// applyMode reads -v's mode field: ro or rw, a propagation (binds only),
// nocopy (volumes only), and SELinux's z/Z, which mydocker ignores.
func (m *Mount) applyMode(mode string) error {
	seen := map[string]bool{}
	for _, o := range strings.Split(mode, ",") {
		kind := o
		switch {
		case o == "ro" || o == "rw":
			kind = "rw"
			m.ReadOnly = o == "ro"
		case propagations[o] && m.Type == TypeBind:
			kind = "propagation"
			m.Propagation = o
		case o == "nocopy" && m.Type == TypeVolume:
			m.NoCopy = true
		case o == "z" || o == "Z" || o == "consistent" || o == "cached" || o == "delegated":
		default:
			return invalid("invalid mode: %s", mode)
		}
		if seen[kind] {
			return invalid("invalid mode: %s", mode)
		}
		seen[kind] = true
	}
	return nil
}

// ParseMount parses one --mount value: comma-separated key=value fields.
func ParseMount(spec string) (Mount, error) {
	m := Mount{Type: TypeVolume}
	var bindOpt, volumeOpt, tmpfsOpt string
	var size, mode string
	for _, field := range strings.Split(spec, ",") {
		k, v, hasValue := strings.Cut(field, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !hasValue && k != "readonly" && k != "ro" && k != "volume-nocopy" {
			return Mount{}, invalid("invalid field '%s' must be a key=value pair", field)
		}
		var err error
		switch k {
		case "type":
			m.Type = v
		case "source", "src":
			m.Source = v
		case "target", "destination", "dst":
			m.Target = v
		case "readonly", "ro":
			m.ReadOnly, err = parseBool(k, v, hasValue)
		case "volume-nocopy":
			volumeOpt = k
			m.NoCopy, err = parseBool(k, v, hasValue)
		case "volume-driver":
			volumeOpt = k
			if v != DefaultDriver {
				return Mount{}, invalid("volume-driver %q: mydocker has the local driver only", v)
			}
		case "bind-propagation":
			bindOpt = k
			if !propagations[v] {
				return Mount{}, invalid("invalid propagation mode: %s (want rprivate, private, rslave, slave, rshared or shared)", v)
			}
			m.Propagation = v
		case "tmpfs-size":
			tmpfsOpt, size = k, v
		case "tmpfs-mode":
			tmpfsOpt, mode = k, v
		case "consistency":
		default:
			return Mount{}, invalid("unexpected key '%s' in '%s'", k, field)
		}
		if err != nil {
			return Mount{}, err
		}
	}
	switch {
	case m.Type != TypeBind && m.Type != TypeVolume && m.Type != TypeTmpfs:
		return Mount{}, invalid("invalid mount type %q: want bind, volume or tmpfs", m.Type)
	case bindOpt != "" && m.Type != TypeBind:
		return Mount{}, invalid("cannot mix '%s' with mount type '%s'", bindOpt, m.Type)
	case volumeOpt != "" && m.Type != TypeVolume:
		return Mount{}, invalid("cannot mix '%s' with mount type '%s'", volumeOpt, m.Type)
	case tmpfsOpt != "" && m.Type != TypeTmpfs:
		return Mount{}, invalid("cannot mix '%s' with mount type '%s'", tmpfsOpt, m.Type)
	}
	if m.Type == TypeTmpfs {
		var data []string
		if size != "" {
			n, err := ParseSize(size)
			if err != nil {
				return Mount{}, invalid("invalid tmpfs-size %q: %v", size, err)
			}
			data = append(data, "size="+strconv.FormatInt(n, 10))
		}
		if mode != "" {
			if err := checkTmpfsValue("mode", mode); err != nil {
				return Mount{}, invalid("tmpfs-mode: %v", err)
			}
			data = append(data, "mode="+mode)
		}
		m.Tmpfs = strings.Join(data, ",")
	}
	return m, m.Validate()
}

func parseBool(k, v string, hasValue bool) (bool, error) {
	if !hasValue {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, invalid("invalid value for %s: %s", k, v)
	}
	return b, nil
}

// ParseTmpfs parses one --tmpfs value: /path[:options].
func ParseTmpfs(spec string) (Mount, error) {
	target, opts, _ := strings.Cut(spec, ":")
	m := Mount{Type: TypeTmpfs, Target: target, Tmpfs: opts}
	if _, err := TmpfsData(opts); err != nil {
		return Mount{}, invalid("--tmpfs %s: %v", spec, err)
	}
	for _, o := range strings.Split(opts, ",") {
		if o == "ro" {
			m.ReadOnly = true
		}
	}
	return m, m.Validate()
}

// Validate makes the daemon's checks that need nothing but the spec.
func (m *Mount) Validate() error {
	if m.Target == "" {
		return invalidMount(m.Type, "field Target must not be empty")
	}
	if !path.IsAbs(m.Target) {
		return invalidMount(m.Type, "invalid mount path: '%s' mount path must be absolute", m.Target)
	}
	if path.Clean(m.Target) == "/" {
		return invalid("invalid specification: destination can't be '/'")
	}
	m.Target = path.Clean(m.Target)
	switch m.Type {
	case TypeBind:
		if m.Source == "" {
			return invalidMount(m.Type, "field Source must not be empty")
		}
		if !path.IsAbs(m.Source) {
			return invalidMount(m.Type, "invalid mount path: '%s' mount path must be absolute", m.Source)
		}
		if m.Propagation == "" {
			m.Propagation = "rprivate"
		}
		if !propagations[m.Propagation] {
			return invalid("invalid propagation mode: %s (want rprivate, private, rslave, slave, rshared or shared)", m.Propagation)
		}
	case TypeVolume:
		if m.Source != "" {
			if err := CheckName(m.Source); err != nil {
				return err
			}
		}
	case TypeTmpfs:
		if m.Source != "" {
			return invalidMount(m.Type, "field Source must not be specified")
		}
	}
	return nil
}

// CheckDuplicates refuses two mounts at one target, as Docker does.
func CheckDuplicates(mounts []Mount) error {
	seen := map[string]bool{}
	for _, m := range mounts {
		if seen[m.Target] {
			return invalid("Duplicate mount point: %s", m.Target)
		}
		seen[m.Target] = true
	}
	return nil
}

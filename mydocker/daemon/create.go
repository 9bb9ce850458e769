// POST /containers/create: Docker's ContainerCreate body translated to
// engine.RunOptions, as `mydocker run`'s flags are (cli/run.go), then
// engine.Create. The body is kept beside the record (api.json in the
// container's directory) for what the engine has no field for (Labels,
// the Cmd and Entrypoint apart, AttachStdin...), which inspect and the
// list's filters show back.

package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/store"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// createBody is ContainerCreate's body: the Config, its HostConfig and
// NetworkingConfig, the part of them mydocker carries out.
type createBody struct {
	containerConfig
	HostConfig       hostConfig
	NetworkingConfig struct {
		EndpointsConfig map[string]*endpointConfig
	}
}

// containerConfig is Docker's container Config.
type containerConfig struct {
	Hostname     string
	Domainname   string
	User         string
	AttachStdin  bool
	AttachStdout bool
	AttachStderr bool
	ExposedPorts map[string]struct{}
	Tty          bool
	OpenStdin    bool
	StdinOnce    bool
	Env          []string
	Cmd          []string
	Image        string
	Volumes      map[string]struct{}
	WorkingDir   string
	Entrypoint   []string
	Labels       map[string]string
	StopSignal   string `json:",omitempty"`
}

// hostConfig is Docker's HostConfig.
type hostConfig struct {
	Binds           []string
	Mounts          []apiMount `json:",omitempty"`
	PortBindings    map[string][]portBinding
	PublishAllPorts bool
	NetworkMode     string
	RestartPolicy   struct {
		Name              string
		MaximumRetryCount int
	}
	AutoRemove     bool
	Memory         int64
	MemorySwap     int64
	NanoCpus       int64
	CpuShares      int64
	CpusetCpus     string
	PidsLimit      *int64
	CapAdd         []string
	CapDrop        []string
	ReadonlyRootfs bool
	Tmpfs          map[string]string `json:",omitempty"`
	LogConfig      struct {
		Type   string
		Config map[string]string
	}
	SecurityOpt []string
	VolumesFrom []string
	// ConsoleSize is API 1.42's [height, width] of a -t container's
	// terminal before its start; mydocker's client sends it on 1.41 too.
	ConsoleSize [2]uint16
}

type portBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

type endpointConfig struct {
	IPAMConfig *struct{ IPv4Address string }
	Aliases    []string
}

// apiMount is one of HostConfig.Mounts (`docker run --mount`).
type apiMount struct {
	Type          string
	Source        string
	Target        string
	ReadOnly      bool
	BindOptions   *struct{ Propagation string } `json:",omitempty"`
	VolumeOptions *struct{ NoCopy bool }        `json:",omitempty"`
	TmpfsOptions  *struct {
		SizeBytes int64
		Mode      uint32
	} `json:",omitempty"`
}

// apiFile is where the create body is kept, in the container's directory.
const apiFile = "api.json"

func (s *Server) createContainer(w http.ResponseWriter, r *http.Request) error {
	var body createBody
	if err := readJSON(r, &body); err != nil {
		return err
	}
	name := strings.TrimPrefix(r.URL.Query().Get("name"), "/")
	opts, err := runOptions(&body, name)
	if err != nil {
		return err
	}
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	if name != "" {
		if c, err := containers.Get(name); err == nil && c.Name == name {
			return conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", name, c.ID)
		}
	}
	if err := s.checkImage(opts.Image, boolValue(r, LocalImagesQuery)); err != nil {
		return err
	}
	c, err := engine.Create(s.DataRoot, opts)
	if err != nil {
		return createError(err)
	}
	if data, err := json.Marshal(body); err == nil {
		os.WriteFile(filepath.Join(containers.Dir(c.ID), apiFile), data, 0o600)
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"Id": c.ID, "Warnings": []string{}})
}

// LocalImagesQuery, set to 1 on create, asks for the command line's
// images: the "host" pseudo-image (chapter 01) and a root filesystem's
// absolute path (chapter 03). mydocker's client asks; a docker client that
// names "host" or "./x" means no host path, and is refused. (Whoever
// reaches the socket may bind / anyway.)
const LocalImagesQuery = "mydocker-local-images"

// checkImage answers Docker's 404 for an image the store lacks: the client
// then pulls it (POST /images/create) and creates again. Paths and the
// "host" pseudo-image pass only if asked for (local, LocalImagesQuery).
func (s *Server) checkImage(name string, local bool) error {
	isLocal := name == engine.HostImage || engine.LooksLikePath(name)
	switch {
	case name == "":
		return badRequest("Config.Image is empty: name the image to run")
	case isLocal && !local:
		return badRequest("invalid reference format: %q is not an image name (paths and the %q pseudo-image are the command line's only)", name, engine.HostImage)
	case engine.LooksLikePath(name) && !filepath.IsAbs(name):
		return badRequest("invalid reference format: %q: a root filesystem's path must be absolute, as the daemon's working directory is not the client's", name)
	case isLocal:
		return nil
	}
	images, err := store.Open(s.DataRoot)
	if err != nil {
		return err
	}
	if _, _, err := images.Get(name); errors.Is(err, store.ErrNotFound) {
		return notFound("No such image: %s", name)
	}
	return nil
}

// validHostname reports whether name is an RFC 1123 host name the kernel
// takes as a UTS name (at most 64 bytes): it lands in /etc/hostname and
// /etc/hosts, where a newline would add lines of the client's choosing.
func validHostname(name string) bool {
	if len(name) > 64 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// createError gives the engine's refusals of bad input (exit 125 on the
// command line) Docker's 400; conflicts keep their 409.
func createError(err error) error {
	var exit *runtime.ExitError
	if errors.As(err, &exit) && status(err) == http.StatusInternalServerError {
		return badRequest("%v", err)
	}
	return err
}

// runOptions translates the body as cli/run.go translates run's flags.
func runOptions(b *createBody, name string) (engine.RunOptions, error) {
	hc := &b.HostConfig
	o := engine.RunOptions{
		Name: name, Image: b.Image, Args: b.Cmd, Hostname: b.Hostname, Env: clientEnv(b.Env),
		Cwd: b.WorkingDir, User: b.User, TTY: b.Tty, Interactive: b.OpenStdin, StdinOnce: b.StdinOnce,
		Remove: hc.AutoRemove, CapAdd: hc.CapAdd, CapDrop: hc.CapDrop,
		Detach: true, ReadOnly: hc.ReadonlyRootfs, VolumesFrom: hc.VolumesFrom,
		PublishAll: hc.PublishAllPorts, Entrypoint: b.Entrypoint, StopSignal: b.StopSignal,
		ConsoleSize: hc.ConsoleSize,
	}
	if b.Hostname != "" && !validHostname(b.Hostname) {
		return o, badRequest("invalid hostname format: %q: want RFC 1123 labels (letters, digits, '-') joined by '.', at most 64 bytes", b.Hostname)
	}
	if o.Cwd != "" && !filepath.IsAbs(o.Cwd) {
		return o, badRequest("the working directory '%s' is invalid, it needs to be an absolute path", o.Cwd)
	}
	if b.StopSignal != "" {
		if _, err := engine.ParseSignal(b.StopSignal); err != nil {
			return o, badRequest("%v", err)
		}
	}
	o.Resources.Memory, o.Resources.MemorySwap = hc.Memory, hc.MemorySwap
	o.Resources.NanoCPUs, o.Resources.CPUShares, o.Resources.CpusetCpus = hc.NanoCpus, hc.CpuShares, hc.CpusetCpus
	if hc.PidsLimit != nil {
		o.Resources.PidsLimit = *hc.PidsLimit
	}
	for port := range b.ExposedPorts {
		o.Expose = append(o.Expose, port)
	}
	switch hc.NetworkMode {
	case "", "default":
	default:
		o.Network = hc.NetworkMode
	}
	for net, ep := range b.NetworkingConfig.EndpointsConfig {
		if ep == nil || (o.Network != "" && net != o.Network) {
			continue
		}
		o.Aliases = ep.Aliases
		if ep.IPAMConfig != nil {
			o.IP = ep.IPAMConfig.IPv4Address
		}
	}
	var err error
	if o.Publish, err = publishSpecs(hc.PortBindings); err != nil {
		return o, err
	}
	if hc.RestartPolicy.Name != "" {
		spec := hc.RestartPolicy.Name
		if hc.RestartPolicy.MaximumRetryCount > 0 {
			spec += ":" + strconv.Itoa(hc.RestartPolicy.MaximumRetryCount)
		}
		if o.Restart, err = engine.ParseRestartPolicy(spec); err != nil {
			return o, badRequest("%v", err)
		}
	}
	if t := hc.LogConfig.Type; t != "" && t != "json-file" {
		return o, badRequest("logging driver %q is not supported: mydocker writes json-file logs only", t)
	}
	for k, v := range hc.LogConfig.Config {
		o.LogOpts = append(o.LogOpts, k+"="+v)
	}
	sort.Strings(o.LogOpts)
	if o.NoNewPrivileges, err = securityOpts(hc.SecurityOpt); err != nil {
		return o, err
	}
	if o.Mounts, err = mounts(b); err != nil {
		return o, err
	}
	return o, nil
}

// clientEnv keeps the KEY=VALUE entries of an environment a client sent.
// A bare KEY is the command line's way of passing its own value on; the
// client has done that already, and the engine would read the daemon's
// own environment for it, which is no business of the client's.
func clientEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.Contains(kv, "=") {
			out = append(out, kv)
		}
	}
	return out
}

// publishSpecs writes PortBindings as -p specs: [IP:][HOST_PORT:]PORT/PROTO.
func publishSpecs(bindings map[string][]portBinding) ([]string, error) {
	var out []string
	for port, list := range bindings {
		if port == "" {
			return nil, badRequest("invalid port specification: empty port in PortBindings")
		}
		if len(list) == 0 {
			list = []portBinding{{}}
		}
		for _, b := range list {
			spec := port
			if b.HostPort != "" || b.HostIP != "" {
				spec = b.HostPort + ":" + port
			}
			if b.HostIP != "" {
				spec = b.HostIP + ":" + spec
			}
			out = append(out, spec)
		}
	}
	sort.Strings(out)
	return out, nil
}

// securityOpts reads SecurityOpt; mydocker knows no-new-privileges only.
func securityOpts(opts []string) (bool, error) {
	nnp := false
	for _, o := range opts {
		k, v, hasValue := strings.Cut(strings.Replace(o, ":", "=", 1), "=")
		if k != "no-new-privileges" {
			return false, badRequest("invalid --security-opt: %q (mydocker knows only no-new-privileges)", o)
		}
		nnp = true
		if hasValue {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return false, badRequest("invalid --security-opt: %q: want no-new-privileges[:true|false]", o)
			}
			nnp = b
		}
	}
	return nnp, nil
}

// mounts gathers Binds (-v), Mounts (--mount), Tmpfs and the Config's
// Volumes (anonymous volumes) as the engine's mounts. A bind's source
// must be an absolute host path: the caller names every host path the
// container may reach.
func mounts(b *createBody) ([]volume.Mount, error) {
	var out []volume.Mount
	for _, spec := range b.HostConfig.Binds {
		m, err := volume.ParseVolume(spec)
		if err != nil {
			return nil, badRequest("%v", err)
		}
		out = append(out, m)
	}
	for _, am := range b.HostConfig.Mounts {
		m := volume.Mount{Type: strings.ToLower(am.Type), Source: am.Source, Target: am.Target, ReadOnly: am.ReadOnly}
		if !filepath.IsAbs(m.Target) {
			return nil, badRequest("invalid mount config for type %q: invalid mount path: '%s' mount path must be absolute", am.Type, am.Target)
		}
		switch m.Type {
		case volume.TypeBind:
			if !filepath.IsAbs(m.Source) {
				return nil, badRequest("invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute", am.Source)
			}
			if am.BindOptions != nil {
				m.Propagation = am.BindOptions.Propagation
			}
		case volume.TypeVolume:
			if am.VolumeOptions != nil {
				m.NoCopy = am.VolumeOptions.NoCopy
			}
		case volume.TypeTmpfs:
			if am.Source != "" {
				return nil, badRequest("invalid mount config for type \"tmpfs\": source must not be specified")
			}
			if o := am.TmpfsOptions; o != nil {
				var opts []string
				if o.SizeBytes > 0 {
					opts = append(opts, fmt.Sprintf("size=%d", o.SizeBytes))
				}
				if o.Mode != 0 {
					opts = append(opts, fmt.Sprintf("mode=%o", o.Mode))
				}
				m.Tmpfs = strings.Join(opts, ",")
			}
		default:
			return nil, badRequest("invalid mount config: mount type unknown: %q (want bind, volume or tmpfs)", am.Type)
		}
		// Target "/" refused, the target cleaned (so that "/a/" and "/a"
		// are one target to the duplicate check), the propagation known:
		// a 400 now rather than a 500 at start.
		if err := m.Validate(); err != nil {
			return nil, badRequest("%v", err)
		}
		out = append(out, m)
	}
	targets := make([]string, 0, len(b.HostConfig.Tmpfs))
	for target := range b.HostConfig.Tmpfs {
		targets = append(targets, target)
	}
	sort.Strings(targets)
	for _, target := range targets {
		spec := target
		if o := b.HostConfig.Tmpfs[target]; o != "" {
			spec += ":" + o
		}
		m, err := volume.ParseTmpfs(spec)
		if err != nil {
			return nil, badRequest("%v", err)
		}
		out = append(out, m)
	}
	for target := range b.Volumes {
		if !filepath.IsAbs(target) {
			return nil, badRequest("invalid volume: %q is not an absolute path", target)
		}
		if slices.ContainsFunc(out, func(m volume.Mount) bool { return filepath.Clean(m.Target) == filepath.Clean(target) }) {
			continue // a bind or mount there already serves it, as in Docker (compose sends both)
		}
		out = append(out, volume.Mount{Type: volume.TypeVolume, Target: target})
	}
	return out, nil
}

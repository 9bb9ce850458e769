// What a container looks like to the API: GET /containers/json (the list
// `docker ps` prints, with its filters) and GET /containers/{id}/json
// (`docker inspect`), both in Docker's shape, built from the engine's
// record and the create body kept beside it (create.go's api.json).

package daemon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/network"
)

// apiConfig is the create body a container was made with; for one made
// by the command line, what its record says.
func apiConfig(containers *engine.Store, c *engine.Container) createBody {
	var b createBody
	if data, err := os.ReadFile(filepath.Join(containers.Dir(c.ID), apiFile)); err == nil && json.Unmarshal(data, &b) == nil {
		return b
	}
	b.Cmd, b.Image = c.Config.Args, c.Image
	return b
}

// summary is one container of GET /containers/json.
type summary struct {
	ID              string `json:"Id"`
	Names           []string
	Image           string
	ImageID         string
	Command         string
	Created         int64
	Ports           []port
	Labels          map[string]string
	State           string
	Status          string
	HostConfig      struct{ NetworkMode string }
	NetworkSettings struct{ Networks map[string]endpoint }
	Mounts          []engine.MountPoint
}

type port struct {
	IP          string `json:",omitempty"`
	PrivatePort int
	PublicPort  int `json:",omitempty"`
	Type        string
}

// endpoint is a container's place on one network, as Docker shows it.
type endpoint struct {
	IPAMConfig  any
	Links       any
	Aliases     []string
	NetworkID   string
	EndpointID  string
	Gateway     string
	IPAddress   string
	IPPrefixLen int
	MacAddress  string
}

// listContainers is `docker ps`: ?all, ?limit, ?filters (JSON: status,
// name, id, label), newest first.
func (s *Server) listContainers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	match, err := listFilter(q.Get("filters"))
	if err != nil {
		return err
	}
	limit := -1
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil {
			return badRequest("invalid value for limit: %q: want an integer", v)
		}
	}
	all := boolValue(r, "all") || limit > 0
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	list, err := records.list(containers)
	if err != nil {
		return err
	}
	now := time.Now()
	out := []summary{}
	for _, l := range list {
		if limit > 0 && len(out) == limit {
			break
		}
		if (!all && !l.c.State.Running) || !match(l.c, l.body.Labels) {
			continue
		}
		out = append(out, newSummary(l.c, l.body, now))
	}
	return writeJSON(w, http.StatusOK, out)
}

func newSummary(c *engine.Container, b createBody, now time.Time) summary {
	sm := summary{ID: c.ID, Names: []string{"/" + c.Name}, Image: c.Image, ImageID: string(c.ImageID),
		Command: strings.Join(c.Config.Args, " "), Created: c.Created.Unix(), Ports: []port{},
		Labels: b.Labels, State: string(c.State.Status), Status: c.State.String(now, engine.HumanDuration),
		Mounts: c.Mounts}
	if sm.Labels == nil {
		sm.Labels = map[string]string{}
	}
	if sm.Mounts == nil {
		sm.Mounts = []engine.MountPoint{}
	}
	mode, nets := networks(c)
	sm.HostConfig.NetworkMode, sm.NetworkSettings.Networks = mode, nets
	if ns := c.NetworkSettings; ns != nil && c.State.Running {
		for _, b := range ns.Ports {
			sm.Ports = append(sm.Ports, port{IP: firstNonEmpty(b.HostIP, "0.0.0.0"), PrivatePort: b.ContainerPort, PublicPort: b.HostPort, Type: b.Proto})
		}
	}
	return sm
}

// networks names the container's network mode and its endpoints.
func networks(c *engine.Container) (string, map[string]endpoint) {
	mode := firstNonEmpty(c.HostConfig.NetworkMode, "bridge")
	nets := map[string]endpoint{}
	if ns := c.NetworkSettings; ns != nil && c.State.Running && ns.IPAddress != "" {
		name := firstNonEmpty(ns.Network, ns.Mode, mode)
		nets[name] = endpoint{Aliases: c.HostConfig.NetworkAliases, NetworkID: name, EndpointID: c.ID,
			Gateway: ns.Gateway, IPAddress: ns.IPAddress, IPPrefixLen: ns.Prefix}
	} else if mode != "" {
		nets[mode] = endpoint{NetworkID: mode}
	}
	return mode, nets
}

// listFilter reads ?filters: {"status":["running"],"name":["web"],...}.
// Values of one key are alternatives; different keys must all hold.
func listFilter(raw string) (func(*engine.Container, map[string]string) bool, error) {
	want := map[string][]string{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			// Old clients send {"status":{"running":true}}.
			var old map[string]map[string]bool
			if json.Unmarshal([]byte(raw), &old) != nil {
				return nil, badRequest("invalid filter: %v", err)
			}
			for k, vs := range old {
				for v := range vs {
					want[k] = append(want[k], v)
				}
			}
		}
	}
	for k := range want {
		switch k {
		case "status", "name", "id", "label":
		default:
			return nil, badRequest("invalid filter '%s'", k)
		}
	}
	return func(c *engine.Container, labels map[string]string) bool {
		for k, vs := range want {
			// Every label given must be there (docker-compose asks for
			// project=, service= and oneoff= at once); other keys' values
			// are alternatives.
			ok := k == "label"
			for _, v := range vs {
				switch k {
				case "status":
					ok = ok || string(c.State.Status) == v
				case "name":
					ok = ok || strings.Contains("/"+c.Name, v)
				case "id":
					ok = ok || strings.HasPrefix(c.ID, v)
				case "label":
					key, val, hasVal := strings.Cut(v, "=")
					got, has := labels[key]
					ok = ok && has && (!hasVal || got == val)
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}

// inspect is GET /containers/{id}/json's answer.
type inspect struct {
	ID              string `json:"Id"`
	Created         time.Time
	Path            string
	Args            []string
	State           inspectState
	Image           string
	ResolvConfPath  string
	HostnamePath    string
	HostsPath       string
	LogPath         string
	Name            string
	RestartCount    int
	Driver          string
	Platform        string
	MountLabel      string
	ProcessLabel    string
	AppArmorProfile string
	ExecIDs         []string
	HostConfig      hostConfig
	Mounts          []engine.MountPoint
	Config          containerConfig
	NetworkSettings networkSettings
	// mydocker's own, as `mydocker inspect` shows it daemonless: the
	// container's cgroups (chapter 02). Docker's clients skip it.
	Cgroup *cgroups.Group `json:",omitempty"`
}

// inspectState is Docker's .State, and mydocker's own as daemonless
// shows them: the monitor that owns the container (chapter 06), what it
// had used when it ended (chapter 02).
type inspectState struct {
	engine.DockerState
	Monitor int
	Usage   *cgroups.Stats `json:",omitempty"`
}

type networkSettings struct {
	Bridge      string
	SandboxID   string
	SandboxKey  string
	Ports       map[string][]portBinding
	Gateway     string
	IPAddress   string
	IPPrefixLen int
	MacAddress  string
	Networks    map[string]endpoint
}

func (s *Server) inspectContainer(w http.ResponseWriter, r *http.Request) error {
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	b := apiConfig(containers, c)
	dir := containers.Dir(c.ID)
	in := inspect{ID: c.ID, Created: c.Created, State: inspectState{c.State.DockerState, c.State.Monitor, c.State.Usage}, Image: string(c.ImageID),
		LogPath: c.LogPath, Name: "/" + c.Name, RestartCount: c.RestartCount, Driver: "overlay2",
		Platform: "linux", HostConfig: b.HostConfig, Mounts: c.Mounts, Config: b.containerConfig,
		ResolvConfPath: filepath.Join(dir, "resolv.conf"), HostnamePath: filepath.Join(dir, "hostname"),
		HostsPath: filepath.Join(dir, "hosts"), ExecIDs: execs.of(c.ID), Cgroup: c.Cgroup}
	if len(c.Config.Args) > 0 {
		in.Path, in.Args = c.Config.Args[0], c.Config.Args[1:]
	}
	if in.Mounts == nil {
		in.Mounts = []engine.MountPoint{}
	}
	// What the engine settled, over what was asked for.
	cfg := &in.Config
	cfg.Hostname, cfg.Env, cfg.WorkingDir, cfg.User, cfg.Tty = c.Config.Hostname, c.Config.Env, c.Config.Cwd, c.Config.User, c.Config.TTY
	cfg.Image, cfg.StopSignal = c.Image, c.StopSignal
	if cfg.Labels == nil {
		cfg.Labels = map[string]string{}
	}
	hc := &in.HostConfig
	hc.AutoRemove, hc.ReadonlyRootfs, hc.PublishAllPorts = c.HostConfig.AutoRemove, c.HostConfig.ReadonlyRootfs, c.HostConfig.PublishAllPorts
	hc.RestartPolicy.Name, hc.RestartPolicy.MaximumRetryCount = string(c.HostConfig.RestartPolicy.Name), c.HostConfig.RestartPolicy.MaximumRetryCount
	res := c.HostConfig.Resources
	hc.Memory, hc.MemorySwap, hc.NanoCpus, hc.CpuShares, hc.CpusetCpus = res.Memory, res.MemorySwap, res.NanoCPUs, res.CPUShares, res.CpusetCpus
	hc.PidsLimit = &res.PidsLimit
	hc.LogConfig.Type, hc.LogConfig.Config = c.HostConfig.LogConfig.Type, c.HostConfig.LogConfig.Config
	mode, nets := networks(c)
	// Every network it is on (network connect), as daemonless shows them.
	if c.State.Running && engine.WithNetworks(s.DataRoot, c) == nil && c.NetworkSettings != nil {
		for name, es := range c.NetworkSettings.Networks {
			if es != nil && es.IPAddress != "" {
				nets[name] = endpoint{Aliases: es.Aliases, NetworkID: es.NetworkID, EndpointID: es.EndpointID,
					Gateway: es.Gateway, IPAddress: es.IPAddress, IPPrefixLen: es.IPPrefixLen}
			}
		}
	}
	hc.NetworkMode = mode
	in.NetworkSettings = networkSettings{Networks: nets, Ports: map[string][]portBinding{}}
	if ns := c.NetworkSettings; ns != nil && c.State.Running {
		in.NetworkSettings.Gateway, in.NetworkSettings.IPAddress, in.NetworkSettings.IPPrefixLen = ns.Gateway, ns.IPAddress, ns.Prefix
		in.NetworkSettings.Ports = publishedPorts(ns.Ports)
	}
	return writeJSON(w, http.StatusOK, in)
}

// publishedPorts is NetworkSettings.Ports: "80/tcp" to its host bindings.
func publishedPorts(list []network.Binding) map[string][]portBinding {
	out := map[string][]portBinding{}
	for _, b := range list {
		key := fmt.Sprintf("%d/%s", b.ContainerPort, b.Proto)
		out[key] = append(out[key], portBinding{HostIP: firstNonEmpty(b.HostIP, "0.0.0.0"), HostPort: strconv.Itoa(b.HostPort)})
	}
	return out
}

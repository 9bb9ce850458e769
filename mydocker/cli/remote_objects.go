// network, volume, port, rename, top, stats, diff and commit through the
// daemon (chapter 09): the objects beside containers, and what a
// container holds. Each command parses its flags in its own file, as
// daemonless, then asks here; what comes back is turned into what the
// daemonless command prints from (network.Listed, volume.Volume,
// network.Binding, engine.Reading, archive.Change), so that the printing
// is the same code with a daemon or without.

package cli

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/network"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// networkPath is /networks/REF, REF escaped.
func networkPath(ref string, rest ...string) string {
	return "/networks/" + url.PathEscape(ref) + strings.Join(rest, "")
}

// remoteNetworkCreate is POST /networks/create, Docker's
// NetworkCreateRequest; the new network's ID is printed.
func remoteNetworkCreate(g *Globals, o network.CreateOptions, internal bool) error {
	body := map[string]any{"Name": o.Name, "CheckDuplicate": true, "Driver": o.Driver, "Internal": internal}
	if o.Subnet != "" || o.Gateway != "" {
		body["IPAM"] = map[string]any{"Driver": "default", "Config": []map[string]string{{"Subnet": o.Subnet, "Gateway": o.Gateway}}}
	}
	if o.Parent != "" {
		body["Options"] = map[string]string{"parent": o.Parent}
	}
	var created struct {
		ID string `json:"Id"`
	}
	if err := g.client.JSON("POST", "/networks/create", nil, body, &created); err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, created.ID)
	return nil
}

// apiNetwork is the part of Docker's NetworkResource `network ls` shows.
type apiNetwork struct {
	Name   string
	ID     string `json:"Id"`
	Driver string
	IPAM   struct {
		Config []struct{ Subnet, Gateway string }
	}
}

// remoteNetworks is GET /networks, in the daemon's order (daemonless's:
// bridge, the user's networks oldest first, host, none), as
// network.List's rows.
func remoteNetworks(g *Globals) ([]network.Listed, error) {
	var list []apiNetwork
	if err := g.client.JSON("GET", "/networks", nil, nil, &list); err != nil {
		return nil, err
	}
	out := make([]network.Listed, 0, len(list))
	for _, n := range list {
		l := network.Listed{Network: network.Network{ID: n.ID, Name: n.Name, Driver: n.Driver}}
		if len(n.IPAM.Config) > 0 {
			l.Subnet, l.Gateway = n.IPAM.Config[0].Subnet, n.IPAM.Config[0].Gateway
		}
		out = append(out, l)
	}
	return out, nil
}

// remoteNetworkInspect prints each network as the daemon shows it
// (Docker's NetworkResource); as daemonless, a network not found stops
// it before anything is printed.
func remoteNetworkInspect(g *Globals, refs []string) error {
	out := []json.RawMessage{}
	for _, ref := range refs {
		var raw json.RawMessage
		if err := g.client.JSON("GET", networkPath(ref), nil, nil, &raw); err != nil {
			return err
		}
		out = append(out, raw)
	}
	return printJSON(g.Stdout, out)
}

// remoteNetworkRm removes each network, printing its name; the first
// refusal stops it, as daemonless.
func remoteNetworkRm(g *Globals, refs []string) error {
	for _, ref := range refs {
		if err := g.client.JSON("DELETE", networkPath(ref), nil, nil, nil); err != nil {
			return err
		}
		fmt.Fprintln(g.Stdout, ref)
	}
	return nil
}

// remoteNetworkPrune is POST /networks/prune: the names removed.
func remoteNetworkPrune(g *Globals) ([]string, error) {
	var answer struct{ NetworksDeleted []string }
	err := g.client.JSON("POST", "/networks/prune", nil, nil, &answer)
	return answer.NetworksDeleted, err
}

// remoteNetworkConnect is POST /networks/NET/connect, the aliases (and an
// address, which the daemon refuses as daemonless does) in the
// EndpointConfig, as docker's client sends them.
func remoteNetworkConnect(g *Globals, net, container string, aliases []string, ip string) error {
	ep := map[string]any{}
	if len(aliases) > 0 {
		ep["Aliases"] = aliases
	}
	if ip != "" {
		ep["IPAMConfig"] = map[string]string{"IPv4Address": ip}
	}
	return g.client.JSON("POST", networkPath(net, "/connect"), nil, map[string]any{"Container": container, "EndpointConfig": ep}, nil)
}

func remoteNetworkDisconnect(g *Globals, net, container string) error {
	return g.client.JSON("POST", networkPath(net, "/disconnect"), nil, map[string]any{"Container": container}, nil)
}

// volumePath is /volumes/NAME, NAME escaped.
func volumePath(name string) string { return "/volumes/" + url.PathEscape(name) }

// remoteVolumeCreate is POST /volumes/create; the daemon names a volume
// that has no name (an anonymous one).
func remoteVolumeCreate(g *Globals, name, driver string, opts, labels map[string]string) (*volume.Volume, error) {
	var v volume.Volume
	body := map[string]any{"Name": name, "Driver": driver, "DriverOpts": opts, "Labels": labels}
	err := g.client.JSON("POST", "/volumes/create", nil, body, &v)
	return &v, err
}

// remoteVolumes is GET /volumes?filters=, in the daemon's (the store's)
// order.
func remoteVolumes(g *Globals, f map[string][]string) ([]*volume.Volume, error) {
	var q url.Values
	if len(f) > 0 {
		data, _ := json.Marshal(f)
		q = url.Values{"filters": {string(data)}}
	}
	var answer struct{ Volumes []*volume.Volume }
	err := g.client.JSON("GET", "/volumes", q, nil, &answer)
	return answer.Volumes, err
}

// remoteVolume is GET /volumes/NAME: the volume as the store keeps it.
func remoteVolume(g *Globals, name string) (*volume.Volume, error) {
	var v volume.Volume
	if err := g.client.JSON("GET", volumePath(name), nil, nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// remoteVolumeRm is DELETE /volumes/NAME?force=.
func remoteVolumeRm(g *Globals, name string, force bool) error {
	var q url.Values
	if force {
		q = url.Values{"force": {"1"}}
	}
	return g.client.JSON("DELETE", volumePath(name), q, nil, nil)
}

// remoteVolumePrune is POST /volumes/prune with the all filter said
// either way (the daemon, at API 1.41, would otherwise take all).
func remoteVolumePrune(g *Globals, all bool) ([]string, int64, error) {
	f, _ := json.Marshal(map[string][]string{"all": {strconv.FormatBool(all)}})
	var answer struct {
		VolumesDeleted []string
		SpaceReclaimed int64
	}
	err := g.client.JSON("POST", "/volumes/prune", url.Values{"filters": {string(f)}}, nil, &answer)
	return answer.VolumesDeleted, answer.SpaceReclaimed, err
}

// remotePorts is the container's published ports, from its inspect's
// NetworkSettings.Ports (as docker port reads them); alive says whether it runs (a stopped container publishes nothing).
func remotePorts(g *Globals, ref string) ([]network.Binding, bool, error) {
	var c struct {
		State           struct{ Running bool }
		NetworkSettings struct {
			Ports map[string][]struct{ HostIp, HostPort string }
		}
	}
	if err := g.client.JSON("GET", containerPath(ref, "/json"), nil, nil, &c); err != nil {
		return nil, false, err
	}
	var out []network.Binding
	for key, list := range c.NetworkSettings.Ports {
		port, proto, _ := strings.Cut(key, "/")
		p, _ := strconv.Atoi(port)
		for _, b := range list {
			hp, _ := strconv.Atoi(b.HostPort)
			out = append(out, network.Binding{HostIP: b.HostIp, HostPort: hp, ContainerPort: p, Proto: proto})
		}
	}
	return out, c.State.Running, nil
}

// remoteRename is POST /containers/REF/rename?name=.
func remoteRename(g *Globals, ref, name string) error {
	return g.client.JSON("POST", containerPath(ref, "/rename"), url.Values{"name": {name}}, nil, nil)
}

// remoteTop is GET /containers/REF/top?ps_args=: the daemon runs ps and
// keeps the container's lines, which are printed as columns again.
func remoteTop(g *Globals, ref string, psArgs []string) error {
	q := url.Values{}
	if len(psArgs) > 0 {
		q.Set("ps_args", strings.Join(psArgs, " "))
	}
	var top struct {
		Titles    []string
		Processes [][]string
	}
	if err := g.client.JSON("GET", containerPath(ref, "/top"), q, nil, &top); err != nil {
		return err
	}
	w := tabwriter.NewWriter(g.Stdout, 0, 8, 1, ' ', 0)
	fmt.Fprintln(w, strings.Join(top.Titles, "\t"))
	for _, p := range top.Processes {
		fmt.Fprintln(w, strings.Join(p, "\t"))
	}
	return w.Flush()
}

// remoteDiff is GET /containers/REF/changes: Docker's kinds 0, 1, 2 are
// diff's C, A, D.
func remoteDiff(g *Globals, ref string) ([]archive.Change, error) {
	var list []struct {
		Path string
		Kind int
	}
	if err := g.client.JSON("GET", containerPath(ref, "/changes"), nil, nil, &list); err != nil {
		return nil, err
	}
	out := make([]archive.Change, 0, len(list))
	for _, c := range list {
		if c.Kind < 0 || c.Kind > 2 {
			return nil, fmt.Errorf("diff %s: the daemon's change kind %d is none of Docker's (0, 1, 2)", ref, c.Kind)
		}
		out = append(out, archive.Change{Kind: "CAD"[c.Kind], Path: c.Path})
	}
	return out, nil
}

// remoteCommit is POST /commit?container=&repo=&tag=: the new image's ID.
func remoteCommit(g *Globals, ref, name, message string, pause bool) (string, error) {
	q := url.Values{"container": {ref}, "comment": {message}, "pause": {strconv.FormatBool(pause)}}
	if name != "" {
		r, err := reference.ParseName(name)
		if err != nil {
			return "", err
		}
		setRepoTag(q, r)
	}
	var created struct {
		ID string `json:"Id"`
	}
	err := g.client.JSON("POST", "/commit", q, nil, &created)
	return created.ID, err
}

// remoteStatsTargets is what stats reads: the containers named, each of
// which must run, or every running one, as engine.StatsTargets.
func remoteStatsTargets(g *Globals, refs []string) ([]*engine.Container, error) {
	var out []*engine.Container
	if len(refs) == 0 {
		var list []apiSummary
		if err := g.client.JSON("GET", "/containers/json", nil, nil, &list); err != nil {
			return nil, err
		}
		for _, s := range list {
			if s.State == string(engine.Running) && len(s.Names) > 0 {
				out = append(out, &engine.Container{ID: s.ID, Name: strings.TrimPrefix(s.Names[0], "/")})
			}
		}
		return out, nil
	}
	for _, ref := range refs {
		var c struct {
			ID    string `json:"Id"`
			Name  string
			State struct{ Status string }
		}
		if err := g.client.JSON("GET", containerPath(ref, "/json"), nil, nil, &c); err != nil {
			return nil, err
		}
		if c.State.Status != string(engine.Running) {
			return nil, fmt.Errorf("container %s is not running", ref)
		}
		out = append(out, &engine.Container{ID: c.ID, Name: strings.TrimPrefix(c.Name, "/")})
	}
	return out, nil
}

// remoteSample reads each container's cgroup once through the daemon
// (GET /containers/ID/stats?stream=false&one-shot=true, all at once), as
// engine.Sample reads them daemonless; stats works out CPU % from two.
func remoteSample(g *Globals, list []*engine.Container) engine.Reading {
	r := engine.Reading{At: time.Now(), Stats: map[string]cgroups.Stats{}, Net: map[string]map[string]network.Counters{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	q := url.Values{"stream": {"false"}, "one-shot": {"true"}}
	for _, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var st struct {
				CPU struct {
					Usage struct {
						Total uint64 `json:"total_usage"`
					} `json:"cpu_usage"`
				} `json:"cpu_stats"`
				Memory struct {
					Usage uint64 `json:"usage"`
					Limit uint64 `json:"limit"`
				} `json:"memory_stats"`
				Pids struct {
					Current uint64 `json:"current"`
				} `json:"pids_stats"`
				Blkio struct {
					Bytes []struct {
						Major uint64 `json:"major"`
						Minor uint64 `json:"minor"`
						Op    string `json:"op"`
						Value uint64 `json:"value"`
					} `json:"io_service_bytes_recursive"`
				} `json:"blkio_stats"`
				Networks map[string]network.Counters `json:"networks"`
			}
			if g.client.JSON("GET", containerPath(c.ID, "/stats"), q, nil, &st) != nil {
				return // gone meanwhile: zeros, as daemonless reads a removed cgroup
			}
			cg := cgroups.Stats{CPUTime: time.Duration(st.CPU.Usage.Total), MemoryCurrent: st.Memory.Usage,
				MemoryLimit: st.Memory.Limit, Pids: st.Pids.Current}
			// A read and a write entry per device ("Read", "Write" on
			// cgroup v1), back into one DeviceIO each.
			for _, e := range st.Blkio.Bytes {
				i := slices.IndexFunc(cg.BlockIO, func(d cgroups.DeviceIO) bool { return d.Major == e.Major && d.Minor == e.Minor })
				if i < 0 {
					cg.BlockIO = append(cg.BlockIO, cgroups.DeviceIO{Major: e.Major, Minor: e.Minor})
					i = len(cg.BlockIO) - 1
				}
				switch strings.ToLower(e.Op) {
				case "read":
					cg.BlockIO[i].Read = e.Value
				case "write":
					cg.BlockIO[i].Write = e.Value
				}
			}
			mu.Lock()
			r.Stats[c.ID], r.Net[c.ID] = cg, st.Networks
			mu.Unlock()
		}()
	}
	wg.Wait()
	return r
}

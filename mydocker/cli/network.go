// mydocker network create|ls|inspect|rm|prune and mydocker port: chapter 07's
// commands, with docker's flags, columns and messages.

package cli

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/network"
)

func networkCmd(g *Globals, args []string) error {
	subs := map[string]func(*Globals, []string) error{
		"create": networkCreate, "ls": networkLs, "list": networkLs, "inspect": networkInspect,
		"rm": networkRm, "remove": networkRm, "prune": networkPrune,
		"connect": networkConnect, "disconnect": networkDisconnect,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(g.Stdout, "Usage:  mydocker network COMMAND\n\nCommands:\n  connect     Connect a container to a network\n  create      Create a network\n  disconnect  Disconnect a container from a network\n  inspect  Display detailed information on one or more networks\n  ls       List networks\n  prune    Remove all unused networks\n  rm       Remove one or more networks")
			return errHelp
		}
		return &usageError{"network", fmt.Errorf("want a subcommand: connect, create, disconnect, inspect, ls, prune, rm")}
	}
	return subs[args[0]](g, args[1:])
}

func networkCreate(g *Globals, args []string) error {
	var o network.CreateOptions
	fs := NewFlagSet("network")
	var opts []string
	fs.String(&o.Driver, "driver", "d", "string", `driver to manage the network ("bridge" or "macvlan")`)
	fs.List(&opts, "opt", "o", "map", "driver options: parent=IF for macvlan")
	fs.String(&o.Subnet, "subnet", "", "string", "subnet in CIDR format, e.g. 172.30.0.0/16")
	fs.String(&o.Gateway, "gateway", "", "string", "IPv4 gateway for the subnet")
	var internal bool
	fs.Bool(&internal, "internal", "", "restrict external access to the network (not supported by mydocker: refused)")
	rest, err := parse(g, fs, args, 1, 1)
	if err != nil {
		return err
	}
	o.Name = rest[0]
	for _, kv := range opts {
		k, v, _ := strings.Cut(kv, "=")
		if k != "parent" || v == "" {
			return &usageError{"network", fmt.Errorf("unknown -o %q: the one driver option is parent=IF (macvlan)", kv)}
		}
		o.Parent = v
	}
	if g.client != nil {
		return remoteNetworkCreate(g, o, internal)
	}
	if internal {
		// The daemon's words for it (networkCreateRequest.options).
		return fmt.Errorf("network create %s: internal, ingress and IPv6 networks are not supported by mydocker", o.Name)
	}
	n, err := network.Create(g.DataRoot, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, n.ID)
	return nil
}

func networkLs(g *Globals, args []string) error {
	var quiet bool
	fs := NewFlagSet("network")
	fs.Bool(&quiet, "quiet", "q", "only display network IDs")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	all, err := listNetworks(g)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(g.Stdout, 0, 8, 3, ' ', 0)
	if !quiet {
		fmt.Fprintln(w, "NETWORK ID\tNAME\tDRIVER\tSCOPE\tSUBNET")
	}
	for _, n := range all {
		id := firstNonEmpty(n.ID, network.PredefinedID(n.Name))
		if len(id) > 12 {
			id = id[:12]
		}
		if quiet {
			fmt.Fprintln(w, id)
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\tlocal\t%s\n", id, n.Name, n.Driver, n.Subnet)
	}
	return w.Flush()
}

// listNetworks is network.List, or its rows through the daemon.
func listNetworks(g *Globals) ([]network.Listed, error) {
	if g.client != nil {
		return remoteNetworks(g)
	}
	return network.List(g.DataRoot)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func networkInspect(g *Globals, args []string) error {
	refs, err := parse(g, NewFlagSet("network"), args, 1, -1)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteNetworkInspect(g, refs)
	}
	all, err := network.List(g.DataRoot)
	if err != nil {
		return err
	}
	var out []any
	for _, ref := range refs {
		found := false
		for _, n := range all {
			if n.Name == ref || (n.ID != "" && strings.HasPrefix(n.ID, ref)) {
				out = append(out, n)
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("network %s not found", ref)
		}
	}
	return printJSON(g.Stdout, out)
}

// networkConnect is `mydocker network connect [--alias A] [--ip IP] NET CONTAINER`.
func networkConnect(g *Globals, args []string) error {
	var aliases []string
	var ip string
	fs := NewFlagSet("network")
	fs.List(&aliases, "alias", "", "list", "another name the network's embedded DNS answers for the container")
	fs.String(&ip, "ip", "", "string", "IPv4 address (e.g., 172.30.100.104)")
	rest, err := parse(g, fs, args, 2, 2)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteNetworkConnect(g, rest[0], rest[1], aliases, ip)
	}
	_, err = engine.ConnectNetwork(g.DataRoot, rest[0], rest[1], aliases, ip)
	return err
}

// networkDisconnect is `mydocker network disconnect NET CONTAINER`.
func networkDisconnect(g *Globals, args []string) error {
	rest, err := parse(g, NewFlagSet("network"), args, 2, 2)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteNetworkDisconnect(g, rest[0], rest[1])
	}
	return engine.DisconnectNetwork(g.DataRoot, rest[0], rest[1])
}

func networkRm(g *Globals, args []string) error {
	refs, err := parse(g, NewFlagSet("network"), args, 1, -1)
	if err != nil {
		return err
	}
	if g.client != nil {
		return remoteNetworkRm(g, refs)
	}
	for _, ref := range refs {
		if err := network.Remove(g.DataRoot, ref); err != nil {
			return err
		}
		fmt.Fprintln(g.Stdout, ref)
	}
	return nil
}

func networkPrune(g *Globals, args []string) error {
	var force bool
	fs := NewFlagSet("network")
	fs.Bool(&force, "force", "f", "do not prompt for confirmation")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	var removed []string
	var err error
	if g.client != nil {
		removed, err = remoteNetworkPrune(g)
	} else {
		removed, err = network.Prune(g.DataRoot)
	}
	if err != nil {
		return err
	}
	if len(removed) > 0 {
		fmt.Fprintln(g.Stdout, "Deleted Networks:")
		for _, n := range removed {
			fmt.Fprintln(g.Stdout, n)
		}
	}
	return nil
}

// portCmd is `mydocker port CONTAINER [PRIVATE_PORT[/PROTO]]`.
func portCmd(g *Globals, args []string) error {
	rest, err := parse(g, NewFlagSet("port"), args, 1, 2)
	if err != nil {
		return err
	}
	ports, alive, err := containerPorts(g, rest[0])
	if err != nil {
		return err
	}
	var want string
	if len(rest) == 2 {
		want = rest[1]
		if !strings.Contains(want, "/") {
			want += "/tcp"
		}
	}
	if !alive {
		if want != "" {
			return fmt.Errorf("no public port '%s' published for %s", want, rest[0])
		}
		return nil
	}
	// In docker port's order (docker/cli sorts its lines naturally since
	// 23.0; 20.10 printed a map's): by container port, protocol, host
	// address, host port. Not -p's order, which the daemon's API loses.
	sort.SliceStable(ports, func(i, j int) bool {
		a, b := ports[i], ports[j]
		if a.ContainerPort != b.ContainerPort {
			return a.ContainerPort < b.ContainerPort
		}
		if a.Proto != b.Proto {
			return a.Proto < b.Proto
		}
		if ipA, ipB := firstNonEmpty(a.HostIP, "0.0.0.0"), firstNonEmpty(b.HostIP, "0.0.0.0"); ipA != ipB {
			return ipA < ipB
		}
		return a.HostPort < b.HostPort
	})
	shown := 0
	for _, b := range ports {
		key := fmt.Sprintf("%d/%s", b.ContainerPort, b.Proto)
		ip := firstNonEmpty(b.HostIP, "0.0.0.0")
		switch {
		case want == "":
			fmt.Fprintf(g.Stdout, "%s -> %s:%d\n", key, ip, b.HostPort)
		case want == key:
			fmt.Fprintf(g.Stdout, "%s:%d\n", ip, b.HostPort)
		default:
			continue
		}
		shown++
	}
	if want != "" && shown == 0 {
		return fmt.Errorf("no public port '%s' published for %s", want, rest[0])
	}
	return nil
}

// containerPorts is a container's published ports and whether it runs:
// its record's, or its inspect's through the daemon.
func containerPorts(g *Globals, ref string) ([]network.Binding, bool, error) {
	if g.client != nil {
		return remotePorts(g, ref)
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return nil, false, err
	}
	c, err := store.Get(ref)
	if err != nil {
		return nil, false, err
	}
	if c.NetworkSettings == nil || !c.MonitorAlive() {
		return nil, false, nil
	}
	return c.NetworkSettings.Ports, true, nil
}

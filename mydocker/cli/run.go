// mydocker run: flags as `docker run` spells them, turned into
// engine.RunOptions.

package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/volume"
)

func runCmd(g *Globals, args []string) error { return runOrCreate(g, "run", args) }

func createCmd(g *Globals, args []string) error { return runOrCreate(g, "create", args) }

// runOrCreate is `run` and `create`, which take the same flags.
func runOrCreate(g *Globals, name string, args []string) error {
	var o engine.RunOptions
	var memory, swap, cpus, shares, pids, restart string
	var securityOpts []string
	pullPolicy, keys := "missing", attach.DefaultDetachKeys
	fs := NewFlagSet(name)
	if name == "run" {
		fs.Bool(&o.Detach, "detach", "d", "run the container in the background and print its ID")
		fs.String(&keys, "detach-keys", "", "string", `override the key sequence for detaching a container (default "ctrl-p,ctrl-q")`)
	}
	fs.String(&restart, "restart", "", "string", "restart policy when the container exits: no, on-failure[:max-retries], always, unless-stopped (default no)")
	fs.List(&o.LogOpts, "log-opt", "", "list", "json-file log options: max-size=10m, max-file=3")
	fs.Bool(&o.Remove, "rm", "", "remove the container when it exits")
	fs.Bool(&o.Interactive, "interactive", "i", "keep STDIN open")
	fs.Bool(&o.TTY, "tty", "t", "allocate a pseudo-TTY")
	fs.String(&o.Hostname, "hostname", "h", "string", "container host name (default: the short ID)")
	fs.String(&o.Name, "name", "", "string", "assign a name to the container")
	fs.List(&o.Env, "env", "e", "list", "set environment variables (KEY=VALUE)")
	fs.String(&o.Cwd, "workdir", "w", "string", "working directory inside the container")
	fs.String(&o.User, "user", "u", "string", "username or UID (format: <name|uid>[:<group|gid>])")
	fs.String(&pullPolicy, "pull", "", "string", `pull image before running ("always", "missing", "never")`)
	fs.List(&o.CapAdd, "cap-add", "", "list", "add Linux capabilities (e.g. SYS_ADMIN, or ALL)")
	fs.List(&o.CapDrop, "cap-drop", "", "list", "drop Linux capabilities (e.g. NET_RAW, or ALL)")
	fs.List(&securityOpts, "security-opt", "", "list", "security options (no-new-privileges)")
	// Chapter 07: networking.
	fs.String(&o.Network, "network", "", "network", `connect the container to a network ("bridge", "host", "none", or a name)`)
	fs.String(&o.Network, "net", "", "network", "the same as --network")
	fs.String(&o.IP, "ip", "", "address", "IPv4 address on the network (e.g. 172.30.0.10)")
	fs.List(&o.Publish, "publish", "p", "list", "publish a container's port to the host ([IP:][HOST_PORT:]PORT[/udp])")
	fs.Bool(&o.PublishAll, "publish-all", "P", "publish every exposed port to a free host port")
	fs.List(&o.Aliases, "network-alias", "", "list", "another name the network's embedded DNS answers for the container")
	// Chapter 02: cgroup limits, with Docker's names and units.
	fs.String(&memory, "memory", "m", "bytes", "memory limit (e.g. 512m, 1g; at least 6m)")
	fs.String(&swap, "memory-swap", "", "bytes", "memory plus swap limit; -1 for unlimited swap (default: twice -m)")
	fs.String(&cpus, "cpus", "", "decimal", "number of CPUs (e.g. 1.5)")
	fs.String(&shares, "cpu-shares", "c", "int", "CPU shares, a relative weight (default 1024)")
	fs.String(&o.Resources.CpusetCpus, "cpuset-cpus", "", "string", "CPUs in which to allow execution (0-3, 0,1)")
	fs.String(&pids, "pids-limit", "", "int", "limit on the number of processes (-1 or 0: unlimited)")
	// Chapter 08: volumes, binds and tmpfs mounts.
	var vols, mounts, tmpfs []string
	fs.List(&vols, "volume", "v", "list", "bind mount a volume (NAME:/path[:ro], /host:/path[:ro], /path)")
	fs.List(&mounts, "mount", "", "mount", "attach a filesystem mount (type=volume|bind|tmpfs,source=,target=,readonly,...)")
	fs.List(&tmpfs, "tmpfs", "", "list", "mount a tmpfs directory (/path[:size=64m,mode=1777])")
	fs.List(&o.VolumesFrom, "volumes-from", "", "list", "mount volumes from the specified container(s) (CONTAINER[:ro|rw])")
	fs.Bool(&o.ReadOnly, "read-only", "", "mount the container's root filesystem as read only")
	rest, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	if o.Mounts, err = parseMounts(vols, mounts, tmpfs); err != nil {
		return err
	}
	if err := parseResources(&o.Resources, memory, swap, cpus, shares, pids); err != nil {
		return &usageError{name, err}
	}
	if o.NoNewPrivileges, err = parseSecurityOpts(securityOpts); err != nil {
		return &usageError{name, err}
	}
	if o.Restart, err = engine.ParseRestartPolicy(restart); err != nil {
		return &usageError{name, err}
	}
	detachKeys, err := attach.ParseDetachKeys(keys)
	if err != nil {
		return &usageError{name, err}
	}
	o.Image, o.Args = rest[0], rest[1:]
	if o.TTY && !o.Detach && name == "run" {
		// The size before the command starts: no 0x0 for its first look.
		o.ConsoleSize[0], o.ConsoleSize[1] = runtime.TerminalSize(os.Stdin)
	}
	// Docker's --stdin-once: -i without -d (run -i, create -i).
	o.StdinOnce = o.Interactive && !o.Detach
	if g.client != nil {
		return remoteRun(g, name, o, pullPolicy, attachOptions{stdin: o.Interactive, detachKeys: detachKeys, keySpec: keys, sigProxy: true})
	}
	if o.Detach {
		// The monitor starts first, and comes up while the image is
		// found and the record written.
		return runDetached(g, o, func() error { return ensureImage(g, o.Image, pullPolicy) })
	}
	if err := ensureImage(g, o.Image, pullPolicy); err != nil {
		return err
	}
	if name == "create" {
		o.Detach = true // the container will run under a monitor
		c, err := engine.Create(g.DataRoot, o)
		if err != nil {
			return err
		}
		fmt.Fprintln(g.Stdout, c.ID)
		return nil
	}
	if o.Restart.Name != engine.PolicyNo {
		return runRestarting(g, o, detachKeys)
	}
	code, err := engine.Run(g.DataRoot, o)
	if err != nil {
		return err
	}
	if code != 0 {
		return &statusError{code}
	}
	return nil
}

// runRestarting is `run --restart POLICY` without -d. Docker allows it:
// the daemon restarts the container while the client sees the first run
// only. Here the container starts under a monitor, which runs the policy,
// with the caller attached (start -a -i): the first run's output, and its
// exit code as ours; the restarts go on after we return.
func runRestarting(g *Globals, o engine.RunOptions, keys []byte) error {
	c, err := engine.Create(g.DataRoot, o)
	if err != nil {
		return err
	}
	store, err := engine.OpenStore(g.DataRoot)
	if err != nil {
		return err
	}
	return startAttached(g, store, c, attachOptions{stdin: o.Interactive, detachKeys: keys, sigProxy: true})
}

// parseMounts reads -v, --mount and --tmpfs. A --mount or --tmpfs mistake
// is the command line's, as in docker; a -v one is the daemon's, said in
// its words, exit 125 all the same.
func parseMounts(vols, mounts, tmpfs []string) ([]volume.Mount, error) {
	var out []volume.Mount
	for _, v := range vols {
		m, err := volume.ParseVolume(v)
		if err != nil {
			return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
		}
		out = append(out, m)
	}
	for _, spec := range mounts {
		m, err := volume.ParseMount(spec)
		if err != nil {
			return nil, &usageError{"run", fmt.Errorf("invalid argument %q for \"--mount\" flag: %v", spec, err)}
		}
		out = append(out, m)
	}
	for _, spec := range tmpfs {
		m, err := volume.ParseTmpfs(spec)
		if err != nil {
			return nil, &usageError{"run", fmt.Errorf("invalid argument %q for \"--tmpfs\" flag: %v", spec, err)}
		}
		out = append(out, m)
	}
	return out, nil
}

// parseResources reads the cgroup flags' values; each error names its flag.
func parseResources(r *cgroups.Resources, memory, swap, cpus, shares, pids string) error {
	var err error
	if memory != "" {
		if r.Memory, err = cgroups.ParseBytes(memory); err != nil {
			return fmt.Errorf("invalid argument %q for \"-m, --memory\" flag: %v", memory, err)
		}
	}
	if swap == "-1" {
		r.MemorySwap = -1
	} else if swap != "" {
		if r.MemorySwap, err = cgroups.ParseBytes(swap); err != nil {
			return fmt.Errorf("invalid argument %q for \"--memory-swap\" flag: %v", swap, err)
		}
	}
	if cpus != "" {
		if r.NanoCPUs, err = cgroups.ParseCPUs(cpus); err != nil {
			return fmt.Errorf("invalid argument %q for \"--cpus\" flag: %v", cpus, err)
		}
		if r.NanoCPUs <= 0 {
			return fmt.Errorf("invalid argument %q for \"--cpus\" flag: want a positive number of CPUs, such as 0.5", cpus)
		}
	}
	if shares != "" {
		if r.CPUShares, err = strconv.ParseInt(shares, 10, 64); err != nil {
			return fmt.Errorf("invalid argument %q for \"-c, --cpu-shares\" flag: want an integer", shares)
		}
	}
	if pids != "" {
		if r.PidsLimit, err = strconv.ParseInt(pids, 10, 64); err != nil {
			return fmt.Errorf("invalid argument %q for \"--pids-limit\" flag: want an integer", pids)
		}
	}
	return nil
}

// parseSecurityOpts reads --security-opt as Docker spells it. Of Docker's
// options mydocker knows one: no-new-privileges, alone or with ":true",
// "=true", ":false" or "=false".
func parseSecurityOpts(opts []string) (noNewPrivs bool, err error) {
	for _, o := range opts {
		k, v, hasValue := strings.Cut(strings.Replace(o, ":", "=", 1), "=")
		if k != "no-new-privileges" {
			return false, fmt.Errorf("invalid --security-opt %q: mydocker knows only no-new-privileges", o)
		}
		noNewPrivs = true
		if hasValue {
			if noNewPrivs, err = strconv.ParseBool(v); err != nil {
				return false, fmt.Errorf("invalid --security-opt %q: want no-new-privileges[:true|false]", o)
			}
		}
	}
	return noNewPrivs, nil
}

// Run is `mydocker run` from start to end: it records the container,
// prepares what the container needs on the host, starts init in new
// namespaces, relays signals and the terminal while the command runs, and
// records how it ended. Each chapter adds a step here; each step pushes its
// undo, so the end (or a failure anywhere) leaves nothing behind.

package engine

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/logs"
	"github.com/mydocker/mydocker/mydocker/namespace"
	"github.com/mydocker/mydocker/mydocker/network"
	"github.com/mydocker/mydocker/mydocker/rootfs"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/store"
	"github.com/mydocker/mydocker/mydocker/trace"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// RunOptions is `mydocker run`, parsed.
type RunOptions struct {
	Name     string
	Image    string // "host": no root switch (chapter 01)
	Args     []string
	Hostname string
	Env      []string // -e KEY=VALUE
	Cwd      string   // -w
	User     string   // -u
	TTY      bool     // -t
	// ConsoleSize is the terminal's rows and columns before the command
	// starts: the size of the caller's own, with -t in the foreground
	// (Docker's HostConfig.ConsoleSize). Zeros: the kernel's 0x0.
	ConsoleSize [2]uint16
	Interactive bool // -i
	// StdinOnce closes the command's stdin once the attached client's
	// input ends: Docker sets it for -i without -d (chapter 06).
	StdinOnce bool
	Remove    bool // --rm
	Resources cgroups.Resources
	CapAdd    []string // --cap-add
	CapDrop   []string // --cap-drop
	// NoNewPrivileges is --security-opt no-new-privileges.
	NoNewPrivileges bool
	// Chapter 06: -d, --restart and --log-opt.
	Detach  bool
	Restart RestartPolicy
	LogOpts []string // KEY=VALUE, checked by logs.ParseOptions
	// ID and Monitor are run -d's: it starts the container's monitor
	// before the record exists (so that the monitor's start-up overlaps
	// the record's making), gives it the ID, and the record names that
	// monitor from the start. Empty: a new ID, and this process owns
	// the container while it is made.
	ID      string
	Monitor int
	// Chapter 08: -v, --mount and --tmpfs, parsed; --volumes-from
	// CONTAINER[:ro|rw]; --read-only.
	Mounts      []volume.Mount
	VolumesFrom []string
	ReadOnly    bool
	// Chapter 07: --network, --ip, -p and -P.
	Network    string
	IP         string
	Publish    []string
	PublishAll bool
	Aliases    []string // --network-alias
	// Chapter 09: what Docker's API may set beyond run's flags. A non-nil
	// Entrypoint replaces the image's, and its CMD with it (Docker's
	// rule); StopSignal replaces the image's STOPSIGNAL; Expose adds
	// ports to the image's EXPOSE for -P.
	Entrypoint []string
	StopSignal string
	Expose     []string
}

// HostImage is the pseudo-image that runs the command on the host's own
// filesystem: namespaces without a root switch, as in chapter 01.
const HostImage = "host"

// proxied are the signals `mydocker run` passes on to the container, as
// `docker run`'s sig-proxy does. The rest are the Go runtime's or the terminal's.
var proxied = []os.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGUSR1, unix.SIGUSR2}

// Run runs a container in the foreground and returns its exit code. It is
// the whole path of `mydocker run`, one step a line, each naming the
// chapter that explains it; a reader of an early chapter can skip the
// steps of later ones (without -m and friends a cgroup still exists, but
// sets no limit; with the "host" image there is no root to prepare).
func Run(dataRoot string, opts RunOptions) (code int, err error) {
	// Bad input is refused before anything is made: exit 125, one line.
	if err := checkOptions(dataRoot, opts); err != nil {
		return runtime.ExitEngine, err
	}
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return runtime.ExitEngine, err
	}
	// Each step pushes its undo; the end, or a failure anywhere, runs them.
	var undo runtime.Undo
	defer func() {
		if uerr := undo.Run(); uerr != nil && err == nil {
			err = uerr
		}
	}()

	// Chapters 03-05: find the image (unpacking its layers), and record
	// the container before anything is made for it on the host.
	c, err := create(dataRoot, containers, opts)
	if err != nil {
		return runtime.ExitEngine, err
	}
	if opts.Remove {
		undo.Push("remove container", func() error { return removeWithVolumes(dataRoot, containers, c) })
	}
	// Chapter 07: an address, the bridge, the published ports.
	net, err := AttachNetwork(dataRoot, c, os.Getpid())
	if err != nil {
		finish(containers, c, runtime.ExitEngine, err)
		return runtime.ExitEngine, err
	}
	undo.Push("detach network", net.Detach)
	c.NetworkSettings = &net.Settings
	// Chapters 03-04: the container's directory, from which init builds
	// its root (an overlay of the image's layers and a writable one).
	if err := prepareRoot(containers, c, net); err != nil {
		finish(containers, c, runtime.ExitEngine, err)
		return runtime.ExitEngine, err
	}
	// Chapter 01: init in new namespaces runs the command; mydocker
	// relays signals and the terminal until it exits (start). Chapter
	// 02's cgroup is made there, while init starts.
	return start(containers, c, opts, net, &undo)
}

// AttachNetwork connects the container as its --network, --ip and -p say
// (chapter 07). holder is the process that holds the address and ports
// while the container runs: this mydocker run, or the container's monitor.
func AttachNetwork(dataRoot string, c *Container, holder int) (*network.Attachment, error) {
	hc := c.HostConfig
	ports, err := network.ParsePorts(hc.PortSpecs, hc.PublishAllPorts, hc.ExposedPorts)
	if err != nil {
		return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	mode := hc.NetworkMode
	if mode == "" && c.Image == HostImage {
		// Chapter 01's "host" image has no root of its own to write
		// /etc/hosts into: its container keeps chapter 01's network
		// namespace with only lo, unless --network says otherwise.
		mode = "none"
	}
	req := network.Request{Container: c.ID, Name: c.Name, Aliases: hc.NetworkAliases,
		Hostname: c.Config.Hostname, Mode: mode, IP: hc.IPAddress, Ports: ports, Monitor: holder}
	if err := joinRequest(dataRoot, &req); err != nil {
		return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	a, err := network.Attach(dataRoot, req)
	if err != nil {
		return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	return a, nil
}

// CloneFlags are the namespaces of chapter 01, less the network one for
// --network host (the host's own stack) and container:NAME (another's).
func CloneFlags(net *network.Attachment) uintptr {
	if net.HostMode() || net.SharesNetns() {
		return namespace.CloneFlags &^ unix.CLONE_NEWNET
	}
	return namespace.CloneFlags
}

// releaseNetwork releases the container's network before its end is
// recorded: once `rm -f` or a script sees it exited, its address, ports
// and rules are free again (the undo's Detach is then a no-op). After an
// exit, DetachExited leaves the veth to go with the namespace.
func releaseNetwork(detach func() error) {
	if err := detach(); err != nil {
		fmt.Fprintf(os.Stderr, "mydocker: %v\n", err)
	}
}

// JoinNetwork is the createRuntime hook that gives init its eth0: its
// namespaces exist, its command does not yet.
func JoinNetwork(net *network.Attachment) func(p *runtime.Process) error {
	return func(p *runtime.Process) error {
		if net.HostMode() || net.Settings.IPAddress == "" {
			return nil
		}
		ns, err := p.OpenNamespace("net")
		if err != nil {
			return err
		}
		defer ns.Close()
		return net.Join(ns)
	}
}

// makeCgroup is the createRuntime hook that makes the container's cgroup
// (chapter 02), its limits and device rules, while init's Go runtime
// starts: before init gets its config (its mounts show the group at
// /sys/fs/cgroup). The record names where the group is already (create):
// whenever this process is killed from here on, `mydocker rm` finds it.
func makeCgroup(c *Container, undo *runtime.Undo) func(*runtime.Process) error {
	return func(*runtime.Process) error {
		group, err := cgroups.New(c.ID, &c.HostConfig.Resources)
		if err != nil {
			c.Cgroup = nil // New removed what it made
			return err
		}
		undo.Push("remove cgroup", group.Destroy)
		c.Cgroup = group
		return nil
	}
}

// commandFiles supplies init's cgroup files when init asks for them, ready
// to start the command: the command, and nothing before it, needs the
// record's fsyncs done (create started them), so init's start and mounts
// do not wait for the disk.
func commandFiles(c *Container) func() ([]*os.File, error) {
	return func() ([]*os.File, error) {
		if err := <-c.durable; err != nil {
			return nil, fmt.Errorf("record container: %w", err)
		}
		c.durable = nil
		return c.Cgroup.OpenFiles()
	}
}

// prepareRoot makes the container's own directory and the rootfs.Spec
// init builds its root from (chapter 03); the "host" image has none.
func prepareRoot(containers *Store, c *Container, net netFiles) error {
	if c.image != nil {
		if c.Config.Rootfs == nil {
			c.Config.Rootfs = planRoot(containers, c)
		}
		if err := prepareFS(c.Config.Rootfs, c.image, c.Config.Hostname, net); err != nil {
			return err
		}
	}
	return nil
}

// planRoot is the rootfs.Spec of a container's root: where its layers,
// its directories and its files will be, with the user's mounts (chapter
// 08) and --read-only. Nothing is made yet (prepareFS).
func planRoot(containers *Store, c *Container) *rootfs.Spec {
	if c.image == nil {
		return nil
	}
	spec := planFS(containers.Dir(c.ID), c.image, c.Cgroup)
	spec.Overlay.Volatile = c.HostConfig.AutoRemove // --rm: its end need not wait for the disk
	spec.Mounts, spec.ReadOnly = c.mounts, c.HostConfig.ReadonlyRootfs
	spec.Binds = withoutUserTargets(spec.Binds, c.mounts)
	return spec
}

// saveRunning records that the container runs while the command does: the
// record's writing need not hold the command up. finish waits for it. It
// goes through the container's lock, and keeps what others may have
// changed meanwhile (rm -f or stop marking it stopped, a rename): a plain
// save of c could write "created, no PID" back over them and leave rm -f
// waiting for a start that the record would never show.
func saveRunning(containers *Store, c *Container) {
	c.durable = make(chan error, 1)
	running := *c
	go func() {
		err := mergeSave(containers, &running)
		c.written = running.written // before durable: finish reads it after
		c.durable <- err
	}()
}

// checkOptions refuses bad input before anything is made, as Docker's
// daemon does: exit 125, one line, nothing to undo.
func checkOptions(dataRoot string, opts RunOptions) error {
	if opts.Image == "" {
		return runtime.Exitf(runtime.ExitEngine, "no image given: mydocker run [OPTIONS] IMAGE [COMMAND] [ARG...]")
	}
	if opts.Name != "" {
		if err := CheckName(opts.Name); err != nil {
			return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
		}
	}
	if err := checkEnv(opts.Env); err != nil {
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	if _, err := network.ParsePorts(opts.Publish, false, nil); err != nil {
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	if err := opts.Resources.Validate(goruntime.NumCPU(), onlineCPUs()); err != nil {
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	if opts.Remove && opts.Restart.Name != "" && opts.Restart.Name != PolicyNo {
		return runtime.Exitf(runtime.ExitEngine, "conflicting options: --restart and --rm: a container removed when it exits cannot be restarted")
	}
	if _, err := logs.ParseOptions(opts.LogOpts, cgroups.ParseBytes); err != nil {
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	if opts.TTY && opts.Interactive && !opts.Detach && !runtime.IsTerminal(os.Stdin) {
		return runtime.Exitf(runtime.ExitEngine, "the input device is not a TTY: drop -t, or run from a terminal")
	}
	if abs, _ := filepath.Abs(dataRoot); strings.ContainsAny(abs, ",:") {
		return runtime.Exitf(runtime.ExitEngine, "data root %s has a ',' or ':', which overlayfs's mount options cannot hold: choose another --data-root", abs)
	}
	return nil
}

// create finds the image and records the container. The image's layers
// must not be collected between their unpacking and the record saying the
// container uses them: the data root's lock is held, shared, meanwhile.
//
// The record exists before anything is made on the host, and names this
// process as its monitor: until the monitor records the end, `rm` without
// -f refuses the container, and if the monitor dies (kill -9) at any step,
// `rm` still finds what it made. The cgroup's place follows from the ID
// (cgroups.Plan), so it is recorded before the group exists.
func create(dataRoot string, containers *Store, opts RunOptions) (*Container, error) {
	unlock, err := store.LockDataRoot(dataRoot, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	images, err := store.Open(dataRoot)
	if err != nil {
		return nil, err
	}
	// Chapter 03: the image, found (and unpacked) before anything is made.
	img, err := resolveImage(images, opts.Image)
	if err != nil {
		return nil, err
	}
	c, err := newContainer(img, opts)
	if err != nil {
		return nil, err
	}
	// Chapter 08: its volumes, made while the lock keeps `volume rm`
	// from judging them unused before the record below says otherwise.
	undoVolumes, err := createMounts(dataRoot, containers, img, c, opts)
	if err != nil {
		return nil, err
	}
	c.State.Set(Created)
	// Chapter 06: a foreground run keeps Docker's json-file log too.
	c.LogPath = filepath.Join(containers.Dir(c.ID), c.ID+"-json.log")
	c.State.Monitor = opts.Monitor
	if c.State.Monitor == 0 {
		c.State.Monitor = os.Getpid()
	}
	if c.State.MonitorStart, err = ProcessStartTime(c.State.Monitor); err != nil {
		undoVolumes()
		return nil, fmt.Errorf("the monitor of container %s exited before it was recorded", ShortID(c.ID))
	}
	if c.Cgroup, err = cgroups.Plan(c.ID, &c.HostConfig.Resources); err != nil {
		undoVolumes()
		return nil, err
	}
	if opts.Detach {
		// Chapter 06: what the monitor needs is in the record from the
		// first write on; the directories are made once it exists
		// (Prepare), so that it names everything made.
		c.Config.Rootfs = planRoot(containers, c)
	}
	if err := containers.Create(c); err != nil {
		undoVolumes()
		return nil, err
	}
	return c, nil
}

// createMounts plans and makes the container's mounts and records them in
// c; the function it returns removes the volumes it made.
func createMounts(dataRoot string, containers *Store, img *Image, c *Container, opts RunOptions) (func(), error) {
	c.HostConfig.ReadonlyRootfs = opts.ReadOnly
	c.Mounts = []MountPoint{}
	if img == nil {
		if len(opts.Mounts) > 0 || len(opts.VolumesFrom) > 0 || opts.ReadOnly {
			return nil, runtime.Exitf(runtime.ExitEngine, "volumes, mounts and --read-only need an image: the %q pseudo-image has no root of its own", HostImage)
		}
		return func() {}, nil
	}
	mounts, err := planMounts(containers, img, opts)
	if err != nil || len(mounts) == 0 {
		return func() {}, err // nothing to make: the volume store stays shut
	}
	vols, err := volume.Open(dataRoot)
	if err != nil {
		return nil, err
	}
	points, specs, made, err := makeMounts(vols, mounts)
	if err != nil {
		return nil, err
	}
	c.Mounts, c.mounts = points, specs
	return func() {
		for _, name := range made {
			if v, err := vols.Get(name); err == nil && v.Anonymous() {
				vols.Remove(name) // named ones stay, as Docker keeps them
			}
		}
	}, nil
}

// newContainer fills in a container's record from its image and the flags.
func newContainer(img *Image, opts RunOptions) (*Container, error) {
	args, err := command(img, opts.Args)
	if opts.Entrypoint != nil {
		args, err = append(append([]string{}, opts.Entrypoint...), opts.Args...), nil
		if len(args) == 0 {
			err = fmt.Errorf("no command given: the entrypoint is empty and no command follows it")
		}
	}
	if err != nil {
		return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	caps, err := runtime.Capabilities(opts.CapAdd, opts.CapDrop)
	if err != nil {
		return nil, &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	id := opts.ID
	if id == "" {
		id = NewID()
	}
	c := &Container{ID: id, Name: opts.Name, Image: opts.Image, Created: time.Now().UTC(), image: img}
	c.HostConfig.AutoRemove, c.HostConfig.Resources = opts.Remove, opts.Resources
	c.HostConfig.RestartPolicy = opts.Restart
	c.OpenStdin, c.StdinOnce = opts.Interactive, opts.Interactive && opts.StdinOnce
	c.HostConfig.NetworkMode, c.HostConfig.IPAddress = opts.Network, opts.IP
	c.HostConfig.NetworkAliases = opts.Aliases
	c.HostConfig.PortSpecs, c.HostConfig.PublishAllPorts = opts.Publish, opts.PublishAll
	if img != nil {
		for p := range img.Config.ExposedPorts {
			c.HostConfig.ExposedPorts = append(c.HostConfig.ExposedPorts, p)
		}
	}
	for _, p := range opts.Expose {
		if !slices.Contains(c.HostConfig.ExposedPorts, p) {
			c.HostConfig.ExposedPorts = append(c.HostConfig.ExposedPorts, p)
		}
	}
	sort.Strings(c.HostConfig.ExposedPorts)
	if c.HostConfig.RestartPolicy.Name == "" {
		c.HostConfig.RestartPolicy.Name = PolicyNo
	}
	c.HostConfig.LogConfig = LogConfig{Type: "json-file", Config: map[string]string{}}
	for _, kv := range opts.LogOpts {
		k, v, _ := strings.Cut(kv, "=")
		c.HostConfig.LogConfig.Config[k] = v
	}
	c.Config = runtime.Config{ID: c.ID, Hostname: opts.Hostname, Args: args, Cwd: opts.Cwd, User: opts.User, TTY: opts.TTY,
		Caps: caps, NoNewPrivileges: opts.NoNewPrivileges}
	if c.Config.Hostname == "" {
		c.Config.Hostname = ShortID(c.ID) // Docker's default
	}
	imageEnv := []string{"PATH=" + runtime.DefaultPath}
	if img != nil {
		imageEnv = append(imageEnv, img.Config.Env...)
		c.Config.Cwd = firstOf(c.Config.Cwd, img.Config.WorkingDir, "/")
		c.Config.User = firstOf(c.Config.User, img.Config.User)
		c.ImageID, c.Layers = img.ID, img.Layers
		for _, l := range img.Lowers {
			if !filepath.IsAbs(l) {
				l = filepath.Join(img.LowerBase, l)
			}
			c.Lowers = append(c.Lowers, l)
		}
	}
	c.Config.Env = mergeEnv(imageEnv, c.Config.Hostname, opts.TTY, opts.Env)
	if opts.TTY {
		c.Config.ConsoleRows, c.Config.ConsoleCols = opts.ConsoleSize[0], opts.ConsoleSize[1]
	}
	if img != nil {
		c.StopSignal = img.Config.StopSignal
	}
	c.StopSignal = firstOf(opts.StopSignal, c.StopSignal)
	return c, nil
}

// firstOf returns the first non-empty string.
func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// start starts the prepared container, waits for it, and records the end.
func start(containers *Store, c *Container, opts RunOptions, net *network.Attachment, undo *runtime.Undo) (int, error) {
	// The container's stdio; its output also goes to the json-file log (chapter 06).
	out, err := openOutput(c, opts)
	if err != nil {
		return runtime.ExitEngine, err
	}
	defer out.close()
	// Catch the signals to relay before the command exists: one that
	// arrives while init is starting is held, then passed on.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, proxied...)
	defer signal.Stop(sigs)
	// Chapter 02: init gets the cgroup's files to start the command in it,
	// over the sync socket and only when it asks: placement numbers them.
	c.Config.Cgroup = c.Cgroup.Placement(0)
	// Chapter 01: clone init into new namespaces; it builds the root
	// (chapter 03) and starts the command.
	p, err := runtime.Start(&c.Config, runtime.StartOptions{
		Cloneflags: CloneFlags(net),
		// Chapter 02: the cgroup, while init starts. Chapter 07: eth0,
		// once init's network namespace exists.
		CreateRuntime:   []func(*runtime.Process) error{makeCgroup(c, undo), JoinNetwork(net)},
		JoinNetPid:      net.JoinedPid(),
		OpenCgroupFiles: commandFiles(c),
		Stdin:           out.stdin,
		Stdout:          out.stdout,
		Stderr:          out.stderr,
	})
	if err != nil {
		code := runtime.ExitCode(err, runtime.ExitEngine)
		releaseNetwork(net.Detach)
		finish(containers, c, code, err)
		return code, err
	}
	c.State.Started(p.Pid, time.Now())
	c.State.PidStart, _ = ProcessStartTime(p.Pid)
	saveRunning(containers, c)

	defer relaySignals(sigs, p)()
	waitOutput := func() {}
	if p.Console != nil {
		waitOutput = runtime.AttachConsole(p.Console, os.Stdin, out.console(), opts.Interactive)
	}
	code, err := p.Wait()
	trace.Step("init exited: the container is over (status %d)", code)
	waitOutput()
	releaseNetwork(net.DetachExited) // chapter 07, before the end is recorded
	finish(containers, c, code, nil)
	if c.State.OOMKilled {
		fmt.Fprintln(os.Stderr, "mydocker: "+OOMKilledLine(c.ID, c.HostConfig.Resources.Memory))
	}
	return code, err
}

// relaySignals passes the signals caught for the container on to its init,
// until the returned function is called.
func relaySignals(sigs <-chan os.Signal, p *runtime.Process) (stop func()) {
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				p.Signal(s.(unix.Signal))
			case <-done:
				return
			}
		}
	}()
	return func() { close(done) }
}

// finish records how the container ended, and what it used.
func finish(containers *Store, c *Container, code int, err error) {
	if c.durable != nil {
		<-c.durable // the last save (Create's or saveRunning's) is done: c is ours
	}
	if c.Cgroup != nil {
		usage := c.Cgroup.Stats()
		c.State.Usage, c.State.OOMKilled = &usage, usage.OOMKills > 0
	}
	c.State.Exited(code, c.State.OOMKilled, time.Now())
	c.State.PidStart, c.State.Monitor, c.State.MonitorStart = 0, 0, 0
	if err != nil {
		c.State.Error = err.Error()
	}
	if c.HostConfig.AutoRemove {
		return // removed right after (Run's undo): no fsyncs for a record about to go
	}
	mergeSave(containers, c)
}

// mergeSave writes c, the record as this run knows it, under the
// container's lock, keeping what others may have changed meanwhile (rm -f
// or stop marking it stopped, a rename, a pause): only the fields this run
// changed since its last write are its to write (mergeRecord).
func mergeSave(containers *Store, c *Container) error {
	mine := *c
	_, err := containers.Update(c.ID, func(rec *Container) error {
		if c.written == nil {
			// Not written by this process before: of all of it, only the
			// state is surely the run's.
			rec.State = mine.State
			return nil
		}
		written, err := mergeRecord(rec, c.written, &mine)
		if err == nil {
			c.written = written
		}
		return err
	})
	return err
}

// OOMKilledLine is what a foreground run says of a container the kernel
// OOM-killed, daemonless or as the daemon's client; memory is its -m.
func OOMKilledLine(id string, memory int64) string {
	limit := "the host's memory"
	if memory > 0 {
		limit = fmt.Sprintf("%d MiB (-m)", memory>>20)
	}
	return fmt.Sprintf("container %s was OOM-killed: its memory limit is %s", ShortID(id), limit)
}

// onlineCPUs is the host's online CPU list, "0-1" on a two-core machine.
func onlineCPUs() string {
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return fmt.Sprintf("0-%d", goruntime.NumCPU()-1)
	}
	return strings.TrimSpace(string(data))
}

// containerStdin decides what the container reads: nothing (/dev/null)
// without -i; with -i, mydocker's stdin itself, unless that is a terminal
// and there is no -t: then a pipe fed by mydocker, because a process outside
// the terminal's foreground group that reads it is stopped with SIGTTIN.
func containerStdin(opts RunOptions) (*os.File, func(), error) {
	if !opts.Interactive || opts.TTY {
		return nil, func() {}, nil
	}
	if !runtime.IsTerminal(os.Stdin) {
		return os.Stdin, func() {}, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	go func() {
		io.Copy(w, os.Stdin)
		w.Close()
	}()
	return r, func() { r.Close() }, nil
}

// mergeEnv builds the command's environment: the image's, then Docker's
// HOSTNAME (and TERM with a terminal), then -e flags, later ones winning.
// "-e KEY" without "=" passes mydocker's own value of KEY, as Docker does.
func mergeEnv(image []string, hostname string, tty bool, flags []string) []string {
	var env []string
	index := map[string]int{}
	set := func(kv string) {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			env[i] = kv
			return
		}
		index[k] = len(env)
		env = append(env, kv)
	}
	for _, kv := range image {
		set(kv)
	}
	set("HOSTNAME=" + hostname)
	if tty {
		set("TERM=xterm")
	}
	for _, kv := range flags {
		if !strings.Contains(kv, "=") {
			v, ok := os.LookupEnv(kv)
			if !ok {
				continue
			}
			kv += "=" + v
		}
		set(kv)
	}
	return env
}

// checkEnv rejects -e values Docker rejects.
func checkEnv(flags []string) error {
	for _, kv := range flags {
		if k, _, _ := strings.Cut(kv, "="); k == "" || strings.ContainsAny(k, " \t") {
			return fmt.Errorf("invalid environment variable %q: want -e KEY=VALUE", kv)
		}
	}
	return nil
}

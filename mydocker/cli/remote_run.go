// run, create, logs and exec through the daemon (chapter 09), the way
// docker's client does them: `run` is create (a 404 for the image: pull,
// then create again), attach (a hijacked stream of stdcopy frames), wait
// (its headers answered before the start, so no exit can be missed),
// start; the container's exit code becomes ours. The streams themselves,
// with a terminal or without, are remote_stream.go's.

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/mydocker/mydocker/mydocker/attach"
	"github.com/mydocker/mydocker/mydocker/client"
	"github.com/mydocker/mydocker/mydocker/daemon"
	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/logs"
	"github.com/mydocker/mydocker/mydocker/network"
	"github.com/mydocker/mydocker/mydocker/reference"
	"github.com/mydocker/mydocker/mydocker/runtime"
	"github.com/mydocker/mydocker/mydocker/stdcopy"
	"github.com/mydocker/mydocker/mydocker/volume"
)

// createBody is the part of Docker's ContainerCreate body the command
// line's flags fill in.
type createBody struct {
	Hostname     string              `json:",omitempty"`
	User         string              `json:",omitempty"`
	AttachStdin  bool                `json:",omitempty"`
	AttachStdout bool                `json:",omitempty"`
	AttachStderr bool                `json:",omitempty"`
	ExposedPorts map[string]struct{} `json:",omitempty"`
	OpenStdin    bool                `json:",omitempty"`
	StdinOnce    bool                `json:",omitempty"`
	Env          []string            `json:",omitempty"`
	Cmd          []string            `json:",omitempty"`
	Tty          bool                `json:",omitempty"`
	Image        string
	WorkingDir   string `json:",omitempty"`
	HostConfig   map[string]any
	// NetworkingConfig carries --ip and --network-alias, as docker's
	// client sends them: an EndpointsConfig keyed by the network's name.
	NetworkingConfig *networkingConfig `json:",omitempty"`
}

type networkingConfig struct {
	EndpointsConfig map[string]endpointSettings
}

type endpointSettings struct {
	IPAMConfig *struct{ IPv4Address string } `json:",omitempty"`
	Aliases    []string                      `json:",omitempty"`
}

// newCreateBody turns run's parsed flags into the create body.
func newCreateBody(o engine.RunOptions) (*createBody, error) {
	b := &createBody{Hostname: o.Hostname, User: o.User, Env: o.Env, Cmd: o.Args, Image: o.Image,
		WorkingDir: o.Cwd, Tty: o.TTY, OpenStdin: o.Interactive, StdinOnce: o.StdinOnce, AttachStdin: o.Interactive && !o.Detach,
		AttachStdout: !o.Detach, AttachStderr: !o.Detach}
	r := o.Resources
	hc := map[string]any{"AutoRemove": o.Remove, "CapAdd": o.CapAdd, "CapDrop": o.CapDrop,
		"ReadonlyRootfs": o.ReadOnly, "VolumesFrom": o.VolumesFrom, "PublishAllPorts": o.PublishAll,
		"NetworkMode": o.Network, "Memory": r.Memory, "MemorySwap": r.MemorySwap, "NanoCpus": r.NanoCPUs,
		"CpuShares": r.CPUShares, "CpusetCpus": r.CpusetCpus}
	if r.PidsLimit != 0 {
		hc["PidsLimit"] = r.PidsLimit
	}
	if o.NoNewPrivileges {
		hc["SecurityOpt"] = []string{"no-new-privileges"}
	}
	if o.Restart.Name != "" {
		hc["RestartPolicy"] = map[string]any{"Name": string(o.Restart.Name), "MaximumRetryCount": o.Restart.MaximumRetryCount}
	}
	if len(o.LogOpts) > 0 {
		cfg := map[string]string{}
		for _, kv := range o.LogOpts {
			k, v, _ := strings.Cut(kv, "=")
			cfg[k] = v
		}
		hc["LogConfig"] = map[string]any{"Type": "json-file", "Config": cfg}
	}
	if len(o.Publish) > 0 {
		bindings, exposed, err := portBindings(o.Publish)
		if err != nil {
			return nil, err
		}
		hc["PortBindings"], b.ExposedPorts = bindings, exposed
	}
	binds, mounts, tmpfs := apiMounts(o.Mounts)
	hc["Binds"], hc["Mounts"], hc["Tmpfs"] = binds, mounts, tmpfs
	if o.ConsoleSize[0] > 0 {
		hc["ConsoleSize"] = o.ConsoleSize // API 1.42's [height, width]: sized before the start
	}
	b.HostConfig = hc
	if o.IP != "" || len(o.Aliases) > 0 {
		ep := endpointSettings{Aliases: o.Aliases}
		if o.IP != "" {
			ep.IPAMConfig = &struct{ IPv4Address string }{o.IP}
		}
		b.NetworkingConfig = &networkingConfig{EndpointsConfig: map[string]endpointSettings{firstNonEmpty(o.Network, "default"): ep}}
	}
	return b, nil
}

// portBindings writes -p specs, [IP:][HOST_PORT:]PORT[/PROTO], as
// Docker's PortBindings and ExposedPorts.
func portBindings(specs []string) (map[string][]map[string]string, map[string]struct{}, error) {
	bindings, exposed := map[string][]map[string]string{}, map[string]struct{}{}
	for _, spec := range specs {
		// Checked as daemonless checks it, with the same words.
		b, err := network.ParsePort(spec)
		if err != nil {
			return nil, nil, err
		}
		port, host := fmt.Sprintf("%d/%s", b.ContainerPort, b.Proto), ""
		if b.HostPort != 0 {
			host = strconv.Itoa(b.HostPort)
		}
		bindings[port] = append(bindings[port], map[string]string{"HostIp": b.HostIP, "HostPort": host})
		exposed[port] = struct{}{}
	}
	return bindings, exposed, nil
}

// apiMounts sends -v binds (which may make their source: only Binds do)
// and volumes as Binds, in -v's syntax and order, the rest as Mounts,
// tmpfs mounts as Tmpfs: the daemon keeps that order, which inspect
// shows, as the command line's.
func apiMounts(list []volume.Mount) (binds []string, mounts []map[string]any, tmpfs map[string]string) {
	binds, mounts, tmpfs = []string{}, []map[string]any{}, map[string]string{}
	for _, m := range list {
		switch {
		case m.Type == volume.TypeTmpfs:
			tmpfs[m.Target] = m.Tmpfs
		case m.Type == volume.TypeBind && m.CreateSource,
			m.Type == volume.TypeVolume && (m.Source != "" || !m.ReadOnly && !m.NoCopy): // -v takes no mode for an anonymous one
			// The mode holds what differs from the defaults (rprivate,
			// which parsing filled in).
			var mode []string
			if m.ReadOnly {
				mode = append(mode, "ro")
			}
			if m.Propagation != "" && m.Propagation != "rprivate" {
				mode = append(mode, m.Propagation)
			}
			if m.NoCopy {
				mode = append(mode, "nocopy")
			}
			spec := m.Target
			if m.Source != "" {
				spec = m.Source + ":" + spec
			}
			if len(mode) > 0 {
				spec += ":" + strings.Join(mode, ",")
			}
			binds = append(binds, spec)
		default:
			am := map[string]any{"Type": m.Type, "Source": m.Source, "Target": m.Target, "ReadOnly": m.ReadOnly}
			if m.Propagation != "" {
				am["BindOptions"] = map[string]string{"Propagation": m.Propagation}
			}
			if m.NoCopy {
				am["VolumeOptions"] = map[string]bool{"NoCopy": true}
			}
			mounts = append(mounts, am)
		}
	}
	return binds, mounts, tmpfs
}

// imageRef is the reference run pulls if need be. It is local, never
// pulled, for the host's own root (chapter 01) and for a root filesystem's
// path (chapter 03), which goes absolute into body: the daemon's working
// directory is not ours.
func imageRef(body *createBody) (ref reference.Reference, local bool, err error) {
	if body.Image == engine.HostImage {
		return ref, true, nil
	}
	if engine.LooksLikePath(body.Image) {
		body.Image, err = filepath.Abs(body.Image)
		return ref, true, err
	}
	if ref, err = reference.ParseName(body.Image); err != nil {
		return ref, false, err
	}
	return ref.WithDefaultTag(), false, nil
}

// remoteCreate creates the container, pulling its image first if the
// policy says so or the daemon has none (404), as `docker run` does:
// "Unable to find image" and the pull's progress on stderr.
func remoteCreate(g *Globals, o engine.RunOptions, policy string) (string, error) {
	body, err := newCreateBody(o)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	if o.Name != "" {
		q.Set("name", o.Name)
	}
	ref, local, err := imageRef(body)
	if err != nil {
		return "", &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	q.Set(daemon.LocalImagesQuery, "1") // "host" and paths are ours: asked for
	pull := func() error {
		if local {
			return nil
		}
		if err := remotePull(g, ref, newProgress(g.Stderr).Update); err != nil {
			return &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
		}
		return nil
	}
	switch policy {
	case "always":
		if err := pull(); err != nil {
			return "", err
		}
	case "missing", "never":
	default:
		return "", &usageError{"run", engine.CheckPullPolicy(policy)}
	}
	var created struct {
		ID string `json:"Id"`
	}
	err = g.client.JSON("POST", "/containers/create", q, body, &created)
	if client.IsNotFound(err) && policy == "missing" && strings.Contains(strings.ToLower(err.Error()), "image") {
		fmt.Fprintf(g.Stderr, "Unable to find image '%s' locally\n", ref.Familiar())
		if err := pull(); err != nil {
			return "", err
		}
		err = g.client.JSON("POST", "/containers/create", q, body, &created)
	}
	if client.IsNotFound(err) && strings.HasPrefix(err.Error(), "No such image") {
		// Docker's words for it; daemonless mydocker's say what to do.
		err = engine.ImageNotFound(o.Image)
	}
	if err != nil {
		return "", &runtime.ExitError{Code: runtime.ExitEngine, Err: err}
	}
	return created.ID, nil
}

// remoteRun is run (and create) through the daemon; ao is how a run
// that does not detach attaches.
func remoteRun(g *Globals, name string, o engine.RunOptions, policy string, ao attachOptions) error {
	if name == "run" && o.TTY && o.Interactive && !o.Detach && !runtime.IsTerminal(os.Stdin) {
		return runtime.Exitf(runtime.ExitEngine, "the input device is not a TTY: drop -t, or run from a terminal")
	}
	if err := checkRelayed(name, o); err != nil {
		return err
	}
	id, err := remoteCreate(g, o, policy)
	if err != nil {
		return err
	}
	if name == "create" {
		fmt.Fprintln(g.Stdout, id)
		return nil
	}
	if o.Detach {
		if err := remoteStart(g, id); err != nil {
			return err
		}
		fmt.Fprintln(g.Stdout, id)
		return nil
	}
	cond := "next-exit"
	if o.Remove {
		cond = "removed"
	}
	return remoteAttached(g, id, o.TTY, ao, cond, true)
}

// remoteAttached is docker's sequence for run, start -a and attach: the
// attach first (with start: before the container starts, so that nothing
// it writes is missed), the wait (its headers come back at once: no exit
// can be missed either), the start; then the stream until its end, and
// the container's exit code as ours. A detach returns 0 at once: the
// container runs on. tty is the container's.
func remoteAttached(g *Globals, id string, tty bool, ao attachOptions, cond string, start bool) error {
	so := streamOptions{tty: tty, stdin: ao.stdin, detachKeys: ao.detachKeys}
	q := url.Values{"stream": {"1"}, "stdout": {"1"}, "stderr": {"1"}}
	if so.stdin {
		q.Set("stdin", "1")
	}
	if so.tty {
		detachQuery(q, ao.keySpec)
	}
	stream, err := g.client.Hijack("POST", containerPath(id, "/attach"), q, nil)
	if err != nil {
		return err
	}
	defer stream.Close()
	wait, err := g.client.Do("POST", containerPath(id, "/wait"), url.Values{"condition": {cond}}, nil)
	if err != nil {
		return err
	}
	defer wait.Body.Close()
	rs := relayStream(g, stream, so)
	started := make(chan struct{}) // signals are caught from now, relayed once it is closed
	defer proxySignals(g, id, !so.tty && ao.sigProxy, started)()
	if start {
		if err := remoteStart(g, id); err != nil {
			rs.close()
			return err
		}
	}
	close(started)
	if so.tty {
		rs.watchSize(containerPath(id, "/resize"))
	}
	detached, outErr := rs.wait()
	if detached {
		return nil
	}
	var answer struct {
		StatusCode int
		Error      *struct{ Message string }
	}
	err = json.NewDecoder(wait.Body).Decode(&answer)
	if err != nil {
		return fmt.Errorf("wait for %s: %w", engine.ShortID(id), err)
	}
	if answer.Error != nil && answer.Error.Message != "" {
		return &runtime.ExitError{Code: runtime.ExitEngine, Err: errors.New(answer.Error.Message)}
	}
	if outErr != nil {
		return outErr
	}
	if answer.StatusCode != 0 {
		remoteOOM(g, id, start && cond != "removed")
		return &statusError{answer.StatusCode}
	}
	return nil
}

// remoteOOM says, as a daemonless run does, that the kernel OOM-killed
// the container, if asked (a run's or start -a's end; a --rm one's record
// is gone by now: its end is not told).
func remoteOOM(g *Globals, id string, asked bool) {
	if !asked {
		return
	}
	var c struct {
		State      struct{ OOMKilled bool }
		HostConfig struct{ Memory int64 }
	}
	if g.client.JSON("GET", containerPath(id, "/json"), nil, nil, &c) == nil && c.State.OOMKilled {
		fmt.Fprintln(g.Stderr, "mydocker: "+engine.OOMKilledLine(id, c.HostConfig.Memory))
	}
}

// checkRelayed refuses a directory as the stdio a run relays, as
// daemonless refuses it for the container (there, a host descriptor).
func checkRelayed(name string, o engine.RunOptions) error {
	if name != "run" || o.Detach {
		return nil
	}
	var stdin *os.File
	if o.Interactive {
		stdin = os.Stdin
	}
	return runtime.CheckStdio(stdin, os.Stdout, os.Stderr)
}

// remoteStart starts the container; a failed start's exit code comes from
// the daemon's words, as docker's client reads them: 127 for a command
// not found, 126 for one that cannot be run, 125 otherwise.
func remoteStart(g *Globals, id string) error {
	err := g.client.JSON("POST", containerPath(id, "/start"), nil, nil, nil)
	if err == nil {
		return nil
	}
	msg, code := err.Error(), runtime.ExitEngine
	var refused *client.Error
	if errors.As(err, &refused) && refused.Status != http.StatusBadRequest {
		// Our daemon words only a command that cannot run so, with a
		// 400 (daemon.startError); anything else, a mount's missing
		// file included, is the engine's 125, as daemonless.
		return &runtime.ExitError{Code: code, Err: err}
	}
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
		code = runtime.ExitNotFound
	case strings.Contains(msg, "permission denied"):
		code = runtime.ExitCannotInvoke
	}
	return &runtime.ExitError{Code: code, Err: err}
}

// execRefused is an exec that could not start, which the daemon answers
// with an error when asked (daemon.StartErrorsQuery): said on stderr, as
// daemonless says it, with inspect's exit code (docker's client gets it
// as the stream's text instead, on stdout).
func execRefused(g *Globals, path string, err error) error {
	var refused *client.Error
	var inspect struct{ ExitCode int }
	if errors.As(err, &refused) && g.client.JSON("GET", path+"/json", nil, nil, &inspect) == nil && inspect.ExitCode != 0 {
		return &runtime.ExitError{Code: inspect.ExitCode, Err: err}
	}
	return err
}

// proxySignals relays the signals a user sends us to the container, as
// docker's --sig-proxy does (SIGKILL and SIGSTOP cannot be caught), if
// on: caught from the call, so that one sent as soon as the command's
// first output shows reaches it instead of ending us, and relayed once
// started is closed.
func proxySignals(g *Globals, id string, on bool, started <-chan struct{}) func() {
	if !on {
		return func() {}
	}
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		<-started
		for sig := range ch {
			n := int(sig.(syscall.Signal))
			g.client.JSON("POST", containerPath(id, "/kill"), url.Values{"signal": {strconv.Itoa(n)}}, nil, nil)
		}
	}()
	return func() { signal.Stop(ch); close(ch) }
}

// remoteLogs is logs through the daemon: the container's Tty says whether
// the answer is frames or raw bytes.
func remoteLogs(g *Globals, ref string, opts logs.ReadOptions, timestamps bool) error {
	var c struct{ Config struct{ Tty bool } }
	if err := g.client.JSON("GET", containerPath(ref, "/json"), nil, nil, &c); err != nil {
		return err
	}
	q := url.Values{"stdout": {"1"}, "stderr": {"1"}}
	if opts.Follow {
		q.Set("follow", "1")
	}
	if timestamps {
		q.Set("timestamps", "1")
	}
	if opts.Tail >= 0 {
		q.Set("tail", strconv.Itoa(opts.Tail))
	}
	if !opts.Since.IsZero() {
		q.Set("since", fmt.Sprintf("%d.%09d", opts.Since.Unix(), opts.Since.Nanosecond()))
	}
	resp, err := g.client.Do("GET", containerPath(ref, "/logs"), q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if c.Config.Tty {
		_, err = io.Copy(g.Stdout, resp.Body)
		return err
	}
	return stdcopy.Demux(resp.Body, g.Stdout, g.Stderr)
}

// remoteExec is exec through the daemon: exec create, then start, on a
// hijacked stream unless -d; the exit code is the exec's inspect's. With
// -t the terminal is relayed as run's (remote_stream.go): raw, sized,
// and the detach keys (--detach-keys: the create's DetachKeys) leave the
// process running, held by the daemon.
func remoteExec(g *Globals, ref string, o engine.ExecOptions, interactive, detach bool, keySpec string) error {
	cfg := map[string]any{"AttachStdin": interactive && !detach, "AttachStdout": !detach, "AttachStderr": !detach,
		"Cmd": o.Args, "Env": o.Env, "WorkingDir": o.WorkingDir, "User": o.User, "Tty": o.TTY, "Detach": detach,
		"DetachKeys": keySpec} // the daemon checks them ("": Docker's), and watches for them
	if o.Rows > 0 {
		cfg["ConsoleSize"] = [2]uint16{o.Rows, o.Cols}
	}
	var created struct {
		ID string `json:"Id"`
	}
	if err := g.client.JSON("POST", containerPath(ref, "/exec"), nil, cfg, &created); err != nil {
		return err
	}
	start := map[string]bool{"Detach": detach, "Tty": o.TTY}
	path := "/exec/" + url.PathEscape(created.ID)
	if detach {
		return g.client.JSON("POST", path+"/start", nil, start, nil)
	}
	stream, err := g.client.Hijack("POST", path+"/start", url.Values{daemon.StartErrorsQuery: {"1"}}, start)
	if err != nil {
		return execRefused(g, path, err)
	}
	defer stream.Close()
	// The daemon took them. We watch for them too, as Docker's client does.
	keys, _ := attach.ParseDetachKeys(firstNonEmpty(keySpec, attach.DefaultDetachKeys))
	rs := relayStream(g, stream, streamOptions{tty: o.TTY, stdin: interactive, detachKeys: keys})
	if o.TTY {
		rs.watchSize(path + "/resize")
	}
	detached, err := rs.wait()
	if detached {
		return nil
	}
	if err != nil {
		return err
	}
	var inspect struct{ ExitCode int }
	if err := g.client.JSON("GET", path+"/json", nil, nil, &inspect); err != nil {
		return err
	}
	if inspect.ExitCode != 0 {
		return &statusError{inspect.ExitCode}
	}
	return nil
}

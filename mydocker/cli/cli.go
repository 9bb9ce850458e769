// Package cli is mydocker's command line: global flags, the table of
// commands, and the glue from parsed flags to the engine's packages. It holds
// no container logic of its own; each command file reads like the
// corresponding `docker` command's help page.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/client"
	"github.com/mydocker/mydocker/mydocker/runtime"

	"github.com/mydocker/mydocker/mydocker/network"
	"github.com/mydocker/mydocker/mydocker/trace"
)

// DefaultDataRoot is where mydocker keeps containers, layers and images.
const DefaultDataRoot = "/var/lib/mydocker"

// RootEnv overrides the data root, as --data-root does; tests use it to run
// side by side in temp dirs.
const RootEnv = "MYDOCKER_ROOT"

// Globals are the flags that come before the command.
type Globals struct {
	DataRoot string
	Insecure []string // --insecure-registry
	Stdout   io.Writer
	Stderr   io.Writer
	// Host is the daemon the command line is a client of (-H,
	// MYDOCKER_HOST), "" to run daemonless; client talks to it (remote.go).
	Host   string
	client *client.Client
}

type command struct {
	name    string
	usage   string // arguments after the command name
	summary string
	run     func(g *Globals, args []string) error
	hidden  bool
	// local: the command never goes through the daemon (daemon, doctor);
	// every other one does when there is one (-H, MYDOCKER_HOST).
	local bool
}

// commands is the table `mydocker help` prints, in chapter order. It is
// filled in init because commands' help refers back to it.
var commands []*command

func init() {
	commands = []*command{
		{name: "run", usage: "[OPTIONS] IMAGE [COMMAND] [ARG...]", summary: "Run a command in a new container", run: runCmd},
		{name: "ps", usage: "[OPTIONS]", summary: "List containers", run: psCmd},
		{name: "create", usage: "[OPTIONS] IMAGE [COMMAND] [ARG...]", summary: "Create a new container", run: createCmd},
		{name: "start", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Start one or more stopped containers", run: startCmd},
		{name: "attach", usage: "[OPTIONS] CONTAINER", summary: "Attach local standard input, output, and error streams to a running container", run: attachCmd},
		{name: "stop", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Stop one or more running containers", run: stopCmd},
		{name: "restart", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Restart one or more containers", run: restartCmd},
		{name: "kill", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Kill one or more running containers", run: killCmd},
		{name: "pause", usage: "CONTAINER [CONTAINER...]", summary: "Pause all processes within one or more containers", run: pauseCmd},
		{name: "unpause", usage: "CONTAINER [CONTAINER...]", summary: "Unpause all processes within one or more containers", run: unpauseCmd},
		{name: "wait", usage: "CONTAINER [CONTAINER...]", summary: "Block until one or more containers stop, then print their exit codes", run: waitCmd},
		{name: "logs", usage: "[OPTIONS] CONTAINER", summary: "Fetch the logs of a container", run: logsCmd},
		{name: "exec", usage: "[OPTIONS] CONTAINER COMMAND [ARG...]", summary: "Execute a command in a running container", run: execCmd},
		{name: "top", usage: "CONTAINER [ps OPTIONS]", summary: "Display the running processes of a container", run: topCmd},
		{name: "rename", usage: "CONTAINER NEW_NAME", summary: "Rename a container", run: renameCmd},
		{name: "rm", usage: "[OPTIONS] CONTAINER [CONTAINER...]", summary: "Remove one or more containers", run: rmCmd},
		{name: "inspect", usage: "NAME|ID [NAME|ID...]", summary: "Show low-level information on containers", run: inspectCmd},
		{name: "mkimage", usage: "busybox [NAME]", summary: "Build the built-in default image from the host's static busybox", run: mkimageCmd},
		{name: "import", usage: "FILE|- REPOSITORY[:TAG]", summary: "Import a root filesystem tarball as an image", run: importCmd},
		{name: "images", usage: "[OPTIONS] [REPOSITORY[:TAG]]", summary: "List images", run: imagesCmd},
		{name: "tag", usage: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", summary: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", run: tagCmd},
		{name: "rmi", usage: "[OPTIONS] IMAGE [IMAGE...]", summary: "Remove one or more images", run: rmiCmd},
		{name: "commit", usage: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", summary: "Create a new image from a container's changes", run: commitCmd},
		{name: "diff", usage: "CONTAINER", summary: "Inspect changes to files on a container's filesystem", run: diffCmd},
		{name: "pull", usage: "[OPTIONS] NAME[:TAG|@DIGEST]", summary: "Download an image from a registry", run: pullCmd},
		{name: "push", usage: "NAME[:TAG]", summary: "Upload an image to a registry", run: pushCmd},
		{name: "login", usage: "[OPTIONS] [SERVER]", summary: "Log in to a registry", run: loginCmd},
		{name: "logout", usage: "[SERVER]", summary: "Log out from a registry", run: logoutCmd},
		{name: "save", usage: "[OPTIONS] IMAGE [IMAGE...]", summary: "Save one or more images to a tar archive", run: saveCmd},
		{name: "load", usage: "[OPTIONS]", summary: "Load an image from a tar archive or STDIN", run: loadCmd},
		{name: "volume", usage: "COMMAND", summary: "Manage volumes", run: volumeCmd},
		{name: "stats", usage: "[OPTIONS] [CONTAINER...]", summary: "Display a live stream of containers' resource usage", run: statsCmd},
		{name: "network", usage: "COMMAND", summary: "Manage networks (create, ls, inspect, rm, prune)", run: networkCmd},
		{name: "port", usage: "CONTAINER [PRIVATE_PORT[/PROTO]]", summary: "List port mappings or a specific mapping for the container", run: portCmd},
		{name: "daemon", usage: "[OPTIONS]", summary: "Serve Docker's Engine API for the docker client (chapter 09)", run: daemonCmd, local: true},
		{name: "doctor", usage: "", summary: "Check that this machine can run containers", run: doctorCmd, local: true},
		{name: "version", usage: "", summary: "Show the mydocker version", run: versionCmd},
	}
}

// usageError is a command-line mistake: mydocker prints it with a pointer
// to the command's --help and exits 125, as docker does.
type usageError struct {
	cmd string
	err error
}

func (e *usageError) Error() string {
	return fmt.Sprintf("%v (see 'mydocker %s --help')", e.err, e.cmd)
}

// errHelp ends a command after it printed its --help.
var errHelp = errors.New("help shown")

// Main runs the command line and returns the process's exit code.
func Main(args []string) int {
	g := &Globals{DataRoot: DefaultDataRoot, Stdout: os.Stdout, Stderr: os.Stderr}
	if v := os.Getenv(RootEnv); v != "" {
		g.DataRoot = v
	}
	g.Host = os.Getenv(client.HostEnv)
	if v := os.Getenv("MYDOCKER_INSECURE_REGISTRY"); v != "" {
		g.Insecure = strings.Split(v, ",")
	}
	var trace_, help, version bool
	fs := NewFlagSet("")
	fs.Bool(&trace_, "trace", "", "narrate each kernel step on stderr (also MYDOCKER_TRACE=1)")
	var bridge string
	fs.String(&bridge, "bridge", "b", "none", `"none": containers without --network get no network, as dockerd --bridge=none (also `+network.BridgeEnv+`=none)`)
	fs.String(&g.DataRoot, "data-root", "", "dir", "where containers and images live (also "+RootEnv+"; default "+DefaultDataRoot+")")
	fs.List(&g.Insecure, "insecure-registry", "", "host", "a registry (host[:port] exactly, or a CIDR) that may be reached over plain HTTP or without a trusted certificate; loopback ones always may")
	fs.String(&g.Host, "host", "H", "unix://PATH", "be a client of the daemon at this socket (also "+client.HostEnv+"; default: no daemon, run daemonless)")
	fs.Bool(&help, "help", "h", "show this help")
	fs.Bool(&version, "version", "v", "show the version")
	rest, err := fs.Parse(args)
	if err != nil {
		fmt.Fprintf(g.Stderr, "mydocker: %v (see 'mydocker --help')\n", err)
		return runtime.ExitEngine
	}
	if trace_ {
		trace.Enable()
	}
	if bridge != "" {
		if bridge != "none" {
			fmt.Fprintf(g.Stderr, "mydocker: --bridge %q: only \"none\" is supported (see 'mydocker --help')\n", bridge)
			return runtime.ExitEngine
		}
		os.Setenv(network.BridgeEnv, "none")
	}
	if version {
		rest = []string{"version"}
	}
	if help || len(rest) == 0 {
		printUsage(g.Stdout, fs)
		if help {
			return 0
		}
		return 1
	}
	if rest[0] == "help" {
		printUsage(g.Stdout, fs)
		return 0
	}
	cmd := findCommand(rest[0])
	if cmd == nil {
		fmt.Fprintf(g.Stderr, "mydocker: %q is not a mydocker command (see 'mydocker --help')\n", rest[0])
		return 1
	}
	if g.Host != "" && !cmd.local {
		if g.client, err = client.New(g.Host); err != nil {
			fmt.Fprintf(g.Stderr, "mydocker: %v\n", err)
			return runtime.ExitEngine
		}
		defer g.client.Close()
	}
	err = cmd.run(g, rest[1:])
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case isUsageError(err):
		fmt.Fprintf(g.Stderr, "mydocker: %v\n", err)
		return runtime.ExitEngine
	}
	var st *statusError
	if errors.As(err, &st) {
		return st.code // the container's own exit code: nothing to print
	}
	msg := oneLine(err)
	if g.client != nil {
		msg = daemonlessWords(msg)
	}
	fmt.Fprintf(g.Stderr, "mydocker: %s\n", msg)
	def := 1
	if cmd.name == "run" || cmd.name == "create" || errors.Is(err, archive.ErrLimit) {
		// A layer over a limit is the engine refusing, as Docker's 125.
		def = runtime.ExitEngine
	}
	return runtime.ExitCode(err, def)
}

// statusError carries a container's exit code out of a command that
// succeeded as far as mydocker is concerned.
type statusError struct{ code int }

func (e *statusError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func isUsageError(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

// oneLine keeps an error on one line, as users and scripts expect.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func printUsage(w io.Writer, fs *FlagSet) {
	fmt.Fprintf(w, "Usage:  mydocker [OPTIONS] COMMAND\n\nA container engine you build yourself, one chapter at a time.\n\nOptions:\n")
	fs.PrintDefaults(w)
	fmt.Fprintf(w, "\nCommands:\n")
	for _, c := range commands {
		if !c.hidden {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintf(w, "\nRun 'mydocker COMMAND --help' for more information on a command.\n")
}

// parse parses a command's flags, handling --help and usage errors. min and
// max bound the number of arguments left (max < 0: no bound).
func parse(g *Globals, fs *FlagSet, args []string, min, max int) ([]string, error) {
	var help bool
	fs.Bool(&help, "help", "", "show this help")
	cmd := findCommand(fs.cmd)
	rest, err := fs.Parse(args)
	if err != nil {
		return nil, &usageError{fs.cmd, err}
	}
	if help {
		fmt.Fprintf(g.Stdout, "Usage:  mydocker %s %s\n\n%s\n\nOptions:\n", cmd.name, cmd.usage, cmd.summary)
		fs.PrintDefaults(g.Stdout)
		return nil, errHelp
	}
	if len(rest) < min {
		return nil, &usageError{fs.cmd, fmt.Errorf("%q requires at least %d argument(s): mydocker %s %s", fs.cmd, min, cmd.name, cmd.usage)}
	}
	if max >= 0 && len(rest) > max {
		return nil, &usageError{fs.cmd, fmt.Errorf("%q accepts at most %d argument(s): mydocker %s %s", fs.cmd, max, cmd.name, cmd.usage)}
	}
	return rest, nil
}

// Version is set at build time by the Makefile.
var Version = "dev"

func versionCmd(g *Globals, args []string) error {
	if _, err := parse(g, NewFlagSet("version"), args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "mydocker version %s\n", Version)
	if g.client != nil {
		return remoteVersion(g)
	}
	return nil
}

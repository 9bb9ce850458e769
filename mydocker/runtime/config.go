// Config is the contract between the two halves of a container's start:
// mydocker (on the host) fills it in from the command line, and sends it over
// the sync socket to the container's init, which carries it out inside the
// new namespaces. It is plain data, JSON on the wire, so a reader can print it.

package runtime

import (
	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/rootfs"
)

// Config is everything init needs to set up the container and start the command.
type Config struct {
	ID       string   `json:"id"`
	Hostname string   `json:"hostname"`
	Args     []string `json:"args"`           // the command and its arguments
	Env      []string `json:"env"`            // KEY=VALUE, the command's whole environment
	Cwd      string   `json:"cwd,omitempty"`  // working directory inside the container
	User     string   `json:"user,omitempty"` // uid[:gid] or name[:group], as in `docker run -u`
	// Rootfs is the container's root filesystem (chapter 03). Nil runs the
	// command on the host's filesystem (chapter 01's "host" image).
	Rootfs *rootfs.Spec `json:"rootfs,omitempty"`
	TTY    bool         `json:"tty,omitempty"` // give the command a pseudo-terminal
	// Caps are the capabilities the command keeps (names without CAP_).
	Caps []string `json:"caps"`
	// NoNewPrivileges sets no_new_privs for the command (--security-opt
	// no-new-privileges): setuid bits and file capabilities grant nothing.
	NoNewPrivileges bool `json:"noNewPrivileges,omitempty"`
	// ConsoleRows and ConsoleCols size the terminal before the command starts.
	ConsoleRows uint16 `json:"consoleRows,omitempty"`
	ConsoleCols uint16 `json:"consoleCols,omitempty"`
	// Cgroup says how init starts the command inside the container's
	// cgroup (chapter 02); nil for no cgroup.
	Cgroup *cgroups.Placement `json:"cgroup,omitempty"`
}

// DefaultPath is the PATH a container gets when its image sets none; it is
// Docker's.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// mydocker daemon: serve Docker's Engine API (chapter 09).

package cli

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mydocker/mydocker/mydocker/daemon"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

func daemonCmd(g *Globals, args []string) error {
	var hosts []string
	var pidfile string
	fs := NewFlagSet("daemon")
	fs.List(&hosts, "host", "H", "unix://PATH", "where to listen (default unix://"+daemon.DefaultSocket+"); fd:// takes the sockets systemd passes")
	fs.String(&pidfile, "pidfile", "p", "path", "write the daemon's PID to this file (removed when it stops), as dockerd's --pidfile")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	if len(hosts) == 0 {
		hosts = []string{"unix://" + daemon.DefaultSocket}
	}
	if len(hosts) > 1 {
		return &usageError{"daemon", fmt.Errorf("-H: one address only")}
	}
	path, ok := strings.CutPrefix(hosts[0], "unix://")
	if hosts[0] != "fd://" && (!ok || path == "") {
		return &usageError{"daemon", fmt.Errorf("-H %q: only unix://PATH (or fd:// under systemd) is served", hosts[0])}
	}
	// The daemon forks the processes of `docker exec`, which are copies
	// of it until their execve: it runs from a copy of mydocker nobody can
	// write (CVE-2019-5736), as `mydocker exec` does. (systemd's sockets
	// and LISTEN_PID survive the execve: same process, same descriptors.)
	if err := runtime.ReexecSealed(); err != nil {
		return err
	}
	var ls []net.Listener
	where := hosts[0]
	if where == "fd://" {
		// systemd's sockets (daemon_systemd.go): they are systemd's to
		// remove, not ours.
		l, err := systemdListeners()
		if err != nil {
			return err
		}
		ls = l
	} else {
		l, err := daemon.Listen(path)
		if err != nil {
			return err
		}
		defer os.Remove(path)
		ls = []net.Listener{l}
	}
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
			for _, l := range ls {
				l.Close()
			}
			return err
		}
		defer os.Remove(pidfile)
	}
	return serve(g, ls, where)
}

// serve serves the API on every listener until SIGTERM or SIGINT, which
// stop the listening. The containers go on under their monitors.
func serve(g *Globals, ls []net.Listener, where string) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		for _, l := range ls {
			l.Close()
		}
	}()
	fmt.Fprintf(g.Stderr, "mydocker daemon: API %s on %s, data root %s\n", daemon.APIVersion, where, g.DataRoot)
	srv := daemon.New(g.DataRoot)
	srv.Insecure = g.Insecure
	// Containers whose restart policy says they run, and whose monitor is
	// gone (a reboot), start again before the first request is served.
	if err := srv.Restore(g.Stderr); err != nil {
		fmt.Fprintf(g.Stderr, "mydocker daemon: restore: %v\n", err)
	}
	errs := make(chan error, len(ls))
	for _, l := range ls {
		go func() { errs <- srv.Serve(l) }()
	}
	var first error
	for range ls {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

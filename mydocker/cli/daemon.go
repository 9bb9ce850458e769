// mydocker daemon: serve Docker's Engine API (chapter 09).

package cli

import (
	"fmt"
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
	fs.List(&hosts, "host", "H", "unix://PATH", "where to listen (default unix://"+daemon.DefaultSocket+")")
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
	if !ok || path == "" {
		return &usageError{"daemon", fmt.Errorf("-H %q: only unix://PATH is served", hosts[0])}
	}
	// The daemon forks the processes of `docker exec`, which are copies
	// of it until their execve: it runs from a copy of mydocker nobody can
	// write (CVE-2019-5736), as `mydocker exec` does.
	if err := runtime.ReexecSealed(); err != nil {
		return err
	}
	l, err := daemon.Listen(path)
	if err != nil {
		return err
	}
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
			l.Close()
			return err
		}
		defer os.Remove(pidfile)
	}
	// SIGTERM or SIGINT: stop listening and remove the socket. The
	// containers go on under their monitors.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		l.Close()
	}()
	fmt.Fprintf(g.Stderr, "mydocker daemon: API %s on unix://%s, data root %s\n", daemon.APIVersion, path, g.DataRoot)
	srv := daemon.New(g.DataRoot)
	// Containers whose restart policy says they run, and whose monitor is
	// gone (a reboot), start again before the first request is served.
	if err := srv.Restore(g.Stderr); err != nil {
		fmt.Fprintf(g.Stderr, "mydocker daemon: restore: %v\n", err)
	}
	err = srv.Serve(l)
	os.Remove(path)
	return err
}

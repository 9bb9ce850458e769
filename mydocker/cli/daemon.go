// mydocker daemon: serve Docker's Engine API (chapter 09).

package cli

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mydocker/mydocker/mydocker/daemon"
)

func daemonCmd(g *Globals, args []string) error {
	var hosts []string
	fs := NewFlagSet("daemon")
	fs.List(&hosts, "host", "H", "unix://PATH", "where to listen (default unix://"+daemon.DefaultSocket+")")
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
	l, err := daemon.Listen(path)
	if err != nil {
		return err
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
	err = daemon.New(g.DataRoot).Serve(l)
	os.Remove(path)
	return err
}

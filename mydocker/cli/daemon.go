// mydocker daemon: serve Docker's Engine API (chapter 09).

package cli

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/mydocker/mydocker/mydocker/daemon"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

func daemonCmd(g *Globals, args []string) error {
	var hosts []string
	var pidfile string
	var tlsOn, verify bool
	var files daemon.TLSFiles
	certDir := os.Getenv("DOCKER_CERT_PATH")
	if certDir == "" {
		home, _ := os.UserHomeDir()
		certDir = filepath.Join(home, ".docker")
	}
	fs := NewFlagSet("daemon")
	fs.List(&hosts, "host", "H", "unix://PATH", "where to listen, repeatable (default unix://"+daemon.DefaultSocket+"); tcp://HOST:PORT needs --tlsverify; fd:// takes the sockets systemd passes")
	fs.String(&pidfile, "pidfile", "p", "path", "write the daemon's PID to this file (removed when it stops), as dockerd's --pidfile")
	fs.Bool(&tlsOn, "tls", "", "serve tcp:// hosts over TLS (implied by --tlsverify); --tls=false allows plain TCP, for anyone who reaches the port")
	fs.Bool(&verify, "tlsverify", "", "serve tcp:// hosts over TLS and require a client certificate signed by --tlscacert")
	files.CA, files.Cert, files.Key = filepath.Join(certDir, "ca.pem"), filepath.Join(certDir, "cert.pem"), filepath.Join(certDir, "key.pem")
	fs.String(&files.CA, "tlscacert", "", "path", "trust client certificates signed by this CA only (default ~/.docker/ca.pem)")
	fs.String(&files.Cert, "tlscert", "", "path", "the daemon's TLS certificate (default ~/.docker/cert.pem)")
	fs.String(&files.Key, "tlskey", "", "path", "the daemon's TLS key (default ~/.docker/key.pem)")
	if _, err := parse(g, fs, args, 0, 0); err != nil {
		return err
	}
	if len(hosts) == 0 {
		hosts = []string{"unix://" + daemon.DefaultSocket}
	}
	// --tlsverify implies --tls; --tls=false or --tlsverify=false said out
	// loud is the only way to plain TCP (dockerd 27 refuses it otherwise).
	tlsOn = tlsOn || verify
	plainAsked := (fs.Changed("tls") && !tlsOn) || (fs.Changed("tlsverify") && !verify)
	for _, h := range hosts {
		if err := checkHost(h, tlsOn, plainAsked); err != nil {
			return &usageError{"daemon", err}
		}
	}
	var tlsConfig *tls.Config
	if tlsOn {
		c, err := daemon.ServerTLS(files, verify)
		if err != nil {
			return err
		}
		tlsConfig = c
	}
	// The daemon forks the processes of `docker exec`, which are copies
	// of it until their execve: it runs from a copy of mydocker nobody can
	// write (CVE-2019-5736), as `mydocker exec` does. (systemd's sockets
	// and LISTEN_PID survive the execve: same process, same descriptors.)
	if err := runtime.ReexecSealed(); err != nil {
		return err
	}
	ls, err := listen(g, hosts, tlsConfig, verify)
	if err != nil {
		return err
	}
	defer func() {
		for _, h := range hosts {
			if path, ok := strings.CutPrefix(h, "unix://"); ok {
				os.Remove(path)
			}
		}
	}()
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
			for _, l := range ls {
				l.Close()
			}
			return err
		}
		defer os.Remove(pidfile)
	}
	return serve(g, ls, strings.Join(hosts, ", "))
}

// checkHost refuses an address the daemon does not serve, and plain TCP
// that nobody asked for out loud.
func checkHost(h string, tlsOn, plainAsked bool) error {
	if h == "fd://" {
		return nil
	}
	if path, ok := strings.CutPrefix(h, "unix://"); ok && path != "" {
		return nil
	}
	addr, ok := strings.CutPrefix(h, "tcp://")
	if !ok || addr == "" {
		return fmt.Errorf("-H %q: only unix://PATH, tcp://HOST:PORT (or fd:// under systemd) are served", h)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("-H %q: want tcp://HOST:PORT (2376 is Docker's TLS port)", h)
	}
	if !tlsOn && !plainAsked {
		return fmt.Errorf("-H %s without TLS is root on this machine for anyone who reaches the port: give --tlsverify --tlscacert CA --tlscert CERT --tlskey KEY, or --tls=false to accept that", h)
	}
	return nil
}

// listen opens every -H address, or closes those it opened and fails
// (closing a unix listener removes its socket file).
func listen(g *Globals, hosts []string, tlsConfig *tls.Config, verify bool) ([]net.Listener, error) {
	var ls []net.Listener
	fail := func(err error) ([]net.Listener, error) {
		for _, l := range ls {
			l.Close()
		}
		return nil, err
	}
	for _, h := range hosts {
		switch {
		case h == "fd://":
			// systemd's sockets (daemon.SystemdListeners): they are systemd's
			// to remove, not ours.
			l, err := daemon.SystemdListeners()
			if err != nil {
				return fail(err)
			}
			ls = append(ls, l...)
		case strings.HasPrefix(h, "tcp://"):
			if !verify {
				// dockerd's warnings, word for word: anyone who reaches
				// the port can run a container with / mounted in it.
				fmt.Fprintf(g.Stderr, "WARNING: Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network. host=%q\n", h)
				fmt.Fprintf(g.Stderr, "WARNING: Binding to an IP address, even on localhost, can also give access to scripts run in a browser. Be safe out there! host=%q\n", h)
			}
			l, err := daemon.ListenTCP(strings.TrimPrefix(h, "tcp://"), tlsConfig)
			if err != nil {
				return fail(err)
			}
			ls = append(ls, l)
		default:
			l, err := daemon.Listen(strings.TrimPrefix(h, "unix://"))
			if err != nil {
				return fail(err)
			}
			ls = append(ls, l)
		}
	}
	return ls, nil
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

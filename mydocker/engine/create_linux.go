// Create is the first half of `mydocker run -d` (and `mydocker create`): it
// records the container and prepares its root's directories, and starts
// nothing. The monitor (mydocker/monitor) does the rest, in a process of its
// own that outlives the command line. Whatever happens to the caller after
// Create returns, the container exists, whole: the record names everything
// made for it, so `mydocker rm` can undo it even if no process ever ran.

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Create records a new container and prepares its filesystem.
func Create(dataRoot string, opts RunOptions) (c *Container, err error) {
	if err := checkOptions(dataRoot, opts); err != nil {
		return nil, err
	}
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return nil, err
	}
	c, err = create(dataRoot, containers, opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			undoCreate(dataRoot, containers, c)
		}
	}()
	// The record exists from here on. No monitor is alive while the
	// container is only created, so a plain `rm` may remove it.
	c.State.Monitor, c.State.MonitorStart = 0, 0
	c.LogPath = filepath.Join(containers.Dir(c.ID), c.ID+"-json.log")
	// Located, not made: the monitor makes the group at each start, and
	// removes it at each end.
	// Its network is attached by the monitor at each start, which then
	// writes /etc/hosts and /etc/resolv.conf (RefreshNetworkFiles).
	if err := prepareRoot(containers, c, unattached{}); err != nil {
		return nil, err
	}
	// Create's fsyncs ran meanwhile: the record is on disk before it is
	// saved again.
	if err := <-c.durable; err != nil {
		return nil, fmt.Errorf("record container: %w", err)
	}
	c.durable = nil
	return c, containers.Save(c)
}

// undoCreate undoes a Create that failed once the record existed: nothing
// half-made, so the record goes, then the anonymous volumes made for it
// (named ones stay, as Docker keeps them).
func undoCreate(dataRoot string, containers *Store, c *Container) error {
	return errors.Join(Remove(containers, c.ID), RemoveAnonymousVolumes(dataRoot, containers, c))
}

// unattached is the network of a container that is only created: until the
// monitor attaches it, /etc/hosts names only localhost.
type unattached struct{}

func (unattached) Hosts() string {
	return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
}
func (unattached) ResolvConf() string { return "" }

// RefreshNetworkFiles rewrites a container's /etc/hosts and
// /etc/resolv.conf for the network it has just been attached to: the
// monitor attaches a detached container anew at each start (chapter 07).
func (s *Store) RefreshNetworkFiles(c *Container, net netFiles) error {
	if c.Config.Rootfs == nil {
		return nil // the "host" image: no root of its own
	}
	for _, f := range []struct{ name, content string }{{"hosts", net.Hosts()}, {"resolv.conf", net.ResolvConf()}} {
		if err := os.WriteFile(filepath.Join(s.Dir(c.ID), f.name), []byte(f.content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

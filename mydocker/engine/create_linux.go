// Create is the first half of `mydocker run -d` (and `mydocker create`): it
// records the container and prepares its root's directories, and starts
// nothing. The monitor (mydocker/monitor) does the rest, in a process of its
// own that outlives the command line. Whatever happens to the caller after
// Create returns, the container exists, whole: the record names everything
// made for it, so `mydocker rm` can undo it even if no process ever ran.
//
// It is two steps, Record and Prepare, so that run -d can set the monitor
// to work in between: the monitor makes the cgroup and starts init while
// the root's directories are made.

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Create records a new container and prepares its filesystem (Record, then
// Prepare).
func Create(dataRoot string, opts RunOptions) (*Container, error) {
	c, err := Record(dataRoot, opts)
	if err != nil {
		return nil, err
	}
	if err := Prepare(dataRoot, c); err != nil {
		UndoCreate(dataRoot, c)
		return nil, err
	}
	if opts.Monitor == 0 {
		// `mydocker create`: no monitor is alive while the container is
		// only created, so a plain `rm` may remove it. A change of state,
		// saved as states are (Store.saveState): if it is lost, the record
		// names a creator that is gone, which says the same.
		_, err = containersOf(dataRoot).Update(c.ID, func(c *Container) error {
			c.State.Monitor, c.State.MonitorStart = 0, 0
			return nil
		})
	}
	return c, err
}

// Record checks the flags, resolves the image and writes the container's
// record, once and whole (Store.Create): it names the root's directories
// and the log before they exist, and, for run -d, the monitor that was
// started first (opts.Monitor). Its fsyncs run on while Prepare works.
func Record(dataRoot string, opts RunOptions) (*Container, error) {
	if err := checkOptions(dataRoot, opts); err != nil {
		return nil, err
	}
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return nil, err
	}
	opts.Detach = true // the container will run under a monitor
	return create(dataRoot, containers, opts)
}

// Prepare makes the directories and files of a recorded container's root,
// and returns once they and the record are on disk. Its network is
// attached by the monitor at each start, which then writes /etc/hosts and
// /etc/resolv.conf (RefreshNetworkFiles); its cgroup is located, not made:
// the monitor makes the group at each start, and removes it at each end.
func Prepare(dataRoot string, c *Container) error {
	if err := prepareRoot(containersOf(dataRoot), c, unattached{}); err != nil {
		return err
	}
	// Record's fsyncs ran meanwhile.
	err := <-c.durable
	c.durable = nil
	if err != nil {
		return fmt.Errorf("record container: %w", err)
	}
	return nil
}

// UndoCreate undoes a Create that failed once the record existed: nothing
// half-made, so the record goes, then the anonymous volumes made for it
// (named ones stay, as Docker keeps them). No monitor may be at work on it.
func UndoCreate(dataRoot string, c *Container) error {
	containers := containersOf(dataRoot)
	return errors.Join(Remove(containers, c.ID), RemoveAnonymousVolumes(dataRoot, containers, c))
}

// containersOf is the container store of a data root that OpenStore has
// made already.
func containersOf(dataRoot string) *Store {
	return &Store{dir: filepath.Join(dataRoot, "containers")}
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

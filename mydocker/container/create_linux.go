// Create is the first half of `mydocker run -d` (and `mydocker create`): it
// records the container and prepares its root's directories, and starts
// nothing. The monitor (mydocker/monitor) does the rest, in a process of its
// own that outlives the command line. Whatever happens to the caller after
// Create returns, the container exists, whole: the record names everything
// made for it, so `mydocker rm` can undo it even if no process ever ran.

package container

import (
	"path/filepath"

	"github.com/mydocker/mydocker/mydocker/image/local"
)

// Create records a new container and prepares its filesystem.
func Create(dataRoot string, opts RunOptions) (c *Container, err error) {
	if err := checkOptions(dataRoot, opts); err != nil {
		return nil, err
	}
	store, err := OpenStore(dataRoot)
	if err != nil {
		return nil, err
	}
	images, err := local.Open(dataRoot)
	if err != nil {
		return nil, err
	}
	c, err = create(dataRoot, store, images, opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			Remove(store, c.ID)
		}
	}()
	// The record exists from here on, and names its would-be monitor: us,
	// until the monitor takes it over. No monitor is alive while the
	// container is only created, so a plain `rm` may remove it.
	c.State.Monitor, c.State.MonitorStart = 0, 0
	c.LogPath = filepath.Join(store.Dir(c.ID), c.ID+"-json.log")
	if c.image != nil {
		// Located, not made: the group is made at each start, and
		// removed at each end, by the monitor.
		if c.Config.Rootfs, err = prepareFS(store.Dir(c.ID), c.image, c.Config.Hostname, c.Cgroup); err != nil {
			return nil, err
		}
	}
	return c, store.Save(c)
}

// Create is the first half of `mydocker run -d` (and `mydocker create`): it
// records the container and prepares its root's directories, and starts
// nothing. The monitor (mydocker/monitor) does the rest, in a process of its
// own that outlives the command line. Whatever happens to the caller after
// Create returns, the container exists, whole: the record names everything
// made for it, so `mydocker rm` can undo it even if no process ever ran.

package engine

import (
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
			Remove(containers, c.ID)
		}
	}()
	// The record exists from here on. No monitor is alive while the
	// container is only created, so a plain `rm` may remove it.
	c.State.Monitor, c.State.MonitorStart = 0, 0
	c.LogPath = filepath.Join(containers.Dir(c.ID), c.ID+"-json.log")
	// Located, not made: the monitor makes the group at each start, and
	// removes it at each end.
	if err := prepareRoot(containers, c); err != nil {
		return nil, err
	}
	return c, containers.Save(c)
}

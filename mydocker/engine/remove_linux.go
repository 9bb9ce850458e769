// Removing containers, as `docker rm` does: a container whose `mydocker run`
// has recorded the end (or died) is removed with what it left (its cgroup,
// its directory); one still starting or running is refused in Docker's
// words, unless forced: then it is killed, and its `mydocker run` undoes
// its own setup before the record goes. Layers only it used are collected.

package engine

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// RemoveContainers removes each container refs names (rm [-f] [-v] REF...),
// with volumes its anonymous volumes (chapter 08), calling removed for each
// one gone, then collects the layers nothing uses any more. The errors of
// all refs are joined.
func RemoveContainers(dataRoot string, refs []string, force, volumes bool, removed func(ref string)) error {
	containers, err := OpenStore(dataRoot)
	if err != nil {
		return err
	}
	var errs []error
	n := 0
	for _, ref := range refs {
		c, err := removeContainer(containers, ref, force)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if volumes {
			if err := RemoveAnonymousVolumes(dataRoot, containers, c); err != nil {
				errs = append(errs, err)
			}
		}
		n++
		removed(ref)
	}
	// A container run from a root filesystem tarball was the only user of
	// its layer. (Only after a removal: a refused rm must not wait for the
	// data root's lock, which a starting container holds.)
	if n > 0 {
		if err := CollectLayers(dataRoot); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeContainer removes one container, killing it first if forced.
func removeContainer(containers *Store, ref string, force bool) (*Container, error) {
	c, err := containers.Get(ref)
	if err != nil {
		return nil, err
	}
	if c.MonitorAlive() {
		if !force {
			state := "running"
			if c.State.Status == "created" {
				state = "starting" // its mydocker run is setting it up
			}
			return nil, fmt.Errorf("cannot remove container %q: container is %s: stop the container before removing or force remove", "/"+c.Name, state)
		}
		if err := killAndWait(containers, c); err != nil {
			return nil, err
		}
	}
	return c, Remove(containers, c.ID)
}

// killAndWait ends a container and waits for its `mydocker run` to record
// the end. Killing init ends the PID namespace; the `mydocker run` then
// undoes its setup. One still starting has no init yet: wait until it has.
func killAndWait(containers *Store, c *Container) error {
	wait := func(done func(*Container) bool, what string) (*Container, error) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			now, err := containers.Get(c.ID)
			if err != nil || !now.MonitorAlive() || done(now) {
				return now, nil
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("container %s did not %s within 10s", ShortID(c.ID), what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	now, err := wait(func(c *Container) bool { return c.State.Pid > 0 }, "start")
	if err != nil || now == nil || !now.MonitorAlive() {
		return err
	}
	// Pid > 0 always here: kill(0) would signal our own process group.
	unix.Kill(now.State.Pid, unix.SIGKILL)
	_, err = wait(func(*Container) bool { return false }, "stop")
	return err
}

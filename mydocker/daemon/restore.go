// What the daemon does when it starts, before it serves: containers whose
// restart policy says they must run, and whose monitor is gone, are
// started again. A daemon killed (kill -9) and started again finds its
// running containers running still, under their monitors, and adopts them
// by reading their records: nothing to do for those. After a reboot (every
// process gone, monitors and containers alike) the records say "running"
// under a monitor that is no more, which the store reads as exited (255);
// those with --restart always, or unless-stopped and not stopped by a
// user, start again, as Docker's daemon starts them at boot.

package daemon

import (
	"fmt"
	"io"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/monitor"
)

// Restore starts the containers the restart policy says must run, and
// tells w about each; a failure to start one is told, not fatal.
func (s *Server) Restore(w io.Writer) error {
	containers, err := engine.OpenStore(s.DataRoot)
	if err != nil {
		return err
	}
	list, err := containers.List()
	if err != nil {
		return err
	}
	for _, c := range list {
		p := c.HostConfig.RestartPolicy
		if c.MonitorAlive() || !(p.Name == engine.PolicyAlways || (p.Name == engine.PolicyUnlessStopped && !c.ManuallyStopped)) {
			continue
		}
		if _, err := monitor.Spawn(s.DataRoot, c.ID); err != nil {
			fmt.Fprintf(w, "mydocker daemon: restart container %s (--restart %s): %v\n", engine.ShortID(c.ID), p.Name, err)
			continue
		}
		fmt.Fprintf(w, "mydocker daemon: restarted container %s (--restart %s)\n", engine.ShortID(c.ID), p.Name)
	}
	return nil
}

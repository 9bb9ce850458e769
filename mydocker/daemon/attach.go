// POST /containers/{id}/attach: the connection is hijacked (hijack in
// streams.go) and carries the container's output, as frames when it has
// no terminal. `docker run` attaches before it starts the container, so
// that it misses nothing the command writes.
//
// Here the output comes from the container's json-file log, followed from
// the moment of attach: the log file is opened (made, if the monitor has
// not made it yet) before the answer goes, so a command that writes and
// ends at once, and is removed (--rm), is read all the same. Input (-i)
// and resizing need the monitor's attach socket; until then stdin is read
// and dropped.

package daemon

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/engine"
	"github.com/mydocker/mydocker/mydocker/logs"
)

func (s *Server) attachContainer(w http.ResponseWriter, r *http.Request) error {
	containers, c, err := s.lookup(r)
	if err != nil {
		return err
	}
	if c.LogPath == "" {
		return badRequest("container %s has no log to attach to: it was run in the foreground", c.Name)
	}
	stdout, stderr := boolValue(r, "stdout"), boolValue(r, "stderr")
	// Made as the monitor makes it (it appends): from here on every write
	// of the container reaches this descriptor, whatever happens to the name.
	log, err := os.OpenFile(c.LogPath, os.O_RDONLY|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	defer log.Close()
	if !boolValue(r, "logs") {
		log.Seek(0, io.SeekEnd)
	}
	since := time.Now()
	in, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return os.NewSyscallError("inotify_init1", err)
	}
	defer unix.Close(in)
	unix.InotifyAddWatch(in, filepath.Dir(c.LogPath), unix.IN_MODIFY|unix.IN_MOVED_TO|unix.IN_DELETE_SELF)

	conn, _, err := hijack(w, r)
	if err != nil {
		return nil // the client is gone
	}
	defer conn.Close()
	// The client's side: its stdin, dropped. Its end (EOF) is no sign
	// that the client left: docker closes its half of the connection
	// when it has no more to send, and reads on. A client gone is seen
	// at the next write.
	go io.Copy(io.Discard, conn)
	out := &frameWriter{w: conn, raw: c.Config.TTY}
	done := func() bool {
		now, err := containers.Load(c.ID)
		if err != nil {
			return true // removed (--rm)
		}
		return !now.MonitorAlive() && (now.State.FinishedAt.After(since) || c.MonitorAlive())
	}
	err = followLog(log, in, done, func(e logs.Entry) error {
		switch {
		case e.Stream == "stderr" && stderr:
			return out.write(streamStderr, []byte(e.Log))
		case e.Stream != "stderr" && stdout:
			return out.write(streamStdout, []byte(e.Log))
		}
		return nil
	})
	closeWrite(conn)
	return nil
}

// followLog reads json-file entries from f as they are written, until done
// says the writer has finished (then the rest is read), or emit fails.
// inotify (in) wakes it when the log's directory changes.
func followLog(f *os.File, in int, done func() bool, emit func(logs.Entry) error) error {
	r := bufio.NewReaderSize(f, 64<<10)
	var partial []byte
	for {
		finished := done() // asked first: what is read next is all there is
		for {
			line, err := r.ReadBytes('\n')
			partial = append(partial, line...)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			var e logs.Entry
			if json.Unmarshal(partial, &e) == nil {
				if err := emit(e); err != nil {
					return err
				}
			}
			partial = partial[:0]
		}
		if finished {
			return nil
		}
		fds := []unix.PollFd{{Fd: int32(in), Events: unix.POLLIN}}
		unix.Poll(fds, 50)
		var buf [4096]byte
		unix.Read(in, buf[:])
	}
}

// resizeConsole sets the size of a container's terminal. The terminal is
// its monitor's; without the monitor's attach socket there is no way to
// reach it, and the size stays as it was.
func resizeConsole(dataRoot string, c *engine.Container, rows, cols uint16) error {
	return nil
}

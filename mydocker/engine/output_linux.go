// The stdio of a foreground run: its stdin (containerStdin), and its
// output (chapter 06): the command writes into
// pipes, and mydocker copies each to its own stdout or stderr and to the
// container's json-file log, as Docker's daemon does for `docker run`, so
// that `mydocker logs NAME` shows it afterwards. With -t the terminal's
// master side is the one stream, copied the same way (console).

package engine

import (
	"io"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/logs"
	"github.com/mydocker/mydocker/mydocker/runtime"
)

// output is a foreground run's output: the pipes' write ends for init,
// and the copiers that empty their read ends.
type output struct {
	stdin          *os.File // containerStdin's
	stopStdin      func()
	log            *logs.Writer
	stdout, stderr *os.File // write ends, init's once started
	reads          []*os.File
	streams        []io.WriteCloser
	copiers        sync.WaitGroup
}

// openOutput opens the container's log and the two pipes, and starts
// copying: each copier ends when every writer of its pipe is gone, that is
// when the container is (the PID namespace ends with init).
func openOutput(c *Container, run RunOptions) (*output, error) {
	if err := runtime.CheckStdio(nil, os.Stdout, os.Stderr); err != nil {
		return nil, err
	}
	opts, err := c.HostConfig.LogConfig.Options()
	if err != nil {
		return nil, err
	}
	stdin, stopStdin, err := containerStdin(run)
	if err != nil {
		return nil, err
	}
	log, err := logs.Create(c.LogPath, opts)
	if err != nil {
		stopStdin()
		return nil, err
	}
	o := &output{stdin: stdin, stopStdin: stopStdin, log: log}
	var outs []stream
	for _, s := range []struct {
		name string
		to   io.Writer
		w    **os.File
	}{{"stdout", callerFile{os.Stdout}, &o.stdout}, {"stderr", callerFile{os.Stderr}, &o.stderr}} {
		r, w, err := os.Pipe()
		if err != nil {
			o.close()
			return nil, err
		}
		*s.w = w
		o.reads = append(o.reads, r)
		log := o.log.Stream(s.name)
		o.streams = append(o.streams, log)
		outs = append(outs, stream{r: r, to: io.MultiWriter(s.to, log)})
	}
	o.copiers.Add(1)
	go func() {
		defer o.copiers.Done()
		copyInOrder(outs)
	}()
	return o, nil
}

// stream is one of the container's output pipes and where it goes.
type stream struct {
	r  *os.File
	to io.Writer
}

// copyInOrder empties the pipes into the caller's files and the log, one
// goroutine for both, so that what the command wrote to stdout and then to
// stderr reaches a terminal in that order (two copiers would race): when
// both have data, stdout's goes first, as it was most likely written
// first. It returns when every writer of both pipes is gone (the PID
// namespace ends with init). Should a write fail (the caller's reader
// gone: `mydocker run … | head`), that pipe is closed: the container's
// next write to it fails as it would into any closed pipe (SIGPIPE to a
// shell command), rather than fill it and hang.
func copyInOrder(outs []stream) {
	buf := make([]byte, 32<<10)
	fds := make([]unix.PollFd, len(outs))
	for i, s := range outs {
		fds[i] = unix.PollFd{Fd: int32(s.r.Fd()), Events: unix.POLLIN} // Fd: blocking from here on
	}
	for open := len(outs); open > 0; {
		if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
			return
		}
		for i := range fds {
			if fds[i].Fd < 0 || fds[i].Revents == 0 {
				continue
			}
			n, err := unix.Read(int(fds[i].Fd), buf)
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			if n > 0 {
				if _, werr := outs[i].to.Write(buf[:n]); werr == nil {
					continue
				}
			}
			// The end of the stream, or nobody to write it to.
			outs[i].r.Close()
			fds[i].Fd = -1
			open--
		}
	}
}

// console is where a terminal's output goes: ours and the log's stdout.
func (o *output) console() io.Writer {
	stream := o.log.Stream("stdout")
	o.streams = append(o.streams, stream)
	return io.MultiWriter(callerFile{os.Stdout}, stream)
}

// close waits for the copiers to empty the pipes, once our copies of the
// write ends are closed (init's went with the container, or never were),
// then closes the log, with a last line that had no newline.
func (o *output) close() {
	for _, f := range []*os.File{o.stdout, o.stderr} {
		if f != nil {
			f.Close()
		}
	}
	o.copiers.Wait()
	for _, r := range o.reads {
		r.Close()
	}
	for _, s := range o.streams {
		s.Close()
	}
	o.log.Close()
	o.stopStdin()
}

// callerFile writes to mydocker's own stdout or stderr with write(2)
// itself. os.Stdout's Write makes Go end the program with SIGPIPE when the
// reader is gone (`mydocker --trace run … 2>&1 | head`: init's narration
// comes through here), and a run killed midway leaves its record and
// cgroups behind; a raw write gets EPIPE instead, which copy answers.
type callerFile struct{ f *os.File }

func (c callerFile) Write(p []byte) (int, error) {
	rc, err := c.f.SyscallConn()
	if err != nil {
		return 0, err
	}
	written := 0
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		for written < len(p) {
			n, e := syscall.Write(int(fd), p[written:])
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				return false // the poller waits until it may write again
			case e != nil:
				werr = e
				return true
			}
			written += n
		}
		return true
	})
	if werr == nil {
		werr = err
	}
	return written, werr
}

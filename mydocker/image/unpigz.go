// Decompressing a layer on the hot path of a pull. Go's compress/flate
// inflates Debian minbase's 89 MB blob in about 1.4 s of one CPU; zlib, in
// the unpigz program, in about 0.8 s, and in a process of its own, beside
// the goroutines that download, hash and write files. Docker does the same:
// moby's pkg/archive pipes a gzip layer through `unpigz -d -c` when unpigz
// is on the PATH, and falls back to Go's gzip when it is not. Decompress
// follows it; MYDOCKER_DISABLE_PIGZ=1 turns it off as MOBY_DISABLE_PIGZ does.
//
// unpigz only ever sees the blob's bytes on its stdin and writes the tar to
// a pipe: it opens no path of the layer. Its exit status is checked at the
// end of the stream, so a corrupt blob is an error whichever way it was
// inflated.

package image

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// Decompress turns a layer blob into its tar, by media type, without
// verifying the tar (the caller hashes it against the DiffID). Gzip goes
// through unpigz when it is on the PATH. The caller must Close the reader:
// that also ends unpigz.
func Decompress(r io.ReadCloser, mediaType string) (io.ReadCloser, error) {
	switch mediaType {
	case MediaTypeOCILayerGzip, MediaTypeDockerLayer, MediaTypeDockerForeign:
		if path, ok := unpigzPath(); ok {
			return unpigz(path, r)
		}
	}
	return Uncompress(r, mediaType, "")
}

// unpigzPath finds unpigz on the PATH, unless MYDOCKER_DISABLE_PIGZ is set.
func unpigzPath() (string, bool) {
	if v := os.Getenv("MYDOCKER_DISABLE_PIGZ"); v != "" && v != "0" {
		return "", false
	}
	path, err := exec.LookPath("unpigz")
	return path, err == nil
}

// unpigzReader reads unpigz's stdout; a goroutine feeds its stdin from src.
// Close may come while another goroutine reads (readAhead's does).
type unpigzReader struct {
	cmd     *exec.Cmd
	out     *os.File // read end of unpigz's stdout
	src     io.ReadCloser
	stderr  bytes.Buffer
	fed     chan struct{} // closed when the feeder is done...
	fedErr  error         // ...with src's error, if any
	err     error         // the reader's: sticky, EOF or the stream's error
	waiter  sync.Once     // unpigz is waited for once, by finish or Close
	waitErr error
	closer  sync.Once
}

func unpigz(path string, src io.ReadCloser) (io.ReadCloser, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		src.Close()
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		src.Close()
		return nil, err
	}
	// A 1 MiB pipe (the default is 64 KiB) lets unpigz write, and us read,
	// in large pieces: fewer context switches between the two.
	unix.FcntlInt(outW.Fd(), unix.F_SETPIPE_SZ, 1<<20)
	u := &unpigzReader{out: outR, src: src, fed: make(chan struct{})}
	u.cmd = exec.Command(path, "-d", "-c")
	u.cmd.Stdin, u.cmd.Stdout, u.cmd.Stderr = inR, outW, &limitedBuffer{b: &u.stderr, max: 4096}
	trace.Step("decompress with %s -d -c (on the PATH, as Docker does; Go's gzip without it)", path)
	err = u.cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		src.Close()
		return nil, fmt.Errorf("start unpigz: %w", err)
	}
	go func() {
		// Large reads and writes: each read of the download runs its
		// digest and its write into the blob store, and each write here
		// wakes unpigz; 32 KiB at a time made them a tenth of a pull.
		_, err := io.CopyBuffer(struct{ io.Writer }{inW}, src, make([]byte, 1<<20))
		inW.Close() // unpigz sees the end of the blob (or of what came)
		u.fedErr = err
		close(u.fed)
	}()
	return u, nil
}

func (u *unpigzReader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	n, err := u.out.Read(p)
	if err == io.EOF {
		err = u.finish()
	} else if err != nil {
		err = fmt.Errorf("read from unpigz: %w", err)
	}
	if err != nil {
		u.err = err
	}
	return n, err
}

// finish runs at the end of unpigz's output: it is a clean end only if the
// whole blob was read from src and unpigz exited 0. The source's error
// comes first: a digest mismatch of the blob explains unpigz's complaint.
func (u *unpigzReader) finish() error {
	werr := u.wait()
	<-u.fed
	ferr := u.fedErr
	switch {
	case ferr != nil && !errors.Is(ferr, unix.EPIPE):
		return ferr
	case werr != nil:
		msg := strings.TrimSpace(u.stderr.String())
		return fmt.Errorf("gunzip layer: unpigz: %v: %s", werr, msg)
	case ferr != nil:
		// unpigz stopped reading and exited 0: it found the end of the gzip
		// stream before the end of the blob. Go's gzip refuses such junk.
		return errors.New("gunzip layer: data after the end of the gzip stream")
	}
	return io.EOF
}

// wait reaps unpigz, once, whoever asks first.
func (u *unpigzReader) wait() error {
	u.waiter.Do(func() { u.waitErr = u.cmd.Wait() })
	return u.waitErr
}

// Close ends unpigz, whether or not the stream was read to its end, and
// closes the source.
func (u *unpigzReader) Close() error {
	var err error
	u.closer.Do(func() {
		u.cmd.Process.Kill() // ErrProcessDone if it has ended: the pidfd knows
		u.wait()
		u.out.Close()
		err = u.src.Close() // stops the feeder if it waits on the source
		<-u.fed
	})
	return err
}

// limitedBuffer keeps the first max bytes written to it: unpigz's error
// message, and not a flood of them.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		if len(p) > room {
			l.b.Write(p[:room])
		} else {
			l.b.Write(p)
		}
	}
	return len(p), nil
}

// Package logs keeps a container's output in Docker's json-file format, so
// that `mydocker logs` can show it long after the command line that started
// the container is gone. The monitor (mydocker/monitor) owns the Writer: it
// reads the container's stdout and stderr pipes (or the terminal's master
// side) and writes each line as one JSON object per line of the file:
//
//	{"log":"hello\n","stream":"stdout","time":"2026-11-30T05:40:00.123456789Z"}
//
// A line longer than 16 KiB is cut into 16 KiB pieces, as Docker's copier
// cuts it; only the last piece ends in "\n". With a size limit
// (--log-opt max-size) the file is rotated as Docker rotates it: <id>-json.log
// becomes <id>-json.log.1, .1 becomes .2, up to max-file files in all.
// The reader (reader.go) is `logs [-f] [--tail N] [--since] [-t]`.
package logs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// MaxLine is where Docker's log copier cuts a line that has no end yet.
const MaxLine = 16 * 1024

// Options are the json-file driver's --log-opt settings.
type Options struct {
	MaxSize int64 // bytes; 0 for no limit (Docker's -1)
	MaxFile int   // files kept, the current one included; at least 1
}

// ErrBadOption is wrapped by every --log-opt error.
var ErrBadOption = errors.New("invalid log option")

// ParseOptions reads --log-opt KEY=VALUE flags. size parses max-size
// (Docker takes binary units: 10m is 10 MiB).
func ParseOptions(flags []string, size func(string) (int64, error)) (Options, error) {
	o := Options{MaxFile: 1}
	maxFileSet := false
	for _, kv := range flags {
		k, v, ok := bytes.Cut([]byte(kv), []byte("="))
		if !ok {
			return o, fmt.Errorf("%w %q: want --log-opt KEY=VALUE", ErrBadOption, kv)
		}
		switch string(k) {
		case "max-size":
			n, err := size(string(v))
			if err != nil || n <= 0 {
				return o, fmt.Errorf("%w max-size=%s: want a size such as 10m", ErrBadOption, v)
			}
			o.MaxSize = n
		case "max-file":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 {
				return o, fmt.Errorf("%w max-file=%s: max-file cannot be less than 1", ErrBadOption, v)
			}
			o.MaxFile, maxFileSet = n, true
		default:
			return o, fmt.Errorf("unknown log opt '%s' for json-file log driver", k)
		}
	}
	if maxFileSet && o.MaxFile > 1 && o.MaxSize == 0 {
		return o, fmt.Errorf("%w: max-file can only be set together with max-size", ErrBadOption)
	}
	return o, nil
}

// Entry is one line of the log file.
type Entry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// Writer appends entries to a json-file log, rotating it by size. It is
// safe for the two streams' copiers to use at once.
type Writer struct {
	path string
	opts Options
	now  func() time.Time

	mu   sync.Mutex
	f    *os.File
	size int64
}

// Create opens (appending to) the log file at path.
func Create(path string, opts Options) (*Writer, error) {
	if opts.MaxFile < 1 {
		opts.MaxFile = 1
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Writer{path: path, opts: opts, now: time.Now, f: f, size: st.Size()}, nil
}

// Path is the current log file.
func (w *Writer) Path() string { return w.path }

// Close closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}

// WriteEntry writes one entry as one line, rotating first if the file has
// reached max-size (so a file is at most one entry over, as Docker's).
func (w *Writer) WriteEntry(stream string, msg []byte, t time.Time) error {
	line, err := json.Marshal(Entry{Log: string(msg), Stream: stream, Time: t.UTC()})
	if err != nil {
		return err
	}
	line = append(line, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.opts.MaxSize > 0 && w.size >= w.opts.MaxSize {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	n, err := w.f.Write(line)
	w.size += int64(n)
	return err
}

// rotate shifts the files up by one (.1 to .2, ..., the current one to .1)
// and starts an empty current file; with max-file=1 it only truncates.
// A reader following the log holds the old file open and reads it to its
// end before it moves to the new one.
func (w *Writer) rotate() error {
	if w.opts.MaxFile == 1 {
		if err := w.f.Truncate(0); err != nil {
			return err
		}
		w.size = 0
		return nil
	}
	for i := w.opts.MaxFile - 1; i > 1; i-- {
		from, to := w.path+"."+strconv.Itoa(i-1), w.path+"."+strconv.Itoa(i)
		if err := os.Rename(from, to); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("rotate log: %w", err)
		}
	}
	if err := os.Rename(w.path, w.path+".1"); err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	w.f.Close()
	w.f, w.size = f, 0
	return nil
}

// Stream returns a writer for one stream ("stdout" or "stderr") that cuts
// what is written into lines, as Docker's copier does. Close it at the end
// of the stream to write a last line that had no newline.
func (w *Writer) Stream(name string) io.WriteCloser {
	return &streamWriter{w: w, name: name}
}

type streamWriter struct {
	w    *Writer
	name string
	buf  []byte
}

func (s *streamWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		// Take up to the end of the line, or up to MaxLine in all.
		chunk := p[:min(len(p), MaxLine-len(s.buf))]
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			chunk = chunk[:i+1]
		}
		s.buf = append(s.buf, chunk...)
		p = p[len(chunk):]
		if len(s.buf) == MaxLine || s.buf[len(s.buf)-1] == '\n' {
			if err := s.flush(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

func (s *streamWriter) flush() error {
	err := s.w.WriteEntry(s.name, s.buf, s.w.now())
	s.buf = s.buf[:0]
	return err
}

// Close writes what is left of an unfinished last line.
func (s *streamWriter) Close() error {
	if len(s.buf) == 0 {
		return nil
	}
	return s.flush()
}

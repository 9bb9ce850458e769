// Reading a json-file log back: `mydocker logs [-f] [--tail N] [--since] [-t]`.
// The rotated files are read oldest first (<id>-json.log.2, .1, then the
// current one). --tail N reads the files backwards from their ends, so a
// large log's last lines cost no more than a small log's. -f then waits on
// inotify for the monitor to write more, and when the monitor rotates, it
// reads the renamed file to its end before it moves on to the new one.

package logs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ReadOptions are `logs`'s flags.
type ReadOptions struct {
	Tail   int       // the last N entries; < 0 for all
	Since  time.Time // entries from this time on; zero for all
	Follow bool      // keep reading as more is written
	// Done is asked, while following, whether the writer has finished (the
	// container stopped); then the rest is read and Read returns. Nil
	// follows until emit fails.
	Done func() bool
}

// Read calls emit with each entry of the log at path, in order.
func Read(path string, opts ReadOptions, emit func(Entry) error) error {
	files := rotated(path)
	start, err := tailStart(files, opts.Tail)
	if err != nil {
		return err
	}
	var cur *os.File
	for i := start.file; i < len(files); i++ {
		f, err := os.Open(files[i])
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && i < len(files)-1 {
				continue // rotated away meanwhile
			}
			return err
		}
		if i == start.file {
			f.Seek(start.offset, io.SeekStart)
		}
		if i < len(files)-1 || !opts.Follow {
			err = readAll(f, opts.Since, emit)
			f.Close()
			if err != nil {
				return err
			}
			continue
		}
		cur = f
	}
	if cur == nil {
		return nil
	}
	return follow(path, cur, opts, emit)
}

// rotated lists the log's files, oldest first: <path>.N ... <path>.1, <path>.
// It lists the directory rather than probing .1, .2, ... in turn, which
// would stop early at the gap a rotation in progress leaves for a moment.
func rotated(path string) []string {
	dir, base := filepath.Split(path)
	entries, _ := os.ReadDir(filepath.Clean(dir))
	var nums []int
	for _, e := range entries {
		if suffix, ok := strings.CutPrefix(e.Name(), base+"."); ok {
			if n, err := strconv.Atoi(suffix); err == nil && n > 0 {
				nums = append(nums, n)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(nums)))
	var out []string
	for _, n := range nums {
		out = append(out, path+"."+strconv.Itoa(n))
	}
	return append(out, path)
}

// readAll emits every whole line of f from where it stands.
func readAll(f *os.File, since time.Time, emit func(Entry) error) error {
	r := bufio.NewReaderSize(f, 64*1024)
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: a piece is at most 16 KiB
			// of text, but JSON escaping can make it six times longer.
			rest, err2 := r.ReadBytes('\n')
			line, err = append(append([]byte(nil), line...), rest...), err2
		}
		if len(line) > 0 && line[len(line)-1] == '\n' {
			if err := decode(line, since, emit); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func decode(line []byte, since time.Time, emit func(Entry) error) error {
	var e Entry
	if err := json.Unmarshal(line, &e); err != nil {
		return fmt.Errorf("read log: a line is not a json-file entry: %w", err)
	}
	if !since.IsZero() && e.Time.Before(since) {
		return nil
	}
	return emit(e)
}

// position is where --tail's first entry is: which file, what offset.
type position struct {
	file   int
	offset int64
}

// tailStart finds where the last n entries begin, reading backwards.
func tailStart(files []string, n int) (position, error) {
	if n < 0 {
		return position{}, nil
	}
	for i := len(files) - 1; i >= 0; i-- {
		off, found, err := lastLines(files[i], n)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return position{}, err
		}
		n -= found
		if n <= 0 || i == 0 {
			return position{i, off}, nil
		}
	}
	return position{}, nil
}

// lastLines returns the offset where the last n lines of the file begin
// (0 if it has fewer) and how many lines it found.
func lastLines(path string, n int) (int64, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	end := st.Size()
	if n == 0 {
		return end, 0, nil
	}
	buf := make([]byte, 32*1024)
	found := 0
	for pos := end; pos > 0; {
		size := min(int64(len(buf)), pos)
		pos -= size
		if _, err := f.ReadAt(buf[:size], pos); err != nil && err != io.EOF {
			return 0, 0, err
		}
		chunk := buf[:size]
		for {
			i := bytes.LastIndexByte(chunk, '\n')
			if i < 0 {
				break
			}
			// The file's last newline ends the last line; each earlier
			// one is where a later line starts.
			if pos+int64(i) != end-1 {
				found++
				if found == n {
					return pos + int64(i) + 1, found, nil
				}
			}
			chunk = chunk[:i]
		}
	}
	if end > 0 {
		found++ // the first line has no newline before it
	}
	return 0, found, nil
}

// follow reads f, the current file, to its end and then waits for more.
// Nothing can be lost at a rotation: the writer renames the file f reads
// (f keeps reading it) before it creates the new one at path.
func follow(path string, f *os.File, opts ReadOptions, emit func(Entry) error) error {
	in, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return os.NewSyscallError("inotify_init1", err)
	}
	defer unix.Close(in)
	defer func() { f.Close() }()
	// The directory, not the file: a watch on the file would stay with
	// the renamed one, and miss the new file's creation.
	dir := filepath.Dir(path)
	if _, err := unix.InotifyAddWatch(in, dir, unix.IN_MODIFY|unix.IN_CREATE|unix.IN_MOVED_TO); err != nil {
		return &os.PathError{Op: "inotify_add_watch", Path: dir, Err: err}
	}
	r := bufio.NewReaderSize(f, 64*1024)
	var partial []byte
	// lines reads every whole line there is, and keeps a half-written one.
	lines := func() error {
		for {
			line, err := r.ReadBytes('\n')
			partial = append(partial, line...)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := decode(partial, opts.Since, emit); err != nil {
				return err
			}
			partial = partial[:0]
		}
	}
	for {
		// Asked before reading: if the writer had finished by then, what
		// is read next is all there is.
		finished := opts.Done != nil && opts.Done()
		if err := lines(); err != nil {
			return err
		}
		next, err := nextFile(path, f)
		if err != nil {
			return err
		}
		if next != nil {
			// Rotated: the old file may have had a last write between
			// our reading its end and its rename. Nothing more can
			// reach it now: read it to its end, then move on.
			if err := lines(); err != nil {
				next.Close()
				return err
			}
			f.Close()
			f, partial = next, partial[:0]
			r.Reset(f)
			continue
		}
		if finished {
			return nil
		}
		fds := []unix.PollFd{{Fd: int32(in), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 100); err != nil && !errors.Is(err, unix.EINTR) {
			return os.NewSyscallError("poll", err)
		}
		drainInotify(in)
	}
}

// nextFile returns the file that follows f once the writer has rotated
// (nil if f is still the current one). That is the one after f's new name
// in the list, not necessarily the current file: the writer may have
// rotated twice while the reader slept. If f is gone altogether (max-file
// reached), the oldest file left is the next.
func nextFile(path string, f *os.File) (*os.File, error) {
	for attempt := 0; attempt < 100; attempt++ {
		var st unix.Stat_t
		if err := unix.Fstat(int(f.Fd()), &st); err != nil {
			return nil, os.NewSyscallError("fstat", err)
		}
		files := rotated(path)
		next := -1
		for i, p := range files {
			var o unix.Stat_t
			if unix.Stat(p, &o) == nil && o.Ino == st.Ino && o.Dev == st.Dev {
				if i == len(files)-1 {
					return nil, nil
				}
				next = i + 1
				break
			}
		}
		if next < 0 {
			if st.Nlink > 0 {
				// Not deleted, only not seen: a rename was under way
				// while the directory was listed. Look again.
				time.Sleep(time.Millisecond)
				continue
			}
			next = 0 // deleted (max-file): the oldest file left is next
		}
		var want unix.Stat_t
		if unix.Stat(files[next], &want) != nil {
			return nil, nil // between rename and create: next time
		}
		g, err := os.Open(files[next])
		if err != nil {
			continue
		}
		var got unix.Stat_t
		// The names shift under a rotation: keep the file only if it is
		// still the one that was at that name when we looked.
		if unix.Fstat(int(g.Fd()), &got) == nil && got.Ino == want.Ino {
			return g, nil
		}
		g.Close()
	}
	return nil, nil
}

func drainInotify(fd int) {
	var buf [4096]byte
	for {
		if n, err := unix.Read(fd, buf[:]); n <= 0 || err != nil {
			return
		}
	}
}

// ParseSince reads --since as Docker does: an RFC 3339 time ("2026-11-30",
// "2026-11-30T05:00:00Z"), a Unix timestamp ("1764478800.5"), or a
// duration before now ("10m", "1h30m").
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)), nil
	}
	return time.Time{}, fmt.Errorf("invalid value for \"since\": %q: want a time (2026-11-30T05:00:00Z), a Unix timestamp or a duration (10m)", s)
}

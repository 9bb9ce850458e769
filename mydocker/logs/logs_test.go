package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 30, 5, 40, 0, 123456789, time.UTC)

// newWriter makes a writer whose clock ticks a microsecond per entry.
func newWriter(t testing.TB, opts Options) *Writer {
	w, err := Create(filepath.Join(t.TempDir(), "c-json.log"), opts)
	require.NoError(t, err)
	tick := t0
	var mu sync.Mutex
	w.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick = tick.Add(time.Microsecond)
		return tick
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func ExampleWriter_Stream() {
	dir, _ := os.MkdirTemp("", "logs")
	defer os.RemoveAll(dir)
	w, _ := Create(filepath.Join(dir, "c-json.log"), Options{})
	w.now = func() time.Time { return t0 }
	out, errs := w.Stream("stdout"), w.Stream("stderr")
	fmt.Fprint(out, "hello\nwor")
	fmt.Fprint(errs, "<oops>\n")
	fmt.Fprint(out, "ld\nno newline")
	out.Close()
	w.Close()
	data, _ := os.ReadFile(w.Path())
	fmt.Print(string(data))
	// Output:
	// {"log":"hello\n","stream":"stdout","time":"2026-11-30T05:40:00.123456789Z"}
	// {"log":"\u003coops\u003e\n","stream":"stderr","time":"2026-11-30T05:40:00.123456789Z"}
	// {"log":"world\n","stream":"stdout","time":"2026-11-30T05:40:00.123456789Z"}
	// {"log":"no newline","stream":"stdout","time":"2026-11-30T05:40:00.123456789Z"}
}

// readAllEntries reads the whole log.
func readAllEntries(t *testing.T, path string, opts ReadOptions) []Entry {
	var got []Entry
	require.NoError(t, Read(path, opts, func(e Entry) error { got = append(got, e); return nil }))
	return got
}

func TestLongLineCutAt16K(t *testing.T) {
	w := newWriter(t, Options{})
	s := w.Stream("stdout")
	line := strings.Repeat("x", 2*MaxLine+100) + "\n"
	// Written in odd-sized pieces, as a pipe delivers them.
	for p := line; len(p) > 0; {
		n := min(len(p), 5000)
		s.Write([]byte(p[:n]))
		p = p[n:]
	}
	got := readAllEntries(t, w.Path(), ReadOptions{Tail: -1})
	var sizes []int
	for _, e := range got {
		sizes = append(sizes, len(e.Log))
	}
	if fmt.Sprint(sizes) != fmt.Sprint([]int{MaxLine, MaxLine, 101}) || !strings.HasSuffix(got[2].Log, "\n") {
		t.Errorf("a %d-byte line was logged as pieces of %v, want [16384 16384 101] with only the last ending in \\n", len(line), sizes)
	}
}

func TestRotation(t *testing.T) {
	w := newWriter(t, Options{MaxSize: 1000, MaxFile: 3})
	s := w.Stream("stdout")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(s, "line %d\n", i)
	}
	for _, name := range []string{"c-json.log", "c-json.log.1", "c-json.log.2"} {
		st, err := os.Stat(filepath.Join(filepath.Dir(w.Path()), name))
		require.NoError(t, err)
		if st.Size() > 1000+100 {
			t.Errorf("%s is %d bytes, want at most max-size and one entry", name, st.Size())
		}
	}
	if _, err := os.Stat(w.Path() + ".3"); err == nil {
		t.Errorf("%s.3 exists with max-file=3", w.Path())
	}
	got := readAllEntries(t, w.Path(), ReadOptions{Tail: -1})
	require.NotEmpty(t, got)
	if last := got[len(got)-1].Log; last != "line 99\n" {
		t.Errorf("last entry = %q, want line 99", last)
	}
	first, _ := strconv.Atoi(strings.Fields(got[0].Log)[1])
	for i, e := range got {
		if want := fmt.Sprintf("line %d\n", first+i); e.Log != want {
			t.Fatalf("entry %d = %q, want %q: the files must read as one log, oldest first", i, e.Log, want)
		}
	}
}

func TestMaxFileOneTruncates(t *testing.T) {
	w := newWriter(t, Options{MaxSize: 500, MaxFile: 1})
	s := w.Stream("stdout")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(s, "line %d\n", i)
	}
	st, err := os.Stat(w.Path())
	require.NoError(t, err)
	if _, err := os.Stat(w.Path() + ".1"); err == nil || st.Size() > 600 {
		t.Errorf("max-file=1: size %d, .1 exists: %v; want one file, truncated", st.Size(), err == nil)
	}
}

func TestTailAndSince(t *testing.T) {
	w := newWriter(t, Options{MaxSize: 700, MaxFile: 5})
	s := w.Stream("stdout")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(s, "line %d\n", i)
	}
	tests := []struct {
		opts  ReadOptions
		first string
		n     int
	}{
		{ReadOptions{Tail: 3}, "line 57\n", 3},
		{ReadOptions{Tail: 25}, "line 35\n", 25}, // across files
		{ReadOptions{Tail: 0}, "", 0},
		{ReadOptions{Tail: 1000}, "", -1}, // all there is
		{ReadOptions{Tail: -1, Since: t0.Add(51 * time.Microsecond)}, "line 50\n", 10},
	}
	all := readAllEntries(t, w.Path(), ReadOptions{Tail: -1})
	for _, tt := range tests {
		got := readAllEntries(t, w.Path(), tt.opts)
		if tt.n < 0 {
			tt.n, tt.first = len(all), all[0].Log
		}
		if len(got) != tt.n || tt.n > 0 && (got[0].Log != tt.first || got[len(got)-1].Log != "line 59\n") {
			t.Errorf("Read(%+v) gave %d entries %v, want %d from %q to the last", tt.opts, len(got), got, tt.n, tt.first)
		}
	}
}

// TestFollowAcrossRotation follows a log while it is written and rotated
// fast, with a reader slower than the writer: every line must arrive once,
// in order.
func TestFollowAcrossRotation(t *testing.T) {
	w := newWriter(t, Options{MaxSize: 2000, MaxFile: 1000})
	s := w.Stream("stderr")
	const n = 3000
	var done sync.WaitGroup
	done.Add(1)
	finished := make(chan struct{})
	go func() {
		defer done.Done()
		for i := 0; i < n; i++ {
			fmt.Fprintf(s, "line %d\n", i)
			if i%500 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		close(finished)
	}()
	next := 0
	err := Read(w.Path(), ReadOptions{Tail: -1, Follow: true, Done: func() bool {
		select {
		case <-finished:
			return true
		default:
		}
		return false
	}}, func(e Entry) error {
		if want := fmt.Sprintf("line %d\n", next); e.Log != want || e.Stream != "stderr" {
			return fmt.Errorf("followed entry %q (%s), want %q", e.Log, e.Stream, want)
		}
		next++
		return nil
	})
	done.Wait()
	require.NoError(t, err)
	if next != n {
		t.Errorf("followed %d lines, want %d", next, n)
	}
}

func TestParseOptions(t *testing.T) {
	size := func(s string) (int64, error) { return strconv.ParseInt(strings.TrimSuffix(s, "k"), 10, 64) }
	tests := []struct {
		flags []string
		want  Options
		err   string
	}{
		{nil, Options{MaxFile: 1}, ""},
		{[]string{"max-size=10", "max-file=3"}, Options{MaxSize: 10, MaxFile: 3}, ""},
		{[]string{"max-file=3"}, Options{}, "max-file can only be set together with max-size"},
		{[]string{"max-file=0"}, Options{}, "cannot be less than 1"},
		{[]string{"max-size=x"}, Options{}, "max-size=x"},
		{[]string{"colour=red"}, Options{}, "unknown log opt 'colour'"},
	}
	for _, tt := range tests {
		got, err := ParseOptions(tt.flags, size)
		if tt.err == "" && (err != nil || got != tt.want) || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("ParseOptions(%q) = %+v, %v; want %+v, %q", tt.flags, got, err, tt.want, tt.err)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"10m", now.Add(-10 * time.Minute)},
		{"2026-11-30T05:00:00Z", time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)},
		{"1764478800", time.Unix(1764478800, 0)},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseSince("yesterday", now); err == nil {
		t.Errorf("ParseSince(%q) = nil error, want one", "yesterday")
	}
}

// BenchmarkLogs is `mydocker logs` on a small log (100 lines): the issue's
// goal is 5 ms for the whole command, so the read must be well under it.
func BenchmarkLogs(b *testing.B) {
	w := newWriter(b, Options{})
	s := w.Stream("stdout")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(s, "line %d of a small log\n", i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Read(w.Path(), ReadOptions{Tail: -1}, func(Entry) error { return nil })
	}
}

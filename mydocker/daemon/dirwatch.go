// One inotify instance for the whole daemon, shared by every `wait`.
//
// A container's record changes by a rename into its directory, so a wait
// sleeps until inotify says that directory changed. Each inotify instance
// counts against fs.inotify.max_user_instances (128 by default, for all of
// root's processes on the host), and every attached `docker run` holds a
// wait: one instance per wait would let 128 clients starve the host's
// other inotify users (systemd, udev). So the daemon opens one instance,
// adds one watch per directory someone waits on, fans each wake-up out to
// that directory's waiters, and removes the watch when its last waiter
// goes. Waiters still look every 100 ms, so a failed inotify only makes
// them slower, never stuck.

package daemon

import (
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dirWatch is the daemon's inotify instance and who waits on what.
type dirWatch struct {
	mu      sync.Mutex
	file    *os.File // nil when inotify could not be had
	fd      int      // file's descriptor (file.Fd would make it blocking)
	byDir   map[string]*watch
	byWD    map[int32]*watch
	started bool
}

// watch is one directory's watch descriptor and its waiters' wake-ups.
type watch struct {
	dir     string
	wd      int32
	waiters map[chan struct{}]struct{}
}

var dirs = &dirWatch{byDir: map[string]*watch{}, byWD: map[int32]*watch{}}

// subscribe returns a channel that receives (without blocking the sender)
// when dir changes, and the function that ends the subscription.
func (d *dirWatch) subscribe(dir string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		d.started = true
		// Non-blocking, so that the os.File reads through Go's poller
		// and the reader goroutine holds no thread.
		if fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK); err == nil {
			d.file, d.fd = os.NewFile(uintptr(fd), "inotify"), fd
			go d.read()
		}
	}
	if d.file == nil {
		return ch, func() {}
	}
	w := d.byDir[dir]
	if w == nil {
		wd, err := unix.InotifyAddWatch(d.fd, dir, unix.IN_MOVED_TO|unix.IN_CREATE|unix.IN_DELETE_SELF)
		if err != nil {
			return ch, func() {} // the 100 ms look still runs
		}
		w = &watch{dir: dir, wd: int32(wd), waiters: map[chan struct{}]struct{}{}}
		d.byDir[dir], d.byWD[w.wd] = w, w
	}
	w.waiters[ch] = struct{}{}
	return ch, func() { d.unsubscribe(w, ch) }
}

// unsubscribe drops ch from w, and w's watch when no waiter is left.
func (d *dirWatch) unsubscribe(w *watch, ch chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(w.waiters, ch)
	if len(w.waiters) > 0 || d.byWD[w.wd] != w {
		return
	}
	delete(d.byWD, w.wd)
	delete(d.byDir, w.dir)
	unix.InotifyRmWatch(d.fd, uint32(w.wd))
}

// read wakes the waiters of each directory inotify names. IN_IGNORED (the
// directory went, or its watch was removed) forgets the watch.
func (d *dirWatch) read() {
	buf := make([]byte, 64<<10)
	for {
		n, err := d.file.Read(buf)
		if err != nil {
			return
		}
		d.mu.Lock()
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			off += unix.SizeofInotifyEvent + int(ev.Len)
			w := d.byWD[ev.Wd]
			if w == nil {
				continue
			}
			for ch := range w.waiters {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
			if ev.Mask&unix.IN_IGNORED != 0 {
				delete(d.byWD, w.wd)
				delete(d.byDir, w.dir)
			}
		}
		d.mu.Unlock()
	}
}

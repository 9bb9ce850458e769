// Paths the image and the user name: the working directory, the command,
// the PATH it is looked up in, /etc/passwd and /etc/group. Init resolves
// each of them itself, after pivot_root, with openat2(2) and
// RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS: ".." stops at the container's root,
// an absolute symlink starts again from it, and a "magic link" is refused.
//
// The magic links are the /proc ones: /proc/self/fd/N, /proc/self/cwd,
// /proc/self/root. Each jumps to wherever that descriptor or directory is,
// in any mount namespace, whatever the root. A working directory of
// /proc/self/fd/4 in a process that holds a host directory as fd 4 is that
// host directory, and ../../.. from it is the host's /: that is
// CVE-2024-21626, runc's leaked cgroup descriptor. So init holds no host
// directory while it resolves (the host's cgroup files come over the sync
// socket only afterwards), and the resolution itself cannot follow a magic
// link even to a harmless place.
//
// A path found this way is then handed to the kernel as the same string:
// after pivot_root the kernel's own lookup from the process's root walks the
// very same components, and openat2 just showed that none of them is a magic
// link. (Only a process inside the container could swap one in meanwhile,
// and at `run` the command is the first.)

package runtime

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/trace"
)

// inRoot is how every image or user path is resolved.
const inRoot = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// A root is the container's "/", as init sees it after pivot_root, and the
// working directory init has entered in it.
type root struct {
	fd  int
	cwd string // from getcwd(2): absolute and canonical
}

// openRoot opens dir as the root paths are resolved in: init's own "/",
// or a test's directory. The working directory starts at its top.
func openRoot(dir string) (*root, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return &root{fd: fd, cwd: "/"}, nil
}

func (r *root) Close() { unix.Close(r.fd) }

// open resolves name inside the root; a relative name starts from the
// working directory.
func (r *root) open(name string, flags uint64) (int, error) {
	if !path.IsAbs(name) {
		name = r.cwd + "/" + name
	}
	how := &unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Resolve: inRoot}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(r.fd, name, how)
		// EAGAIN: a rename elsewhere raced the walk; the kernel asks
		// for a retry rather than risk a ".." that left the root.
		if err == unix.EAGAIN && tries < 16 {
			continue
		}
		if err == unix.ENOSYS {
			return -1, &os.PathError{Op: "openat2", Path: name, Err: errors.New("not in this kernel (it needs Linux 5.6 or later)")}
		}
		if err != nil {
			return -1, &os.PathError{Op: "openat2", Path: name, Err: err}
		}
		return fd, nil
	}
}

// chdir makes dir (a path inside the container) init's working directory;
// the command inherits it. With create, a missing directory is made, as
// Docker does.
func (r *root) chdir(dir string, create bool) error {
	dir = path.Clean("/" + dir)
	fd, err := r.open(dir, unix.O_PATH|unix.O_DIRECTORY)
	if create && errors.Is(err, unix.ENOENT) {
		if err = r.mkdirAll(dir); err == nil {
			fd, err = r.open(dir, unix.O_PATH|unix.O_DIRECTORY)
		}
	}
	if err != nil {
		return cwdError(dir, err)
	}
	defer unix.Close(fd)
	trace.Step("openat2(\"/\", %q, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS), fchdir: the working directory, found inside the root", dir)
	if err := unix.Fchdir(fd); err != nil {
		return cwdError(dir, os.NewSyscallError("fchdir", err))
	}
	// runc's check since CVE-2024-21626: whatever the path said, the
	// kernel must place us inside our root. Outside it, getcwd(2) answers
	// "(unreachable)/..." and Getwd an error.
	wd, err := unix.Getwd()
	if err != nil || !strings.HasPrefix(wd, "/") {
		return Exitf(ExitCannotInvoke, "working directory %q is outside the container's root: refused", dir)
	}
	r.cwd = wd
	return nil
}

// mkdirAll creates the missing directories of dir, one level at a time:
// each parent is resolved inside the root, and mkdirat(2) makes a plain
// name in it, so no symlink is followed out (a symlink already there makes
// EEXIST, and the next level's openat2 resolves it inside the root).
func (r *root) mkdirAll(dir string) error {
	cur := "/"
	for _, name := range strings.Split(strings.TrimPrefix(dir, "/"), "/") {
		next := path.Join(cur, name)
		fd, err := r.open(next, unix.O_PATH|unix.O_DIRECTORY)
		if err == nil {
			unix.Close(fd)
			cur = next
			continue
		}
		if !errors.Is(err, unix.ENOENT) {
			return err
		}
		parent, err := r.open(cur, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			return err
		}
		trace.Step("mkdirat(%q, %q, 0755): the missing working directory", cur, name)
		err = unix.Mkdirat(parent, name, 0o755)
		unix.Close(parent)
		if err != nil && err != unix.EEXIST {
			return &os.PathError{Op: "mkdirat", Path: next, Err: err}
		}
		cur = next
	}
	return nil
}

// cwdError says why the working directory cannot be used: exit 126, as the
// command cannot be started there.
func cwdError(dir string, err error) error {
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	why := "cannot be used"
	switch {
	case errors.Is(err, unix.ENOTDIR):
		why = "is not a directory (or a file is in its way)"
	case errors.Is(err, unix.ELOOP), errors.Is(err, unix.EXDEV):
		why = "goes through a /proc magic link or a symlink loop, which could lead out of the container"
	case errors.Is(err, unix.ENOENT):
		why = "does not exist and cannot be created"
	}
	return Exitf(ExitCannotInvoke, "working directory %q %s: %v", dir, why, errors.Unwrap(err))
}

// lookPath finds the command as execvp(3) would, in the container's PATH,
// and returns the path to give execve: one that resolves inside the root
// with no magic link on the way.
func (r *root) lookPath(file, pathEnv string) (string, error) {
	if strings.Contains(file, "/") {
		return file, r.executable(file)
	}
	if pathEnv == "" {
		pathEnv = DefaultPath
	}
	var denied error
	for _, dir := range strings.Split(pathEnv, ":") {
		if dir == "" {
			dir = "."
		}
		// Joined as execvp joins, not cleaned: "/proc/self/fd/4/.." must
		// meet openat2 as it is, and execve gets the string checked here.
		p := strings.TrimSuffix(dir, "/") + "/" + file
		err := r.executable(p)
		if err == nil {
			return p, nil
		}
		// As execvp: a file without the x bit is remembered (execve will
		// say EACCES, exit 126), anything else is skipped.
		if errors.Is(err, errNotExecutable) && denied == nil {
			denied = err
		}
	}
	if denied != nil {
		return "", denied
	}
	return "", Exitf(ExitNotFound, "exec %q: executable file not found in $PATH (%s)", file, pathEnv)
}

var errNotExecutable = errors.New("permission denied (not executable)")

// executable checks that p names a file execve may run, inside the root.
func (r *root) executable(p string) error {
	fd, err := r.open(p, unix.O_PATH)
	if err != nil {
		switch {
		case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
			return Exitf(ExitNotFound, "exec %q: no such file or directory in the container", p)
		case errors.Is(err, unix.ELOOP), errors.Is(err, unix.EXDEV):
			return Exitf(ExitCannotInvoke, "exec %q: the path goes through a /proc magic link or a symlink loop, which could lead out of the container: refused", p)
		}
		return Exitf(ExitCannotInvoke, "exec %q: %v", p, errors.Unwrap(err))
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return Exitf(ExitCannotInvoke, "exec %q: %v", p, os.NewSyscallError("fstat", err))
	}
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		return Exitf(ExitCannotInvoke, "exec %q: permission denied (it is a directory)", p)
	case st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&0o111 == 0:
		return &ExitError{ExitCannotInvoke, fmt.Errorf("exec %q: %w", p, errNotExecutable)}
	}
	return nil
}

// maxEtcFile bounds what init reads of /etc/passwd or /etc/group: an image
// could make either one huge.
const maxEtcFile = 4 << 20

// readFile reads a small regular file inside the root. O_NONBLOCK, so that
// a FIFO in its place cannot hang init; fstat, so that a device (a symlink
// to /dev/zero) is not read forever.
func (r *root) readFile(name string) ([]byte, error) {
	fd, err := r.open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, os.NewSyscallError("fstat", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s in the container is not a regular file", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxEtcFile+1))
	if err == nil && len(data) > maxEtcFile {
		err = fmt.Errorf("%s in the container is larger than %d MiB", name, maxEtcFile>>20)
	}
	return data, err
}

// Images for the tests, made the way a student makes them: the built-in
// busybox image from the host's static busybox, and its root filesystem as
// a tarball and as a directory.

package harness

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Busybox builds the default image, busybox:latest, in this Env's store.
func (e *Env) Busybox() {
	e.t.Helper()
	e.MustRun("mkimage", "busybox")
}

// BusyboxTar writes the default image's root filesystem as a tarball, as
// `docker export` would, and returns its path.
func (e *Env) BusyboxTar() string {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "busybox.tar")
	e.MustRun("mkimage", "-o", path, "busybox")
	return path
}

// BusyboxDir unpacks the default image's root filesystem into a directory.
func (e *Env) BusyboxDir() string {
	e.t.Helper()
	dir := e.t.TempDir()
	out, err := exec.Command("tar", "-xf", e.BusyboxTar(), "-C", dir).CombinedOutput()
	if err != nil {
		e.t.Fatalf("untar busybox: %v\n%s", err, out)
	}
	return dir
}

// RequireStaticSelf skips (fails under CI) unless the test binary is
// statically linked, so that a copy of it runs inside a busybox root.
// `make` builds tests with CGO_ENABLED=0, which makes them static.
func RequireStaticSelf(t testing.TB) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	static := true
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			static = false
		}
	}
	Require(t, static, "the test binary must be static to run inside a container: run it with CGO_ENABLED=0 (make does)")
	return self
}

// CopyFile copies src to dst with mode.
func CopyFile(t testing.TB, src, dst string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, mode); err != nil {
		t.Fatal(err)
	}
}

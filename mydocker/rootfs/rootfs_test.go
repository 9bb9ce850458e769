package rootfs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/rootfs"
	"github.com/mydocker/mydocker/mydocker/rootfs/rootfstest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

func TestMain(m *testing.M) {
	rootfstest.Main(m, map[string]rootfstest.PivotFunc{
		"engine":   rootfs.PivotRoot,
		"chroot":   chrootOnly,
		"attached": pivotWithoutDetach,
		// Wrong answers that hide the way back instead of closing it.
		"chroot-then-nobody": chrootThenNobody,
		"chroot-then-no-tmp": chrootThenNoTmp,
	})
}

// The engine's root switch passes the checker lab 03 is held to.
func TestPivotRoot(t *testing.T) { rootfstest.CheckPivotRoot(t, "engine") }

// chrootOnly is what many tutorials do instead.
func chrootOnly(newRoot string) error {
	if err := unix.Chroot(newRoot); err != nil {
		return err
	}
	return unix.Chdir("/")
}

// pivotWithoutDetach forgets the last step: the old root stays stacked on /.
func pivotWithoutDetach(newRoot string) error {
	if err := unix.Chdir(newRoot); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return err
	}
	return unix.Chdir("/")
}

// chrootThenNobody chroots, then gives up root: the escape's own chroot is
// refused, and a checker that counted that as "contained" would pass it,
// though any later root process in there climbs out.
func chrootThenNobody(newRoot string) error {
	if err := chrootOnly(newRoot); err != nil {
		return err
	}
	return unix.Setresuid(65534, 65534, 65534)
}

// chrootThenNoTmp chroots, then deletes the directory the escape works in.
func chrootThenNoTmp(newRoot string) error {
	if err := chrootOnly(newRoot); err != nil {
		return err
	}
	return os.RemoveAll("/tmp")
}

// The checker catches the usual mistakes, on its own verdict. A chroot:
// the escape reaches the host. (Its mountinfo looks clean, because the
// kernel lists only the mounts under the process's root.) A pivot that
// keeps the old root: the host's mounts are still listed. A chroot that
// then gives up root, or deletes /tmp: the escape cannot run, which proves
// nothing and fails too.
func TestCheckerCatchesMistakes(t *testing.T) {
	testenv.RequireRoot(t, "mount namespaces")
	tests := []struct{ impl, broken string }{
		{"chroot", "no way back"},
		{"attached", "old root detached"},
		{"chroot-then-nobody", "no way back"},
		{"chroot-then-no-tmp", "no way back"},
	}
	for _, tt := range tests {
		r, hostOnly, err := rootfstest.Probe(t, tt.impl)
		require.NoError(t, err)
		if why, ok := rootfstest.Verdict(r, hostOnly)[tt.broken]; !ok {
			t.Errorf("Verdict(%s) keeps %q (report %+v), want it broken", tt.impl, tt.broken, r)
		} else {
			t.Logf("%s: %s", tt.impl, why)
		}
	}
	r, hostOnly, err := rootfstest.Probe(t, "engine")
	require.NoError(t, err)
	if v := rootfstest.Verdict(r, hostOnly); len(v) != 0 {
		t.Errorf("Verdict(engine) = %v, want no broken promise", v)
	}
}

func TestSecureJoin(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc", "real"), 0o755))
	require.NoError(t, os.Symlink("/etc/real", filepath.Join(root, "abs")))
	require.NoError(t, os.Symlink("../../../../etc/real", filepath.Join(root, "etc", "up")))
	require.NoError(t, os.Symlink("/", filepath.Join(root, "toroot")))
	require.NoError(t, os.Symlink("loop2", filepath.Join(root, "loop1")))
	require.NoError(t, os.Symlink("loop1", filepath.Join(root, "loop2")))
	tests := []struct{ in, want string }{
		{"/etc/hosts", "/etc/hosts"},
		{"etc/hosts", "/etc/hosts"},
		{"/../../etc/hosts", "/etc/hosts"},
		{"/abs/x", "/etc/real/x"},    // an absolute link stays inside root
		{"/etc/up/x", "/etc/real/x"}, // so does a climbing one
		{"/toroot/etc/passwd", "/etc/passwd"},
		{"/missing/../etc", "/etc"},
	}
	for _, tt := range tests {
		got, err := rootfs.SecureJoin(root, tt.in)
		if err != nil || got != filepath.Join(root, tt.want) {
			t.Errorf("SecureJoin(root, %q) = %q, %v; want root+%q", tt.in, got, err, tt.want)
		}
	}
	if _, err := rootfs.SecureJoin(root, "/loop1/x"); err == nil {
		t.Errorf("SecureJoin through a symlink loop = nil error, want one")
	}
}

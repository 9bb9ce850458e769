package runtime

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// What init runs from is the binary, byte for byte, and nobody can write
// it: CVE-2019-5736's way back to the host's binary is closed.
func TestOverlaySelf(t *testing.T) {
	testenv.RequireRoot(t, "mounting overlayfs")
	f, err := overlaySelf()
	require.NoError(t, err)
	defer f.Close()
	checkReadOnlyCopy(t, f)
	var st, host unix.Stat_t
	require.NoError(t, unix.Fstat(int(f.Fd()), &st))
	require.NoError(t, unix.Stat("/proc/self/exe", &host))
	if st.Dev == host.Dev {
		t.Errorf("the overlay's file is on the binary's own device %d", st.Dev)
	}
}

func TestMemfdSelf(t *testing.T) {
	mem, err := memfdSelf()
	require.NoError(t, err)
	defer mem.Close()
	checkReadOnlyCopy(t, mem)
	s, err := unix.FcntlInt(mem.Fd(), unix.F_GET_SEALS, 0)
	require.NoError(t, err)
	if s&seals != seals {
		t.Errorf("seals = %#x, want %#x", s, seals)
	}
}

// checkReadOnlyCopy checks f holds the running binary and refuses writes,
// even through a new open of the same file, as /proc/1/exe would give.
func checkReadOnlyCopy(t *testing.T, f *os.File) {
	t.Helper()
	path := fmt.Sprint("/proc/self/fd/", f.Fd())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := os.ReadFile("/proc/self/exe")
	require.NoError(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes, differing from the %d of /proc/self/exe", f.Name(), len(got), len(want))
	}
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return // refused at open: EROFS for the overlay
	}
	defer w.Close()
	if _, err := w.Write([]byte("x")); err == nil {
		t.Errorf("write to %s succeeded", f.Name())
	}
	if err := w.Truncate(0); err == nil {
		t.Errorf("truncate of %s succeeded", f.Name())
	}
}

// The price of each way, paid at every container start.
func BenchmarkOverlaySelf(b *testing.B) { benchSelf(b, overlaySelf) }
func BenchmarkMemfdSelf(b *testing.B)   { benchSelf(b, memfdSelf) }

func benchSelf(b *testing.B, open func() (*os.File, error)) {
	for b.Loop() {
		mem, err := open()
		if err != nil {
			b.Fatal(err)
		}
		mem.Close()
	}
}

// The test binary runs from an ordinary file: not sealed, whatever the
// environment says (ReexecSealed does not take _MYDOCKER_SEALED's word).
func TestRunningSealed(t *testing.T) {
	if runningSealed() {
		t.Errorf("runningSealed() = true for the test binary %s", os.Args[0])
	}
}

// Only what sealedSelf makes counts as sealed (a mydocker running from it
// gives init its own binary): a memfd with every seal, a file of a
// read-only overlay attached nowhere. Not a memfd sealed against writes
// only, nor a file of an attached mount, which a remount could make
// writable again.
func TestSealedFile(t *testing.T) {
	testenv.RequireRoot(t, "mounting overlayfs")
	over, err := overlaySelf()
	require.NoError(t, err)
	defer over.Close()
	mem, err := memfdSelf()
	require.NoError(t, err)
	defer mem.Close()
	fd, err := unix.MemfdCreate("partly", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	require.NoError(t, err)
	partly := os.NewFile(uintptr(fd), "partly")
	defer partly.Close()
	_, err = unix.FcntlInt(partly.Fd(), unix.F_ADD_SEALS, unix.F_SEAL_WRITE)
	require.NoError(t, err)
	exe, err := os.Open("/proc/self/exe")
	require.NoError(t, err)
	defer exe.Close()
	for _, tt := range []struct {
		f    *os.File
		want bool
	}{{over, true}, {mem, true}, {partly, false}, {exe, false}} {
		if got := sealedFile(int(tt.f.Fd())); got != tt.want {
			t.Errorf("sealedFile(%s) = %v, want %v", tt.f.Name(), got, tt.want)
		}
	}
}

package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// testRoot makes a directory to stand for a container's root, with files.
func testRoot(t *testing.T, files map[string]string) (*root, string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		mode := os.FileMode(0o644)
		if filepath.Base(filepath.Dir(name)) == "bin" {
			mode = 0o755
		}
		require.NoError(t, os.WriteFile(p, []byte(content), mode))
	}
	r, err := openRoot(dir)
	require.NoError(t, err)
	t.Cleanup(r.Close)
	return r, dir
}

func TestLookPath(t *testing.T) {
	r, dir := testRoot(t, map[string]string{"bin/tool": "", "noexec/data": ""})
	require.NoError(t, os.Mkdir(filepath.Join(dir, "bin", "adir"), 0o755))
	// A symlink out of the root lands inside it: ../../bin is /bin.
	require.NoError(t, os.Symlink("../../../bin", filepath.Join(dir, "up")))
	path := "/noexec:/bin"

	tests := []struct {
		file, want string
		code       int
	}{
		{"tool", "/bin/tool", 0},
		{"/bin/tool", "/bin/tool", 0},
		{"/up/tool", "/up/tool", 0},
		{"data", "", ExitCannotInvoke}, // not executable: execvp's EACCES, 126
		{"adir", "", ExitNotFound},     // a directory is skipped, as by execvp
		{"missing", "", ExitNotFound},
		{"/abs/missing", "", ExitNotFound},
		{"/bin/adir", "", ExitCannotInvoke},
	}
	for _, tt := range tests {
		got, err := r.lookPath(tt.file, path)
		if got != tt.want && tt.code == 0 || ExitCode(err, 0) != tt.code {
			t.Errorf("lookPath(%q) = %q, %v; want %q, code %d", tt.file, got, err, tt.want, tt.code)
		}
	}
}

// CVE-2024-21626: a path through /proc/self/fd/N reaches wherever fd N is.
// Resolved in the root with RESOLVE_NO_MAGICLINKS, it is refused, even
// where it would lead somewhere harmless.
func TestMagicLinksRefused(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "tool"), nil, 0o755))
	fd, err := unix.Open(outside, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer unix.Close(fd)
	via := fmt.Sprintf("/proc/self/fd/%d", fd)
	_, err = os.Stat(via + "/tool")
	require.NoError(t, err, "without openat2 the magic link is followed")

	r, err := openRoot("/")
	require.NoError(t, err)
	defer r.Close()
	if _, err := r.lookPath(via+"/tool", ""); ExitCode(err, 0) != ExitCannotInvoke {
		t.Errorf("lookPath(%s/tool) = %v, want a refusal, exit 126", via, err)
	}
	if _, err := r.lookPath("tool", via+":"+via+"/."); ExitCode(err, 0) != ExitNotFound {
		t.Errorf("lookPath(tool) with PATH through %s = %v, want not found, exit 127", via, err)
	}
	t.Chdir(t.TempDir()) // restored after the test
	if err := r.chdir(via, true); ExitCode(err, 0) != ExitCannotInvoke {
		t.Errorf("chdir(%s) = %v, want a refusal, exit 126", via, err)
	}
}

func TestChdir(t *testing.T) {
	r, dir := testRoot(t, map[string]string{"etc/file": "x"})
	require.NoError(t, os.Symlink("/etc", filepath.Join(dir, "abs")))
	require.NoError(t, os.Symlink("../../../..", filepath.Join(dir, "etc", "up")))
	t.Chdir(t.TempDir())
	tests := []struct {
		dir, want string // want: where we are, relative to dir
		create    bool
		code      int
	}{
		{"/etc", "/etc", false, 0},
		{"/abs", "/etc", false, 0},        // an absolute symlink starts again at the root
		{"/etc/up/etc", "/etc", false, 0}, // ".." stops at the root
		{"/made/for/you", "/made/for/you", true, 0},
		{"/abs/new", "/etc/new", true, 0}, // made where the symlink leads, inside
		{"/not/made", "", false, ExitCannotInvoke},
		{"/etc/file", "", true, ExitCannotInvoke}, // not a directory
	}
	for _, tt := range tests {
		err := r.chdir(tt.dir, tt.create)
		if ExitCode(err, 0) != tt.code {
			t.Errorf("chdir(%q) = %v, want code %d", tt.dir, err, tt.code)
			continue
		}
		if tt.code != 0 {
			continue
		}
		wd, _ := os.Getwd()
		if wd != filepath.Join(dir, tt.want) {
			t.Errorf("chdir(%q): in %s, want %s", tt.dir, wd, filepath.Join(dir, tt.want))
		}
	}
}

func TestExecErrorCodes(t *testing.T) {
	for errno, code := range map[syscall.Errno]int{
		syscall.ENOENT: ExitNotFound, syscall.EACCES: ExitCannotInvoke,
		syscall.ENOEXEC: ExitCannotInvoke, syscall.EPERM: ExitCannotInvoke,
	} {
		if got := ExitCode(execError("/x", errno), 0); got != code {
			t.Errorf("execError(%v) has code %d, want %d", errno, got, code)
		}
	}
}

func TestLookupUser(t *testing.T) {
	r, _ := testRoot(t, map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n",
		"etc/group":  "root:x:0:\nwww:x:33:\nstaff:x:50:www,other\n",
	})
	tests := []struct {
		spec     string
		uid, gid uint32
		groups   []uint32
		code     int
	}{
		{"", 0, 0, []uint32{}, 0},
		{"www", 33, 33, []uint32{50}, 0},
		{"33:0", 33, 0, []uint32{}, 0},
		{"www:staff", 33, 50, []uint32{}, 0},
		{"1234", 1234, 0, []uint32{}, 0}, // unknown numeric uid: allowed, as in Docker
		{"nobody", 0, 0, nil, ExitEngine},
		{"www:nogroup", 0, 0, nil, ExitEngine},
	}
	for _, tt := range tests {
		cred, err := lookupUser(r, tt.spec)
		if tt.code != 0 {
			if ExitCode(err, 0) != tt.code {
				t.Errorf("lookupUser(%q) = %v, want an error with code %d", tt.spec, err, tt.code)
			}
			continue
		}
		require.NoError(t, err, "lookupUser(%q)", tt.spec)
		if cred.Uid != tt.uid || cred.Gid != tt.gid || !reflect.DeepEqual(cred.Groups, tt.groups) {
			t.Errorf("lookupUser(%q) = %d:%d %v, want %d:%d %v", tt.spec, cred.Uid, cred.Gid, cred.Groups, tt.uid, tt.gid, tt.groups)
		}
	}
	if h := homeOf(r, "www"); h != "/var/www" {
		t.Errorf("homeOf(www) = %q, want /var/www", h)
	}
}

// An image's /etc/passwd may be a FIFO (init would wait forever) or a
// symlink to a device: refused, with the code of an engine error.
func TestEtcFileNotRegular(t *testing.T) {
	r, dir := testRoot(t, nil)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "etc"), 0o755))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "etc", "passwd"), 0o644))
	if _, err := lookupUser(r, "www"); ExitCode(err, 0) != ExitEngine {
		t.Errorf("lookupUser with a FIFO for /etc/passwd = %v, want exit 125", err)
	}
}

package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMergeEnv(t *testing.T) {
	t.Setenv("FROM_HOST", "yes")
	got := mergeEnv([]string{"PATH=/bin", "A=image"}, "box", true, []string{"A=flag", "B=1", "FROM_HOST", "UNSET_ON_HOST"})
	want := []string{"PATH=/bin", "A=flag", "HOSTNAME=box", "TERM=xterm", "B=1", "FROM_HOST=yes"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mergeEnv = %q, want %q", got, want)
	}
}

func TestCheckEnv(t *testing.T) {
	for _, tt := range []struct {
		env []string
		ok  bool
	}{
		{[]string{"A=1", "B=", "C"}, true},
		{[]string{"=1"}, false},
		{[]string{"A B=1"}, false},
	} {
		if err := checkEnv(tt.env); (err == nil) != tt.ok {
			t.Errorf("checkEnv(%q) = %v, want ok=%v", tt.env, err, tt.ok)
		}
	}
}

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	bin, noexec := filepath.Join(dir, "bin"), filepath.Join(dir, "noexec")
	require.NoError(t, os.Mkdir(bin, 0o755))
	require.NoError(t, os.Mkdir(noexec, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "tool"), nil, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(noexec, "data"), nil, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(bin, "adir"), 0o755))
	path := noexec + ":" + bin

	tests := []struct {
		file, want string
		code       int
	}{
		{"tool", filepath.Join(bin, "tool"), 0},
		{"/abs/path", "/abs/path", 0},
		{"data", filepath.Join(noexec, "data"), 0}, // execve will say EACCES: 126
		{"adir", "", ExitNotFound},
		{"missing", "", ExitNotFound},
	}
	for _, tt := range tests {
		got, err := lookPath(tt.file, path)
		if got != tt.want || ExitCode(err, 0) != tt.code {
			t.Errorf("lookPath(%q) = %q, %v; want %q, code %d", tt.file, got, err, tt.want, tt.code)
		}
	}
}

func TestExecErrorCodes(t *testing.T) {
	for errno, code := range map[syscall.Errno]int{
		syscall.ENOENT: ExitNotFound, syscall.EACCES: ExitCannotInvoke,
		syscall.ENOEXEC: ExitCannotInvoke, syscall.EPERM: ExitCannotInvoke,
	} {
		if got := ExitCode(execError("/x", "", errno), 0); got != code {
			t.Errorf("execError(%v) has code %d, want %d", errno, got, code)
		}
	}
}

func TestWaitStatusCode(t *testing.T) {
	for _, tt := range []struct {
		ws   syscall.WaitStatus
		want int
	}{
		{0, 0},
		{3 << 8, 3},
		{syscall.WaitStatus(syscall.SIGKILL), 137},
		{syscall.WaitStatus(syscall.SIGTERM), 143},
	} {
		if got := waitStatusCode(tt.ws); got != tt.want {
			t.Errorf("waitStatusCode(%#x) = %d, want %d", uint32(tt.ws), got, tt.want)
		}
	}
}

func TestLookupUser(t *testing.T) {
	dir := t.TempDir()
	passwdFile, groupFile = filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
	t.Cleanup(func() { passwdFile, groupFile = "/etc/passwd", "/etc/group" })
	require.NoError(t, os.WriteFile(passwdFile, []byte("root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n"), 0o644))
	require.NoError(t, os.WriteFile(groupFile, []byte("root:x:0:\nwww:x:33:\nstaff:x:50:www,other\n"), 0o644))

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
		cred, err := lookupUser(tt.spec)
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
	if h := homeOf("www"); h != "/var/www" {
		t.Errorf("homeOf(www) = %q, want /var/www", h)
	}
}

func TestStore(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	a := &Container{ID: NewID(), Name: "web"}
	require.NoError(t, s.Create(a))
	b := &Container{ID: NewID()}
	require.NoError(t, s.Create(b))
	if b.Name == "" {
		t.Errorf("Create gave no name to an unnamed container")
	}
	if err := s.Create(&Container{ID: NewID(), Name: "web"}); err == nil {
		t.Errorf("Create with a taken name succeeded")
	}
	for _, ref := range []string{"web", a.ID, a.ID[:10]} {
		got, err := s.Get(ref)
		if err != nil || got.ID != a.ID {
			t.Errorf("Get(%q) = %v, %v; want %s", ref, got, err, ShortID(a.ID))
		}
	}
	if _, err := s.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nope) = %v, want ErrNotFound", err)
	}
	require.NoError(t, s.Remove(a.ID))
	list, _ := s.List()
	if len(list) != 1 || list[0].ID != b.ID {
		t.Errorf("List after Remove = %v, want only %s", list, ShortID(b.ID))
	}
}

func ExampleShortID() {
	fmt.Println(ShortID("4f2a8c0e1b9d7a6c5e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d"))
	// Output: 4f2a8c0e1b9d
}

func ExampleCapabilities() {
	caps, _ := Capabilities(nil, nil)
	fmt.Println(len(caps), caps[0], caps[len(caps)-1])
	caps, _ = Capabilities([]string{"sys_admin"}, []string{"CAP_NET_RAW", "KILL"})
	fmt.Println(len(caps))
	caps, _ = Capabilities([]string{"CHOWN"}, []string{"ALL"})
	fmt.Println(caps)
	_, err := Capabilities([]string{"FLY"}, nil)
	fmt.Println(err)
	// Output:
	// 13 AUDIT_WRITE SYS_CHROOT
	// 12
	// [CHOWN]
	// unknown capability "FLY" in --cap-add: want a name like SYS_ADMIN, or ALL
}

// Chapter 08's tests: data that outlives the container. Named volumes,
// anonymous ones, bind mounts and tmpfs mounts, made the way a student
// makes them (`mydocker volume create`, `run -v`, `--mount`, `--tmpfs`),
// and the image's symlinks that try to send a mount to the host. After each
// test the harness checks that no mount of ours is left on the host.
package chapter08

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// busybox is an Env with the default image built.
func busybox(t *testing.T) *harness.Env {
	e := harness.New(t)
	e.Busybox()
	return e
}

// Data written through a named volume survives the container and is read
// by the next one.
func TestNamedVolumeSurvivesRm(t *testing.T) {
	e := busybox(t)
	require.Equal(t, "data\n", e.MustRun("volume", "create", "data"))
	e.MustRun("run", "--name", "writer", "-v", "data:/data", "busybox", "sh", "-c", "echo kept > /data/note")
	e.MustRun("rm", "writer")
	if got := e.MustRun("run", "--rm", "-v", "data:/data:ro", "busybox", "cat", "/data/note"); got != "kept\n" {
		t.Errorf("a new container read %q from the volume, want kept", got)
	}
	ls := e.MustRun("volume", "ls")
	if ls != "DRIVER    VOLUME NAME\nlocal     data\n" {
		t.Errorf("volume ls = %q", ls)
	}
	e.MustRun("volume", "rm", "data")
}

// A new volume starts with what the image has at its target, owners and
// modes and symlinks included; one that holds data is left alone.
func TestCopyUpFromImage(t *testing.T) {
	e := busybox(t)
	const list = "ls -ln /etc | sed 's/  */ /g' | cut -d' ' -f1,3,4,5,9-"
	want := e.MustRun("run", "--rm", "busybox", "sh", "-c", list)
	got := e.MustRun("run", "--rm", "-v", "etc:/etc", "busybox", "sh", "-c", list)
	if got != want {
		t.Errorf("the new volume at /etc shows\n%s\nwant the image's /etc\n%s", got, want)
	}
	// Now it holds data, it is not filled again, and volume-nocopy
	// leaves a new volume empty.
	e.MustRun("run", "--rm", "-v", "etc:/x", "busybox", "true")
	// (/etc/hosts, /etc/hostname and /etc/resolv.conf are the engine's,
	// mounted on top.)
	if out := e.MustRun("run", "--rm", "--mount", "type=volume,source=fresh,target=/etc,volume-nocopy", "busybox", "/bin/ls", "-A", "/etc"); out != "hostname\nhosts\nresolv.conf\n" {
		t.Errorf("a volume-nocopy volume at /etc holds %q, want only the engine's hostname, hosts and resolv.conf", out)
	}
	e.MustRun("volume", "rm", "etc", "fresh")
}

// A read-only bind mount refuses writes; a read-write one writes through
// to the host; -v makes a missing host directory.
func TestBindMounts(t *testing.T) {
	e := busybox(t)
	host := t.TempDir()
	r := e.Run("run", "--rm", "-v", host+":/b:ro", "busybox", "touch", "/b/x")
	if r.Code == 0 || !strings.Contains(r.Stderr, "Read-only file system") {
		t.Errorf("touch in a read-only bind: %v, want refused", r)
	}
	e.MustRun("run", "--rm", "--mount", "type=bind,source="+host+",target=/b", "busybox", "sh", "-c", "echo hi > /b/x")
	if data, _ := os.ReadFile(filepath.Join(host, "x")); string(data) != "hi\n" {
		t.Errorf("the host sees %q through the bind, want hi", data)
	}
	// A file bound over /etc/hosts is the user's, not covered by the engine's.
	require.NoError(t, os.WriteFile(filepath.Join(host, "hosts"), []byte("10.0.0.1 mine\n"), 0o644))
	if got := e.MustRun("run", "--rm", "-v", filepath.Join(host, "hosts")+":/etc/hosts:ro", "busybox", "cat", "/etc/hosts"); got != "10.0.0.1 mine\n" {
		t.Errorf("-v FILE:/etc/hosts shows %q, want the user's file", got)
	}
	missing := filepath.Join(host, "made", "by", "v")
	e.MustRun("run", "--rm", "-v", missing+":/m", "busybox", "true")
	if fi, err := os.Stat(missing); err != nil || !fi.IsDir() {
		t.Errorf("-v did not make the missing host directory: %v", err)
	}
}

// --read-only: the root refuses writes, a tmpfs on it does not.
func TestReadOnlyRootWithTmpfs(t *testing.T) {
	e := busybox(t)
	r := e.Run("run", "--rm", "--read-only", "--tmpfs", "/tmp", "busybox", "sh", "-c", "touch /tmp/ok && echo tmp-ok; touch /root-file")
	if r.Stdout != "tmp-ok\n" || !strings.Contains(r.Stderr, "Read-only file system") {
		t.Errorf("--read-only --tmpfs /tmp: %v, want /tmp writable and / not", r)
	}
	// Docker's flags on a --tmpfs: nosuid, nodev, noexec.
	out := e.MustRun("run", "--rm", "--tmpfs", "/t:size=64k,mode=1770", "busybox", "grep", " /t ", "/proc/self/mountinfo")
	for _, want := range []string{"nosuid", "nodev", "noexec", "size=64k", "mode=1770"} {
		if !strings.Contains(out, want) {
			t.Errorf("--tmpfs /t:size=64k,mode=1770 mounted as %q, want %s", out, want)
		}
	}
}

// Anonymous volumes (-v /path) go with their container under --rm and
// rm -v; named ones stay.
func TestAnonymousVolumesRemoved(t *testing.T) {
	e := busybox(t)
	e.MustRun("run", "--rm", "-v", "/anon", "-v", "named:/named", "busybox", "true")
	if got := e.MustRun("volume", "ls", "-q"); got != "named\n" {
		t.Errorf("after run --rm, volumes %q, want only named", got)
	}
	e.MustRun("run", "--name", "c", "-v", "/anon", "busybox", "true")
	if n := strings.Count(e.MustRun("volume", "ls", "-q"), "\n"); n != 2 {
		t.Errorf("after run -v /anon, %d volumes, want 2", n)
	}
	e.MustRun("rm", "-v", "c")
	if got := e.MustRun("volume", "ls", "-q"); got != "named\n" {
		t.Errorf("after rm -v, volumes %q, want only named", got)
	}
	e.MustRun("volume", "rm", "named")
}

// --volumes-from mounts another container's volumes at the same places,
// read-only if asked.
func TestVolumesFrom(t *testing.T) {
	e := busybox(t)
	e.MustRun("run", "--name", "src", "-v", "shared:/shared", "-v", "/anon", "busybox", "sh", "-c", "echo from-src > /shared/f; echo anon > /anon/f")
	if got := e.MustRun("run", "--rm", "--volumes-from", "src", "busybox", "cat", "/shared/f", "/anon/f"); got != "from-src\nanon\n" {
		t.Errorf("--volumes-from src read %q", got)
	}
	r := e.Run("run", "--rm", "--volumes-from", "src:ro", "busybox", "touch", "/shared/g")
	if r.Code == 0 || !strings.Contains(r.Stderr, "Read-only file system") {
		t.Errorf("--volumes-from src:ro: %v, want writes refused", r)
	}
	// The anonymous volume src shares is still src's: --rm above kept it.
	if n := strings.Count(e.MustRun("volume", "ls", "-q"), "\n"); n != 2 {
		t.Errorf("after the --volumes-from runs, %d volumes, want 2 (shared, src's anonymous one)", n)
	}
	e.MustRun("rm", "-v", "src")
	e.MustRun("volume", "rm", "shared")
}

// A tmpfs volume (`volume create -o type=tmpfs`) has the size it was given.
func TestTmpfsVolumeSizeLimit(t *testing.T) {
	e := busybox(t)
	e.MustRun("volume", "create", "-d", "local", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "scratch")
	r := e.Run("run", "--rm", "-v", "scratch:/s", "busybox", "sh", "-c", "dd if=/dev/zero of=/s/big bs=64k count=32; df -k /s | tail -1")
	if !strings.Contains(r.Stderr, "No space left on device") {
		t.Errorf("2 MiB into a 1 MiB tmpfs volume: %v, want No space left on device", r)
	}
	if fields := strings.Fields(r.Stdout); len(fields) < 2 || fields[1] != "1024" {
		t.Errorf("df of the tmpfs volume: %q, want 1024 blocks", r.Stdout)
	}
	if !strings.Contains(e.MustRun("volume", "inspect", "scratch"), `"type": "tmpfs"`) {
		t.Errorf("volume inspect scratch does not show its options")
	}
	e.MustRun("volume", "rm", "scratch")
}

// A volume some container uses (even a stopped one) cannot be removed:
// Docker's words, exit 1, the volume still there.
func TestVolumeInUseRefused(t *testing.T) {
	e := busybox(t)
	e.MustRun("run", "--name", "user", "-v", "busy:/b", "busybox", "true")
	r := e.Run("volume", "rm", "busy")
	if r.Code != 1 || !strings.Contains(r.Stderr, "remove busy: volume is in use - [") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("volume rm of a volume in use: %v, want one line, exit 1", r)
	}
	if got := e.MustRun("volume", "ls", "-q"); got != "busy\n" {
		t.Errorf("after the refused rm, volumes %q", got)
	}
	// prune --all spares it too; once the container goes, it can go.
	e.MustRun("volume", "prune", "-a", "-f")
	if got := e.MustRun("volume", "ls", "-q"); got != "busy\n" {
		t.Errorf("prune removed a volume in use: %q", got)
	}
	e.MustRun("rm", "user")
	if got := e.MustRun("volume", "prune", "-a", "-f"); !strings.HasPrefix(got, "Deleted Volumes:\nbusy\n\nTotal reclaimed space: ") {
		t.Errorf("volume prune -a -f = %q", got)
	}
}

// The image's symlinks cannot send a volume to the host: /data -> a host
// directory (absolute) and /up -> ../../.. of it are resolved inside the
// container's root, so the host's files are neither copied into the volume
// nor covered nor written.
func TestSymlinkEscapeContained(t *testing.T) {
	e := harness.New(t)
	root := e.BusyboxDir()
	host := t.TempDir() // plays the host's /etc
	require.NoError(t, os.WriteFile(filepath.Join(host, "secret"), []byte("host secret\n"), 0o600))
	require.NoError(t, os.Symlink(host, filepath.Join(root, "data")))
	require.NoError(t, os.Symlink(strings.Repeat("../", 20)+strings.TrimPrefix(host, "/"), filepath.Join(root, "up")))
	for _, target := range []string{"/data", "/up"} {
		r := e.Run("run", "--rm", "-v", "grab:"+target, root, "sh", "-c", "cat "+target+"/secret; echo mine > "+target+"/written")
		if strings.Contains(r.Stdout, "host secret") {
			t.Errorf("-v grab:%s read the host's file: %v", target, r)
		}
		if _, err := os.Stat(filepath.Join(host, "written")); err == nil {
			t.Fatalf("-v grab:%s wrote into the host directory", target)
		}
		grab := filepath.Join(e.Root, "volumes", "grab", "_data")
		if _, err := os.Stat(filepath.Join(grab, "secret")); err == nil {
			t.Errorf("-v grab:%s copied the host's file into the volume", target)
		}
		if data, _ := os.ReadFile(filepath.Join(grab, "written")); string(data) != "mine\n" {
			t.Errorf("-v grab:%s: the container's write is not in the volume (%q)", target, data)
		}
		e.MustRun("volume", "rm", "grab")
	}
	// And a bind mount to a /proc magic link is refused.
	require.NoError(t, os.Symlink("/proc/self/root/etc", filepath.Join(root, "magic")))
	r := e.Run("run", "--rm", "-v", host+":/magic", root, "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "magic link") {
		t.Errorf("a mount through /proc/self/root: %v, want refused with 125", r)
	}
}

// Bad input: one line naming the thing and the fix, Docker's exit code,
// and nothing made (no volume, no container, no host directory).
func TestBadInput(t *testing.T) {
	e := busybox(t)
	host := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--rm", "-v", "./rel:/x", "busybox", "true"}, 125, `"./rel" includes invalid characters for a local volume name`},
		{[]string{"run", "--rm", "--mount", "type=bind,source=rel,target=/x", "busybox", "true"}, 125, "mount path must be absolute"},
		{[]string{"run", "--rm", "--mount", "type=bind,source=" + host + "/nope,target=/x", "busybox", "true"}, 125, "bind source path does not exist"},
		{[]string{"run", "--rm", "--mount", "type=volume,target=/x,color=red", "busybox", "true"}, 125, "unexpected key 'color'"},
		{[]string{"run", "--rm", "-v", "v1:/x:rw,loud", "busybox", "true"}, 125, "invalid mode: rw,loud"},
		{[]string{"run", "--rm", "-v", "v1:/x", "-v", "v2:/x", "busybox", "true"}, 125, "Duplicate mount point: /x"},
		{[]string{"run", "--rm", "--tmpfs", "/t:size=lots", "busybox", "true"}, 125, "invalid size"},
		{[]string{"volume", "create", "a"}, 1, `volume name is too short`},
		{[]string{"volume", "create", "../x"}, 1, `"../x" includes invalid characters`},
		{[]string{"volume", "create", "-o", "color=red", "v1"}, 1, `invalid option key: "color"`},
		{[]string{"volume", "rm", "nothing"}, 1, "no such volume"},
	}
	for _, tt := range tests {
		r := e.Run(tt.args...)
		if r.Code != tt.code || !strings.Contains(r.Stderr, tt.want) || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("%v\nwant exit %d and one line with %q", r, tt.code, tt.want)
		}
	}
	if got := e.MustRun("volume", "ls", "-q"); got != "" {
		t.Errorf("bad input left volumes: %q", got)
	}
	if got := e.MustRun("ps", "-aq"); got != "" {
		t.Errorf("bad input left containers: %q", got)
	}
	if _, err := os.Stat(filepath.Join(host, "nope")); err == nil {
		t.Errorf("--mount type=bind made its missing source")
	}
}

// inspect shows Mounts as Docker does.
func TestInspectMounts(t *testing.T) {
	e := busybox(t)
	host := t.TempDir()
	e.MustRun("run", "--name", "c", "-v", "data:/data:ro", "-v", host+":/b", "--tmpfs", "/t", "busybox", "true")
	got := e.MustRun("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}} {{.Propagation}};{{end}}", "c")
	want := "volume data /data false ;bind  /b true rprivate;tmpfs  /t true ;\n"
	if got != want {
		t.Errorf("inspect Mounts = %q, want %q", got, want)
	}
	e.MustRun("rm", "c")
	e.MustRun("volume", "rm", "data")
}

// Chapter 04's tests: images as stacks of shared, content-addressed layers,
// a thin writable layer per container, commit and diff, and the safety of
// unpacking tarballs that strangers wrote.
package chapter04

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// changes is what every round trip does to a busybox root: add, modify,
// delete, replace a directory with a file and a file with a directory, and
// make a directory opaque (remove it and make it again).
const changes = `set -e
echo added > /etc/added
echo modified >> /etc/passwd
rm /etc/shells
rm -rf /var/www && echo now-a-file > /var/www
rm /etc/os-release && mkdir /etc/os-release && echo inside > /etc/os-release/f
rm -rf /var/spool && mkdir -p /var/spool/fresh && echo x > /var/spool/fresh/y`

// verify checks, inside a container, that exactly those changes are there.
const verify = `cat /etc/added; tail -1 /etc/passwd; test ! -e /etc/shells && echo shells-gone
cat /var/www; cat /etc/os-release/f; ls /var/spool`

func TestRoundTrip(t *testing.T) {
	e := harness.New(t)
	e.MustRun("import", e.BusyboxTar(), "base")
	r := e.Run("run", "--name", "c1", "base", "sh", "-c", changes)
	require.Equal(t, 0, r.Code, "%v", r)

	diff := e.MustRun("diff", "c1")
	// Docker's rules: a whiteout is D; a path in the upper layer and below
	// it is C (a directory replaced by a file, here /var/www); an opaque
	// directory, which hides all below it, is D and its contents A (mkdir
	// over a deleted file or directory makes one: /etc/os-release,
	// /var/spool); parents of changes are C.
	want := "C /etc\nA /etc/added\nD /etc/os-release\nA /etc/os-release/f\nC /etc/passwd\nD /etc/shells\n" +
		"C /var\nD /var/spool\nA /var/spool/fresh\nA /var/spool/fresh/y\nC /var/www\n"
	if !equalLines(diff, want) {
		t.Errorf("diff c1:\n%s\nwant (in any order):\n%s", diff, want)
	}

	e.MustRun("commit", "c1", "v1")
	got := e.MustRun("run", "--rm", "v1", "sh", "-c", verify)
	if got != "added\nmodified\nshells-gone\nnow-a-file\ninside\nfresh\n" {
		t.Errorf("the committed image shows:\n%s", got)
	}

	// A third layer on top of the second.
	e.MustRun("run", "--name", "c2", "v1", "sh", "-c", "echo third > /third; rm /etc/added")
	e.MustRun("commit", "c2", "v2")
	got = e.MustRun("run", "--rm", "v2", "sh", "-c", "cat /third; test ! -e /etc/added && echo added-gone; tail -1 /etc/passwd")
	if got != "third\nadded-gone\nmodified\n" {
		t.Errorf("the third layer's image shows:\n%s", got)
	}
	var layers []string
	require.NoError(t, json.Unmarshal([]byte(e.MustRun("inspect", "-f", "{{json .RootFS.Layers}}", "v2")), &layers))
	if len(layers) != 3 {
		t.Errorf("v2 has %d layers, want 3: base, c1's changes, c2's changes", len(layers))
	}
	// The image itself never changed.
	if got := e.MustRun("run", "--rm", "base", "cat", "/etc/shells"); got != "/bin/sh\n" {
		t.Errorf("base's /etc/shells = %q after all that, want it untouched", got)
	}
	e.MustRun("rm", "c1", "c2")
}

func TestContainersAreIsolatedAndShareLayers(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	start := func(name, file string) *exec.Cmd {
		cmd := e.Cmd("run", "--name", name, "busybox", "sh", "-c",
			"echo mine > /"+file+"; echo ready; while [ ! -e /go ]; do sleep 0.05; done")
		out, _ := cmd.StdoutPipe()
		require.NoError(t, cmd.Start())
		buf := make([]byte, 6)
		out.Read(buf)
		return cmd
	}
	a, b := start("a", "from-a"), start("b", "from-b")
	defer func() {
		e.Run("rm", "-f", "a", "b")
		a.Wait()
		b.Wait()
	}()
	for name, other := range map[string]string{"a": "from-b", "b": "from-a"} {
		// exec into the running container is a later chapter: look from
		// the host, through its init's mount namespace.
		pid := strings.TrimSpace(e.MustRun("inspect", "-f", "{{.State.Pid}}", name))
		root := "/proc/" + pid + "/root"
		if _, err := os.Stat(filepath.Join(root, other)); err == nil {
			t.Errorf("container %s sees /%s, written by the other container", name, other)
		}
	}
	// Both stack the same unpacked layer: the same directory in their
	// overlay options, and the very same inode for a file neither wrote.
	var lowers []string
	var inodes []uint64
	for _, name := range []string{"a", "b"} {
		pid := strings.TrimSpace(e.MustRun("inspect", "-f", "{{.State.Pid}}", name))
		data, err := os.ReadFile("/proc/" + pid + "/mountinfo")
		require.NoError(t, err)
		m := regexp.MustCompile(`lowerdir=([^,]+)`).FindStringSubmatch(string(data))
		require.NotNil(t, m, "no overlay in %s's mountinfo", name)
		parts := strings.Split(m[1], ":")
		lowers = append(lowers, parts[len(parts)-1]) // the image's base layer
		var st syscall.Stat_t
		require.NoError(t, syscall.Stat("/proc/"+pid+"/root/bin/busybox", &st))
		inodes = append(inodes, st.Ino)
	}
	if lowers[0] != lowers[1] {
		t.Errorf("the two containers' base layers are %s and %s, want one shared directory", lowers[0], lowers[1])
	}
	base := lowers[0]
	if !filepath.IsAbs(base) {
		base = filepath.Join(e.Root, "layers", base)
	}
	layerFile := filepath.Join(base, "bin", "busybox")
	var st syscall.Stat_t
	require.NoError(t, syscall.Stat(layerFile, &st))
	if inodes[0] != inodes[1] || inodes[0] != st.Ino {
		t.Errorf("/bin/busybox has inodes %v in the containers and %d in the layer store: want one file, shared", inodes, st.Ino)
	}
	entries, _ := os.ReadDir(filepath.Join(e.Root, "layers"))
	if n := countLayers(entries); n != 1 {
		t.Errorf("the layer store holds %d layers for one one-layer image, want 1", n)
	}
}

func TestRemovingContainersAndImages(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("run", "--name", "c", "busybox", "sh", "-c", "echo x > /x")
	e.MustRun("commit", "c", "app")
	dir := filepath.Join(e.Root, "containers")
	r := e.Run("rmi", "app")
	if r.Code != 0 { // app is not used by a container: c uses busybox
		t.Fatalf("rmi app: %v", r)
	}
	r = e.Run("rmi", "busybox")
	if r.Code != 1 || !strings.Contains(r.Stderr, "conflict: unable to remove image busybox: container") {
		t.Errorf("rmi of an image a container uses: %v", r)
	}
	e.MustRun("rm", "c")
	if entries, _ := os.ReadDir(dir); len(entries) != 1 { // .lock
		t.Errorf("after rm, the container store holds %d entries: the writable layer should be gone", len(entries))
	}
	out := e.MustRun("rmi", "busybox")
	if !strings.HasPrefix(out, "Untagged: busybox:latest\nDeleted: sha256:") {
		t.Errorf("rmi busybox said %q", out)
	}
	entries, _ := os.ReadDir(filepath.Join(e.Root, "layers"))
	if n := countLayers(entries); n != 0 {
		t.Errorf("after removing every image, %d layers are left unpacked", n)
	}
	blobs, _ := os.ReadDir(filepath.Join(e.Root, "images", "blobs", "sha256"))
	if len(blobs) != 0 {
		t.Errorf("after removing every image, %d blobs are left", len(blobs))
	}
}

func TestSharedLayerOutlivesOneImage(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.MustRun("tag", "busybox", "other:1")
	out := e.MustRun("rmi", "busybox")
	if out != "Untagged: busybox:latest\n" {
		t.Errorf("rmi of one of two names said %q, want only Untagged", out)
	}
	if got := e.MustRun("run", "--rm", "other:1", "echo", "still here"); got != "still here\n" {
		t.Errorf("the image lost a name and its layers with it: %q", got)
	}
}

func TestKilledUnpackLeavesNothingHalfDone(t *testing.T) {
	harness.NotShort(t, "an unpack killed halfway")
	e := harness.New(t)
	e.Daemonless("it kills the mydocker that unpacks the layer, mid-unpack: through a daemon the daemon unpacks, and the client's end does not stop it")
	big := filepath.Join(t.TempDir(), "big.tar")
	makeBigTar(t, big)
	cmd := e.Cmd("run", "--rm", big, "true")
	require.NoError(t, cmd.Start())
	// Wait until the unpack is under way, then kill mydocker outright.
	layers := filepath.Join(e.Root, "layers")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if matches, _ := filepath.Glob(filepath.Join(layers, ".tmp-*", "diff", "*")); len(matches) > 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if stale, _ := filepath.Glob(filepath.Join(layers, ".tmp-*")); len(stale) == 0 {
		t.Fatalf("the unpack finished before the kill: the test needs a bigger tarball")
	}
	entries, _ := os.ReadDir(layers)
	for _, d := range entries {
		if !strings.HasPrefix(d.Name(), ".") {
			if _, err := os.Stat(filepath.Join(layers, d.Name(), "diffid")); err != nil {
				t.Errorf("a killed unpack left %s looking like a layer, without its diffid", d.Name())
			}
		}
	}
	// A container record may remain (mydocker died before --rm's undo): rm
	// it; then the next run sweeps up the temp dir and succeeds.
	for _, id := range strings.Fields(e.MustRun("ps", "-aq")) {
		e.MustRun("rm", "-f", id)
	}
	if got := e.MustRun("run", "--rm", big, "sh", "-c", "ls /data | wc -l"); strings.TrimSpace(got) != "2000" {
		t.Errorf("after a killed unpack, the next run sees %q files, want 2000", got)
	}
	entries, _ = os.ReadDir(layers)
	for _, d := range entries {
		if strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("the killed unpack's temp dir %s is still there after the next run", d.Name())
		}
	}
}

// TestTraceShowsOverlay: the overlay's options, volatile for a --rm
// container (no syncfs of the upper layer's filesystem when it goes).
func TestTraceShowsOverlay(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("--trace narrates the kernel steps on the stderr of the mydocker that takes them: through a daemon, the daemon's")
	e.Busybox()
	r := e.Run("--trace", "run", "--rm", "busybox", "true")
	require.Equal(t, 0, r.Code, "%v", r)
	re := regexp.MustCompile(`=> \[init +[0-9.]+ms\] mount\("overlay", ".*/rootfs", "overlay", MS_NODEV, "lowerdir=[^"]*/init:[0-9a-f]{64}/diff,upperdir=[^"]*/upper,workdir=[^"]*/work,index=off,redirect_dir=off,metacopy=off,volatile"\)`)
	if !re.MatchString(r.Stderr) {
		t.Errorf("--trace lacks the overlay mount with its options:\n%s", r.Stderr)
	}
}

// makeBigTar writes a busybox root plus 2000 files of 64 KiB under /data:
// big enough to kill an unpack in the middle.
func makeBigTar(t *testing.T, path string) {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("sh", "-c", `cd "$1" && mkdir data && head -c 65536 /dev/urandom > seed &&
		i=0; while [ $i -lt 2000 ]; do cp seed data/f$i; i=$((i+1)); done; rm seed`, "sh", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	bb, err := exec.LookPath("busybox")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	harness.CopyFile(t, bb, filepath.Join(dir, "bin", "busybox"), 0o755)
	for _, a := range []string{"sh", "ls", "wc", "true"} {
		require.NoError(t, os.Symlink("busybox", filepath.Join(dir, "bin", a)))
	}
	out, err = exec.Command("tar", "-cf", path, "-C", dir, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
}

func countLayers(entries []os.DirEntry) int {
	n := 0
	for _, d := range entries {
		if !strings.HasPrefix(d.Name(), ".") {
			n++
		}
	}
	return n
}

func equalLines(a, b string) bool {
	x, y := strings.Split(strings.TrimSpace(a), "\n"), strings.Split(strings.TrimSpace(b), "\n")
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, "\n") == strings.Join(y, "\n")
}

// Chapter 05's tests: real images, through a real registry (Debian's
// docker-registry, started by the tests on 127.0.0.1), with fixtures built
// as OCI layouts by the tests and pushed with skopeo. Nothing comes from
// the internet.
package chapter05

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/doctor"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/builtin"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/layout"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
)

func TestMain(m *testing.M) { harness.Main(m) }

// fixture is a runnable three-layer image: busybox, then a layer adding
// files, then one deleting some with whiteouts (a file, and a directory
// made opaque).
func fixture(t *testing.T, arch string) image.Image {
	t.Helper()
	bin, err := doctor.FindStaticBusybox()
	require.NoError(t, err)
	base, cfg, err := builtin.Busybox(bin)
	require.NoError(t, err)
	l0, err := image.LayerFromTar(base)
	require.NoError(t, err)
	l1, err := image.LayerFromTar(tarOf(t, map[string]string{
		"etc/motd": "welcome\n", "tmp/junk": "to be deleted\n", "opt/app/old": "old\n", "opt/app/keep": "replaced\n"}))
	require.NoError(t, err)
	l2, err := image.LayerFromTar(tarOf(t, map[string]string{
		"tmp/.wh.junk": "", "opt/app/.wh..wh..opq": "", "opt/app/new": "new\n"}))
	require.NoError(t, err)
	cfg.Architecture = arch
	cfg.Config.Env = append(cfg.Config.Env, "FIXTURE=yes")
	img, err := image.Build(cfg, []image.Layer{l0, l1, l2})
	require.NoError(t, err)
	return img
}

func tarOf(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names) // the same bytes, so the same digests, every run
	for _, name := range names {
		body := files[name]
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)),
			Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}))
		tw.Write([]byte(body))
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

// pushFixture writes img as an OCI layout and pushes it with skopeo.
func pushFixture(t *testing.T, reg *registrytest.Registry, name string, img image.Image) {
	t.Helper()
	dir := t.TempDir()
	l, err := layout.Create(dir)
	require.NoError(t, err)
	require.NoError(t, l.Write(img, map[string]string{layout.AnnotationRefName: "fixture"}))
	imagetest.Skopeo(t, "copy", "--dest-tls-verify=false", "oci:"+dir+":fixture", "docker://"+reg.Host+"/"+name)
}

// manifestDigest asks the registry, through skopeo, for a tag's digest.
func manifestDigest(t *testing.T, reg *registrytest.Registry, name string) string {
	t.Helper()
	out := imagetest.Skopeo(t, "inspect", "--tls-verify=false", "--raw", "docker://"+reg.Host+"/"+name)
	return string(digest.FromBytes(out))
}

func TestPullRunPush(t *testing.T) {
	e := harness.New(t)
	reg := registrytest.Start(t, registrytest.Options{})
	pushFixture(t, reg, "fixture:1", fixture(t, "amd64"))
	ref := reg.Host + "/fixture:1"

	out := e.MustRun("pull", ref)
	for _, want := range []string{"1: Pulling from fixture", "Pull complete", "Digest: " + manifestDigest(t, reg, "fixture:1"),
		"Status: Downloaded newer image for " + ref, ref} {
		if !strings.Contains(out, want) {
			t.Errorf("pull output lacks %q:\n%s", want, out)
		}
	}
	got := e.MustRun("run", "--rm", ref, "sh", "-c", "echo hi; cat /etc/motd; ls /tmp; ls /opt/app; echo $FIXTURE")
	if got != "hi\nwelcome\nnew\nyes\n" {
		t.Errorf("run of the pulled image printed %q; want its layers applied, whiteouts included", got)
	}
	// A second pull downloads nothing.
	if out := e.MustRun("pull", ref); !strings.Contains(out, "Already exists") || !strings.Contains(out, "Image is up to date") {
		t.Errorf("a second pull:\n%s\nwant every layer Already exists and the image up to date", out)
	}
	// Push it back under another name: the same manifest, byte for byte.
	e.MustRun("tag", ref, reg.Host+"/copy:1")
	out = e.MustRun("push", reg.Host+"/copy:1")
	if !strings.Contains(out, "Pushed") || !strings.Contains(out, "digest: "+manifestDigest(t, reg, "fixture:1")) {
		t.Errorf("push output:\n%s", out)
	}
	if a, b := manifestDigest(t, reg, "fixture:1"), manifestDigest(t, reg, "copy:1"); a != b {
		t.Errorf("pushed back, the manifest digest changed: %s became %s", a, b)
	}
	// Pushing again: every blob is already there.
	if out := e.MustRun("push", reg.Host+"/copy:1"); strings.Count(out, "Layer already exists") != 3 {
		t.Errorf("a second push:\n%s\nwant all three layers already there", out)
	}
}

// Docker decompresses layers with unpigz when it is on the PATH, and with
// Go's gzip when it is not; so does mydocker. Both ways must pull the same
// image, and both must refuse a corrupt blob with the same line.
func TestPullWithAndWithoutUnpigz(t *testing.T) {
	reg := registrytest.Start(t, registrytest.Options{})
	img := fixture(t, "amd64")
	pushFixture(t, reg, "fixture:1", img)
	proxy := registrytest.NewFaultProxy(t, reg)
	layers, _ := img.Layers()
	top, _ := layers[2].Digest()
	ref := proxy.Host + "/fixture:1"
	_, lookErr := exec.LookPath("unpigz")
	for _, way := range []struct {
		name   string
		env    []string
		unpigz bool
	}{{"unpigz", nil, true}, {"Go's gzip", []string{"MYDOCKER_DISABLE_PIGZ=1"}, false}} {
		t.Run(way.name, func(t *testing.T) {
			if way.unpigz && lookErr != nil {
				if os.Getenv("CI") == "true" {
					t.Fatal("unpigz is not on the PATH (scripts/provision.sh installs pigz)")
				}
				t.Skip("unpigz is not on the PATH: install pigz to test Docker's way")
			}
			e := harness.New(t)
			e.Daemonless("--trace shows whether the pull ran unpigz, on the stderr of the mydocker that pulls: through a daemon, the daemon's")
			e.Environ = append(e.Environ, way.env...)
			proxy.Set(registrytest.Faults{CorruptBlob: top})
			r := e.Run("pull", ref)
			proxy.Set(registrytest.Faults{})
			if r.Code != 1 || !strings.Contains(r.Stderr, "digest mismatch: content named "+string(top)) {
				t.Errorf("pull of a corrupt blob: %v\nwant exit 1 and the digest mismatch", r)
			}
			assertNoTemp(t, e.Root)
			r = e.Run("--trace", "pull", ref) // the trace goes to stderr
			require.Zero(t, r.Code, "%v", r)
			if used := strings.Contains(r.Stderr, "unpigz -d -c"); used != way.unpigz {
				t.Errorf("pull through unpigz = %v, want %v:\n%s", used, way.unpigz, r.Stderr)
			}
			got := e.MustRun("run", "--rm", ref, "sh", "-c", "cat /etc/motd; ls /tmp; ls /opt/app; echo $FIXTURE")
			if got != "welcome\nnew\nyes\n" {
				t.Errorf("run of the pulled image printed %q; want its layers applied, whiteouts included", got)
			}
		})
	}
}

func TestRunPullsWhatIsMissing(t *testing.T) {
	e := harness.New(t)
	reg := registrytest.Start(t, registrytest.Options{})
	pushFixture(t, reg, "fixture:1", fixture(t, "amd64"))
	r := e.Run("run", "--rm", reg.Host+"/fixture:1", "echo", "hi")
	if r.Code != 0 || r.Stdout != "hi\n" || !strings.Contains(r.Stderr, "Unable to find image '"+reg.Host+"/fixture:1' locally") {
		t.Errorf("run of an image not pulled yet: %v", r)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	e := harness.New(t)
	reg := registrytest.Start(t, registrytest.Options{})
	pushFixture(t, reg, "fixture:1", fixture(t, "amd64"))
	ref := reg.Host + "/fixture:1"
	e.MustRun("pull", ref)
	saved := filepath.Join(t.TempDir(), "saved.tar")
	e.MustRun("save", "-o", saved, ref)

	// Real tools read it back, both ways Docker 25's format allows.
	var cfg struct{ Layers []string }
	require.NoError(t, json.Unmarshal(imagetest.Skopeo(t, "inspect", "docker-archive:"+saved), &cfg))
	if len(cfg.Layers) != 3 {
		t.Errorf("skopeo inspect docker-archive: sees %d layers, want 3", len(cfg.Layers))
	}
	raw := imagetest.Skopeo(t, "inspect", "--raw", "oci-archive:"+saved)
	if d := string(digest.FromBytes(raw)); d != manifestDigest(t, reg, "fixture:1") {
		t.Errorf("skopeo inspect oci-archive: sees manifest %s, want the registry's", d)
	}

	// load into a fresh store, push: the same manifest digest.
	e2 := harness.New(t)
	if out := e2.MustRun("load", "-i", saved); out != "Loaded image: "+ref+"\n" {
		t.Errorf("load said %q", out)
	}
	e2.MustRun("tag", ref, reg.Host+"/reloaded:1")
	e2.MustRun("push", reg.Host+"/reloaded:1")
	if a, b := manifestDigest(t, reg, "fixture:1"), manifestDigest(t, reg, "reloaded:1"); a != b {
		t.Errorf("pull → save → load → push changed the manifest digest: %s became %s", a, b)
	}
	if got := e2.MustRun("run", "--rm", ref, "cat", "/etc/motd"); got != "welcome\n" {
		t.Errorf("the loaded image runs and prints %q", got)
	}
}

func TestLoadWhatOtherToolsWrite(t *testing.T) {
	e := harness.New(t)
	dir := t.TempDir()
	l, err := layout.Create(filepath.Join(dir, "oci"))
	require.NoError(t, err)
	require.NoError(t, l.Write(fixture(t, "amd64"), map[string]string{layout.AnnotationRefName: "fixture"}))
	tests := []struct{ format, dest, name string }{
		// The legacy docker save layout (<= Docker 24), as skopeo writes it.
		{"docker-archive", "docker-archive:" + filepath.Join(dir, "legacy.tar") + ":legacy:1", "legacy:1"},
		// An OCI image layout in a tar.
		{"oci-archive", "oci-archive:" + filepath.Join(dir, "oci.tar") + ":ociname:1", "ociname:1"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			imagetest.Skopeo(t, "copy", "oci:"+filepath.Join(dir, "oci")+":fixture", tt.dest)
			file := strings.SplitN(strings.TrimPrefix(tt.dest, tt.format+":"), ":", 2)[0]
			r := e.Run("load", "-i", file)
			require.Equal(t, 0, r.Code, "%v", r)
			name := tt.name
			if !strings.Contains(r.Stdout, name) {
				// An OCI archive names its image by tag only ("1"); load
				// then gives the image ID, and the test tags it.
				id := strings.TrimSpace(strings.TrimPrefix(r.Stdout, "Loaded image ID: "))
				e.MustRun("tag", id, name)
			}
			if got := e.MustRun("run", "--rm", name, "sh", "-c", "cat /etc/motd; ls /opt/app"); got != "welcome\nnew\n" {
				t.Errorf("run of the %s image printed %q", tt.format, got)
			}
		})
	}
}

func TestMultiPlatformIndex(t *testing.T) {
	e := harness.New(t)
	reg := registrytest.Start(t, registrytest.Options{})
	amd, arm := fixture(t, "amd64"), fixture(t, "arm64")
	idx := registrytest.Index(t,
		registrytest.IndexEntry{Image: arm, Platform: &image.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		registrytest.Attestation(t, arm),
		registrytest.IndexEntry{Image: amd, Platform: &image.Platform{OS: "linux", Architecture: "amd64"}},
		registrytest.Attestation(t, amd),
	)
	dir := t.TempDir()
	l, err := layout.Create(dir)
	require.NoError(t, err)
	require.NoError(t, l.WriteIndex(idx, map[string]string{layout.AnnotationRefName: "multi"}))
	imagetest.Skopeo(t, "copy", "--all", "--dest-tls-verify=false", "oci:"+dir+":multi", "docker://"+reg.Host+"/multi:1")

	e.MustRun("pull", reg.Host+"/multi:1")
	arch := e.MustRun("inspect", "-f", "{{.Architecture}}", reg.Host+"/multi:1")
	if strings.TrimSpace(arch) != "amd64" {
		t.Errorf("pulled the %s image out of the index, want amd64", arch)
	}
	if got := e.MustRun("run", "--rm", reg.Host+"/multi:1", "echo", "ok"); got != "ok\n" {
		t.Errorf("run: %q", got)
	}
	// An index without this platform: one clear line naming what there is.
	idx2 := registrytest.Index(t, registrytest.IndexEntry{Image: arm, Platform: &image.Platform{OS: "linux", Architecture: "arm64"}})
	dir2 := t.TempDir()
	l2, _ := layout.Create(dir2)
	require.NoError(t, l2.WriteIndex(idx2, map[string]string{layout.AnnotationRefName: "armonly"}))
	imagetest.Skopeo(t, "copy", "--all", "--dest-tls-verify=false", "oci:"+dir2+":armonly", "docker://"+reg.Host+"/armonly:1")
	r := e.Run("pull", reg.Host+"/armonly:1")
	if r.Code != 1 || !strings.Contains(r.Stderr, "no image for linux/amd64") || !strings.Contains(r.Stderr, "linux/arm64") {
		t.Errorf("pull of an index without linux/amd64: %v", r)
	}
}

func TestTokenAuth(t *testing.T) {
	e := harness.New(t)
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Token})
	img := fixture(t, "amd64")
	dir := t.TempDir()
	l, _ := layout.Create(dir)
	require.NoError(t, l.Write(img, map[string]string{layout.AnnotationRefName: "fixture"}))
	imagetest.Skopeo(t, "copy", "--dest-tls-verify=false", "--dest-registry-token=anything",
		"oci:"+dir+":fixture", "docker://"+reg.Host+"/secured:1")
	reg.Tokens.Reset()
	e.MustRun("pull", reg.Host+"/secured:1")
	scopes := strings.Join(reg.Tokens.Scopes(), " ")
	if !strings.Contains(scopes, "repository:secured:pull") {
		t.Errorf("the token server was asked for %q, want repository:secured:pull", scopes)
	}
	e.MustRun("tag", reg.Host+"/secured:1", reg.Host+"/pushed:1")
	e.MustRun("push", reg.Host+"/pushed:1")
	if scopes := strings.Join(reg.Tokens.Scopes(), " "); !strings.Contains(scopes, "repository:pushed:pull,push") {
		t.Errorf("for a push the token server was asked for %q, want repository:pushed:pull,push", scopes)
	}
}

func TestBasicAuthAndLogin(t *testing.T) {
	e := harness.New(t)
	config := t.TempDir()
	e.Environ = append(e.Environ, "MYDOCKER_CONFIG="+config)
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Htpasswd})
	img := fixture(t, "amd64")
	dir := t.TempDir()
	l, _ := layout.Create(dir)
	require.NoError(t, l.Write(img, map[string]string{layout.AnnotationRefName: "fixture"}))
	imagetest.Skopeo(t, "copy", "--dest-tls-verify=false", "--dest-creds="+registrytest.DefaultUser+":"+registrytest.DefaultPassword,
		"oci:"+dir+":fixture", "docker://"+reg.Host+"/private:1")

	r := e.Run("pull", reg.Host+"/private:1")
	if r.Code != 1 || strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, "pull access denied") ||
		!strings.Contains(r.Stderr, "mydocker login "+reg.Host) {
		t.Errorf("pull without logging in: %v", r)
	}
	r = e.RunInput(strings.NewReader("wrong\n"), "login", "-u", registrytest.DefaultUser, "--password-stdin", reg.Host)
	if r.Code != 1 || !strings.Contains(r.Stderr, "wrong username or password") {
		t.Errorf("login with a wrong password: %v", r)
	}
	if _, err := os.Stat(filepath.Join(config, "config.json")); err == nil {
		t.Errorf("a failed login stored credentials")
	}
	out := e.MustRun("login", "-u", registrytest.DefaultUser, "-p", registrytest.DefaultPassword, reg.Host)
	if out != "Login Succeeded\n" {
		t.Errorf("login said %q", out)
	}
	fi, err := os.Stat(filepath.Join(config, "config.json"))
	require.NoError(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the credentials file has mode %v, want 0600", fi.Mode().Perm())
	}
	e.MustRun("pull", reg.Host+"/private:1")
	e.MustRun("logout", reg.Host)
	e.MustRun("rmi", reg.Host+"/private:1")
	if r := e.Run("pull", reg.Host+"/private:1"); r.Code == 0 {
		t.Errorf("pull after logout succeeded: %v", r)
	}
}

// TestFaults: each fault gives one clear line and leaves nothing stored;
// once the fault is gone, the same pull succeeds.
func TestFaults(t *testing.T) {
	e := harness.New(t)
	reg := registrytest.Start(t, registrytest.Options{})
	img := fixture(t, "amd64")
	pushFixture(t, reg, "fixture:1", img)
	proxy := registrytest.NewFaultProxy(t, reg)
	layers, _ := img.Layers()
	top, _ := layers[2].Digest()
	ref := proxy.Host + "/fixture:1"
	tests := []struct {
		name   string
		faults registrytest.Faults
		ref    string
		msg    string
	}{
		{"corrupt blob", registrytest.Faults{CorruptBlob: top}, ref, "digest mismatch: content named " + string(top)},
		{"truncated blob", registrytest.Faults{TruncateBlob: top}, ref, "truncated"},
		{"unknown manifest type", registrytest.Faults{ManifestType: "application/x-what"}, ref, "application/x-what"},
		{"registry down", registrytest.Faults{Down: true}, ref, "not reachable"},
		{"server error", registrytest.Faults{Status: 500, Match: "/blobs/"}, ref, "500"},
		// A registry answering without end: Docker's 4 MiB limit on
		// manifests, and a blob read only up to its descriptor's size.
		{"endless manifest", registrytest.Faults{Endless: "/manifests/"}, ref, "is larger than 4 MiB, the most mydocker reads"},
		{"endless blob", registrytest.Faults{Endless: "/blobs/"}, ref, "is longer than its"},
		{"no such image", registrytest.Faults{}, proxy.Host + "/nothing:1", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy.Set(tt.faults)
			r := e.Run("pull", tt.ref)
			proxy.Set(registrytest.Faults{})
			t.Logf("%s", r.Stderr)
			if r.Code != 1 || strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, tt.msg) {
				t.Errorf("%v\nwant exit 1 and one line with %q", r, tt.msg)
			}
			if out := e.MustRun("images", "-q"); out != "" {
				t.Errorf("a failed pull left an image named: %q", out)
			}
			assertNoTemp(t, e.Root)
			if tt.ref == ref {
				e.MustRun("pull", ref) // the fault is gone: the retry works
				e.MustRun("rmi", ref)
			}
		})
	}
}

func TestZstdLayer(t *testing.T) {
	e := harness.New(t)
	reg := registrytest.Start(t, registrytest.Options{})
	layer := registrytest.BlobLayer([]byte("\x28\xb5\x2f\xfd not really zstd"), image.MediaTypeOCILayerZstd)
	img, err := image.Build(image.ConfigFile{}, []image.Layer{layer})
	require.NoError(t, err)
	pushFixture(t, reg, "zstd:1", img)
	r := e.Run("pull", reg.Host+"/zstd:1")
	if r.Code != 1 || !strings.Contains(r.Stderr, "zstd-compressed layers are not supported") {
		t.Errorf("pull of a zstd image: %v", r)
	}
	assertNoTemp(t, e.Root)
}

func TestBadReferences(t *testing.T) {
	e := harness.New(t)
	for _, name := range []string{"library/UPPER", "a::b", "x@sha256:1234"} {
		r := e.Run("pull", name)
		if r.Code != 1 || !strings.Contains(r.Stderr, "invalid reference format") {
			t.Errorf("pull %q: %v", name, r)
		}
	}
}

// assertNoTemp checks that no temp file or directory is left in the stores.
func assertNoTemp(t *testing.T, root string) {
	t.Helper()
	for _, pattern := range []string{"images/.tmp-*", "layers/.tmp-*", "images/blobs/sha256/.tmp*"} {
		if m, _ := filepath.Glob(filepath.Join(root, pattern)); len(m) > 0 {
			t.Errorf("left behind: %v", m)
		}
	}
}

// Images made here record the machine they are for, the OS and CPU
// mydocker was built for (runtime.GOARCH), as Docker does: not a constant
// that happens to match the test machine's. A mydocker built for the
// host's other CPU mode (386 on amd64, 32-bit arm on arm64), which this
// kernel also runs, makes images for that CPU.
func TestImagesRecordTheirArchitecture(t *testing.T) {
	e := harness.New(t)
	other, ok := map[string]string{"amd64": "386", "arm64": "arm"}[runtime.GOARCH]
	harness.Require(t, ok, "no second CPU mode known for "+runtime.GOARCH)
	tarball := e.BusyboxTar()
	foreign := harness.BuildFor(t, other)
	err := exec.Command(foreign, "version").Run()
	harness.Require(t, err == nil, fmt.Sprintf("this kernel cannot run a GOARCH=%s program (%v): it needs %s compat support",
		other, err, map[string]string{"386": "IA32_EMULATION", "arm": "COMPAT (AArch32)"}[other]))
	for _, goarch := range []string{runtime.GOARCH, other} {
		t.Run(goarch, func(t *testing.T) {
			e := harness.New(t)
			if goarch == other {
				e.Bin = foreign
			}
			e.MustRun("mkimage", "busybox")          // the built-in image
			e.MustRun("import", tarball, "imported") // Build with no platform
			want := "linux/" + goarch + "\n"
			for _, name := range []string{"busybox", "imported"} {
				if got := e.MustRun("inspect", "-f", "{{.Os}}/{{.Architecture}}", name); got != want {
					t.Errorf("a mydocker built for %s made %s for %q, want %q", goarch, name, got, want)
				}
			}
		})
	}
}

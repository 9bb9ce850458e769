// Interop with the real Docker engine: images travel both ways between
// mydocker and Docker, and each side names an image with the same ID, the
// digest of its config. One Docker engine for the whole test
// (harness.StartDockerd, on a socket and data root of its own), one
// registry (Debian's docker-registry on 127.0.0.1); every image is made
// here, by mydocker or by Docker's own build from mydocker's busybox.
package chapter05

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
)

func TestDockerInterop(t *testing.T) {
	harness.RequireRoot(t)
	reg := registrytest.Start(t, registrytest.Options{})
	pushFixture(t, reg, "fixture:1", fixture(t, "amd64"))
	fixtureRef := reg.Host + "/fixture:1"
	d := harness.StartDockerd(t)
	t.Logf("Docker engine %s", strings.TrimSpace(d.MustDocker("version", "--format", "{{.Server.Version}}")))

	// mydocker save → docker load: the built-in busybox (one layer) and the
	// fixture (three, the last with whiteouts), which Docker then runs.
	t.Run("docker load of our save", func(t *testing.T) {
		e, d := harness.New(t), d.For(t)
		e.Busybox()
		e.MustRun("pull", "-q", fixtureRef)
		for _, ref := range []string{"busybox:latest", fixtureRef} {
			saved := filepath.Join(t.TempDir(), "saved.tar")
			e.MustRun("save", "-o", saved, ref)
			d.Load(saved)
			sameID(t, e, d, ref)
		}
		if got := d.MustDocker("run", "--rm", "--network", "none", fixtureRef,
			"sh", "-c", "cat /etc/motd; ls /tmp; ls /opt/app; echo $FIXTURE"); got != "welcome\nnew\nyes\n" {
			t.Errorf("Docker ran the image mydocker saved and it printed %q, want %q", got, "welcome\nnew\nyes\n")
		}
	})

	// mydocker push → docker pull: the same manifest digest and image ID.
	t.Run("docker pull of our push", func(t *testing.T) {
		e, d := harness.New(t), d.For(t)
		e.Busybox()
		e.MustRun("pull", "-q", fixtureRef)
		for _, src := range []string{"busybox:latest", fixtureRef} {
			name := "ours-" + strings.Split(filepath.Base(src), ":")[0]
			ref := reg.Host + "/" + name + ":1"
			e.MustRun("tag", src, ref)
			out := e.MustRun("push", ref)
			digest := pushedDigest.FindStringSubmatch(out)
			require.NotNil(t, digest, "push said:\n%s", out)
			// mydocker pushes OCI media types; Docker pulls them.
			if mt := mediaTypes(t, reg, name+":1"); mt != ociTypes {
				t.Errorf("mydocker pushed %s with media types %s, want %s", ref, mt, ociTypes)
			}
			d.MustDocker("pull", ref)
			sameID(t, e, d, ref)
			want := reg.Host + "/" + name + "@" + digest[1]
			if got := strings.TrimSpace(d.MustDocker("image", "inspect", "-f", "{{join .RepoDigests \" \"}}", ref)); got != want {
				t.Errorf("Docker pulled %s as %s, want the digest mydocker pushed, %s", ref, got, want)
			}
		}
		if got := d.MustDocker("run", "--rm", "--network", "none", reg.Host+"/ours-busybox:1", "echo", "hi"); got != "hi\n" {
			t.Errorf("Docker ran the image mydocker pushed and it printed %q", got)
		}
	})

	// docker build → docker push → mydocker pull, and docker save →
	// mydocker load: an image Docker built on mydocker's busybox, whose
	// later layers delete files (whiteouts) and replace a directory.
	t.Run("our pull and load of what Docker built", func(t *testing.T) {
		e, d := harness.New(t), d.For(t)
		e.Busybox()
		saved := filepath.Join(t.TempDir(), "busybox.tar")
		e.MustRun("save", "-o", saved, "busybox")
		d.Load(saved)
		ctx := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(dockerfile), 0o644))
		built := reg.Host + "/built:1"
		d.Build(ctx, built)
		id := d.ImageID(built)
		d.MustDocker("push", built)
		// Docker 20.10 pushes its own media types (schema 2); later
		// engines may push OCI ones. mydocker reads both.
		t.Logf("Docker pushed %s", mediaTypes(t, reg, "built:1"))
		archive := filepath.Join(t.TempDir(), "built.tar")
		d.MustDocker("save", "-o", archive, built)
		logWhiteouts(t, archive)

		out := e.MustRun("pull", built)
		if want := "Digest: " + manifestDigest(t, reg, "built:1"); !strings.Contains(out, want) {
			t.Errorf("mydocker pull of what Docker pushed:\n%s\nwant %q", out, want)
		}
		sameID(t, e, d, built)
		runBuilt(t, e, built)

		e2 := harness.New(t)
		if out := e2.MustRun("load", "-i", archive); out != "Loaded image: "+built+"\n" {
			t.Errorf("mydocker load of docker save said %q", out)
		}
		if got := strings.TrimSpace(e2.MustRun("inspect", "-f", "{{.Id}}", built)); got != id {
			t.Errorf("mydocker loaded what Docker saved as %s; Docker's ID is %s", got, id)
		}
		runBuilt(t, e2, built)
	})
}

// dockerfile builds, on mydocker's busybox, a layer that deletes a file of
// the base (/bin/vi) and one of its own (/etc/gone, made in the layer
// before), and replaces a directory the layer before filled: the deletes
// are whiteouts in the last layer, `.wh.` files or an opaque directory.
const dockerfile = `FROM busybox
RUN mkdir -p /opt/app && echo old > /opt/app/old && echo keep > /opt/app/keep && echo gone > /etc/gone && echo kept > /etc/kept
RUN rm /bin/vi /etc/gone && rm -rf /opt/app && mkdir /opt/app && echo new > /opt/app/new
ENV BUILT=docker
CMD ["sh", "-c", "echo built by $BUILT"]
`

// runBuilt runs the image Docker built, with mydocker: what the last layer
// deleted is gone, what it kept is there, the config's CMD and ENV hold.
func runBuilt(t *testing.T, e *harness.Env, ref string) {
	t.Helper()
	got := e.MustRun("run", "--rm", ref, "sh", "-c",
		"ls /opt/app; cat /etc/kept; for f in /etc/gone /bin/vi /opt/app/old; do [ -e $f ] && echo $f is still there; done; true")
	if want := "new\nkept\n"; got != want {
		t.Errorf("mydocker ran the image Docker built and it printed %q, want %q: whiteouts not applied?", got, want)
	}
	if got := e.MustRun("run", "--rm", ref); got != "built by docker\n" {
		t.Errorf("mydocker ran the image Docker built with its CMD and it printed %q", got)
	}
}

// mediaTypes reads a manifest from the registry, through skopeo, and
// returns its media type, its config's and its layers' (once each, in the
// order they first appear).
func mediaTypes(t *testing.T, reg *registrytest.Registry, name string) string {
	t.Helper()
	var m image.Manifest
	require.NoError(t, json.Unmarshal(imagetest.Skopeo(t, "inspect", "--tls-verify=false", "--raw", "docker://"+reg.Host+"/"+name), &m))
	types := []string{m.MediaType, m.Config.MediaType}
	for _, l := range m.Layers {
		if !slices.Contains(types[2:], l.MediaType) {
			types = append(types, l.MediaType)
		}
	}
	return strings.Join(types, " ")
}

// ociTypes are the media types of what mydocker makes and pushes.
var ociTypes = strings.Join([]string{image.MediaTypeOCIManifest, image.MediaTypeOCIConfig, image.MediaTypeOCILayerGzip}, " ")

var pushedDigest = regexp.MustCompile(`digest: (sha256:[0-9a-f]{64})`)

// sameID checks that mydocker and Docker give ref the same image ID.
func sameID(t *testing.T, e *harness.Env, d *harness.Dockerd, ref string) {
	t.Helper()
	mine := strings.TrimSpace(e.MustRun("inspect", "-f", "{{.Id}}", ref))
	if docker := d.ImageID(ref); mine != docker {
		t.Errorf("image %s: mydocker's ID is %s, Docker's %s", ref, mine, docker)
	}
}

// logWhiteouts lists the whiteouts in the layers of a docker save archive,
// and fails if there are none: the test is about them.
func logWhiteouts(t *testing.T, archive string) {
	t.Helper()
	f, err := os.Open(archive)
	require.NoError(t, err)
	defer f.Close()
	var whiteouts []string
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if !strings.HasSuffix(hdr.Name, ".tar") {
			continue
		}
		lt := tar.NewReader(tr)
		for {
			h, err := lt.Next()
			if err != nil {
				break
			}
			if strings.HasPrefix(filepath.Base(h.Name), ".wh.") {
				whiteouts = append(whiteouts, h.Name)
			}
		}
	}
	t.Logf("whiteouts in the layers Docker built: %q", whiteouts)
	if len(whiteouts) == 0 {
		t.Errorf("Docker's build made no whiteouts: the test proves nothing about them")
	}
}

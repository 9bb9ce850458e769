// The images endpoints through the real docker client: pull from and push
// to a registry on loopback (Debian's docker-registry, as chapter 05's
// tests start it), tag, images, inspect, rmi, save and load.
package chapter09

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/doctor"
	"github.com/mydocker/mydocker/mydocker/image"
	"github.com/mydocker/mydocker/mydocker/image/builtin"
	"github.com/mydocker/mydocker/mydocker/image/imagetest"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
)

// fixture is a runnable two-layer image: busybox, and a layer with
// /etc/motd.
func fixture(t *testing.T) image.Image {
	t.Helper()
	bin, err := doctor.FindStaticBusybox()
	require.NoError(t, err)
	base, cfg, err := builtin.Busybox(bin)
	require.NoError(t, err)
	l0, err := image.LayerFromTar(base)
	require.NoError(t, err)
	l1, err := image.LayerFromTar(imagetest.Tar(map[string]string{"etc/motd": "welcome\n"}))
	require.NoError(t, err)
	img, err := image.Build(cfg, []image.Layer{l0, l1})
	require.NoError(t, err)
	return img
}

// pushFixture puts the fixture in the registry as name, with skopeo.
func pushFixture(t *testing.T, reg *registrytest.Registry, name string) {
	t.Helper()
	dir := t.TempDir()
	registrytest.WriteOCILayout(t, dir, "fixture", fixture(t))
	imagetest.Skopeo(t, "copy", "--dest-tls-verify=false", "oci:"+dir+":fixture", "docker://"+reg.Host+"/"+name)
}

// manifestDigest asks the registry, through skopeo, for a tag's digest.
func manifestDigest(t *testing.T, reg *registrytest.Registry, name string) string {
	t.Helper()
	out := imagetest.Skopeo(t, "inspect", "--tls-verify=false", "--raw", "docker://"+reg.Host+"/"+name)
	return string(digest.FromBytes(out))
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

func TestImagesPullPushTagRmiSaveLoad(t *testing.T) {
	e := harness.New(t)
	d := e.StartDaemon()
	reg := registrytest.Start(t, registrytest.Options{})
	pushFixture(t, reg, "fixture:1")
	ref := reg.Host + "/fixture:1"
	want := manifestDigest(t, reg, "fixture:1")

	out := d.MustDocker("pull", ref)
	contains(t, "docker pull", out, "1: Pulling from fixture", "Pull complete", "Digest: "+want,
		"Status: Downloaded newer image for "+ref, "\n"+ref+"\n")
	if out := d.MustDocker("pull", ref); !strings.Contains(out, "Image is up to date for "+ref) {
		t.Errorf("a second docker pull:\n%s\nwant the image up to date", out)
	}

	// images and inspect, in Docker's columns and shape.
	out = d.MustDocker("images")
	contains(t, "docker images", out, "REPOSITORY", reg.Host+"/fixture   1 ")
	var inspect []struct {
		ID           string `json:"Id"`
		RepoTags     []string
		RepoDigests  []string
		Architecture string
		Os           string
		Size         int64
		Config       struct{ Cmd []string }
		RootFS       struct {
			Type   string
			Layers []string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(d.MustDocker("image", "inspect", ref)), &inspect))
	require.Len(t, inspect, 1)
	i := inspect[0]
	if len(i.RepoTags) != 1 || i.RepoTags[0] != ref || len(i.RepoDigests) != 1 || !strings.HasSuffix(i.RepoDigests[0], "@"+want) ||
		i.Os != "linux" || i.Size <= 0 || i.RootFS.Type != "layers" || len(i.RootFS.Layers) != 2 || !strings.HasPrefix(i.ID, "sha256:") {
		t.Errorf("docker image inspect %s = %+v", ref, i)
	}
	if id := strings.TrimSpace(d.MustDocker("images", "-q", "--no-trunc", ref)); id != i.ID {
		t.Errorf("docker images -q --no-trunc %s = %q, want %s", ref, id, i.ID)
	}

	// tag, then push the copy: the registry gets the same manifest.
	d.MustDocker("tag", ref, reg.Host+"/copy:1")
	out = d.MustDocker("push", reg.Host+"/copy:1")
	contains(t, "docker push", out, "The push refers to repository ["+reg.Host+"/copy]", "Pushed", "1: digest: "+want)
	if got := manifestDigest(t, reg, "copy:1"); got != want {
		t.Errorf("pushed back, the manifest is %s, want %s", got, want)
	}
	if out := d.MustDocker("push", reg.Host+"/copy:1"); strings.Count(out, "Layer already exists") != 2 {
		t.Errorf("a second docker push:\n%s\nwant both layers already there", out)
	}

	// save both names, remove them, load them back.
	saved := filepath.Join(t.TempDir(), "saved.tar")
	d.MustDocker("save", "-o", saved, ref, reg.Host+"/copy:1")
	out = d.MustDocker("rmi", reg.Host+"/copy:1")
	if out != "Untagged: "+reg.Host+"/copy:1\n" {
		t.Errorf("docker rmi of one of two names said %q, want only Untagged", out)
	}
	out = d.MustDocker("rmi", ref)
	contains(t, "docker rmi of the last name", out, "Untagged: "+ref, "Deleted: "+i.ID)
	if out := d.MustDocker("images", "-q"); out != "" {
		t.Errorf("docker images -q after rmi: %q, want nothing", out)
	}
	out = d.MustDocker("load", "-i", saved)
	contains(t, "docker load", out, "Loaded image: "+ref, "Loaded image: "+reg.Host+"/copy:1")
	if id := strings.TrimSpace(d.MustDocker("images", "-q", "--no-trunc", ref)); id != i.ID {
		t.Errorf("loaded back, %s is %q, want %s", ref, id, i.ID)
	}

	// An image a container uses: its other name may go, its last not
	// (409), and the client says why.
	e.MustRun("create", "--name", "user", ref, "true")
	d.MustDocker("rmi", reg.Host+"/copy:1")
	r := d.Docker("rmi", ref)
	if r.Code != 1 || !strings.Contains(r.Stderr, "conflict") || !strings.Contains(r.Stderr, "container") {
		t.Errorf("docker rmi of an image in use: %v, want exit 1 and a conflict naming the container", r)
	}
	resp, err := d.HTTP().Do(mustRequest(t, "DELETE", "http://d/v1.41/images/"+ref))
	require.NoError(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("DELETE /images/%s in use: %s, want 409", ref, resp.Status)
	}
	// prune: the untagged image goes, then (with -a) every image no
	// container uses; the one in use stays, with its name.
	d.MustDocker("tag", ref, reg.Host+"/spare:1")
	if out := d.MustDocker("image", "prune", "-f"); !strings.Contains(out, "Total reclaimed space: 0B") {
		t.Errorf("docker image prune -f with no untagged image said %q", out)
	}
	e.MustRun("mkimage", "busybox", "other:1")
	out = d.MustDocker("image", "prune", "-a", "-f")
	contains(t, "docker image prune -a -f", out, "untagged: other:1", "deleted: sha256:")
	if out := d.MustDocker("images", "--format", "{{.Repository}}:{{.Tag}}"); out != reg.Host+"/fixture:1\n"+reg.Host+"/spare:1\n" &&
		out != reg.Host+"/spare:1\n"+reg.Host+"/fixture:1\n" {
		t.Errorf("docker images after prune -a = %q, want the image in use, both its names", out)
	}
	e.MustRun("rm", "user")
	d.MustDocker("rmi", ref, reg.Host+"/spare:1")
}

// Errors: a pull of what the registry lacks is a 404 before any stream;
// inspect and rmi of an unknown image are 404s; the newest docker client
// negotiates down to API 1.41 for all of it.
func TestImagesErrors(t *testing.T) {
	e := harness.New(t)
	d := e.StartDaemon()
	reg := registrytest.Start(t, registrytest.Options{})

	r := d.Docker("pull", reg.Host+"/nothing:1")
	if r.Code != 1 || !strings.Contains(r.Stderr, "Error response from daemon") || !strings.Contains(r.Stderr, "not found") {
		t.Errorf("docker pull of a missing image: %v, want exit 1 and the daemon's not found", r)
	}
	resp, err := d.HTTP().Post("http://d/v1.41/images/create?fromImage="+reg.Host+"/nothing&tag=1", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /images/create of a missing image: %s, want 404", resp.Status)
	}
	for _, args := range [][]string{{"image", "inspect", "nothing"}, {"rmi", "nothing"}} {
		r := d.DockerNewest(args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, "No such image: nothing") {
			t.Errorf("newest docker %v: %v, want exit 1 and No such image", args, r)
		}
	}
	r = d.Docker("tag", "nothing", "other")
	if r.Code != 1 || !strings.Contains(r.Stderr, "No such image: nothing") {
		t.Errorf("docker tag of a missing image: %v", r)
	}
	r = d.Docker("pull", "UPPER/case")
	if r.Code != 1 || !strings.Contains(r.Stderr, "invalid reference format") {
		t.Errorf("docker pull UPPER/case: %v, want the client's or daemon's invalid reference format", r)
	}
	// A load of something that is not a tarball: 400 or an error in the
	// stream; the daemon stays up and nothing is named.
	r = d.DockerInput([]byte("not a tarball"), "load")
	if r.Code != 1 {
		t.Errorf("docker load of garbage: %v, want exit 1", r)
	}
	if out := d.MustDocker("images", "-q"); out != "" {
		t.Errorf("after failed pulls and loads, docker images -q = %q, want nothing", out)
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	return req
}

// docker login and a push to a registry that wants a password: the
// daemon checks the credentials (POST /auth) and keeps none; the client
// keeps them and sends them with the push (X-Registry-Auth).
func TestLoginAndPrivatePush(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	reg := registrytest.Start(t, registrytest.Options{Auth: registrytest.Htpasswd})
	target := reg.Host + "/private:1"
	d.MustDocker("tag", "busybox", target)

	r := d.Docker("push", target)
	if r.Code != 1 || (!strings.Contains(r.Stdout+r.Stderr, "401") && !strings.Contains(r.Stdout+r.Stderr, "unauthorized")) {
		t.Errorf("docker push without login: %v, want exit 1 and the registry's refusal", r)
	}
	r = d.DockerInput([]byte("wrong\n"), "login", "-u", registrytest.DefaultUser, "--password-stdin", reg.Host)
	if r.Code != 1 || !strings.Contains(r.Stderr, "wrong username or password") {
		t.Errorf("docker login with a wrong password: %v, want exit 1 and why", r)
	}
	r = d.DockerInput([]byte(registrytest.DefaultPassword+"\n"), "login", "-u", registrytest.DefaultUser, "--password-stdin", reg.Host)
	if r.Code != 0 || !strings.Contains(r.Stdout, "Login Succeeded") {
		t.Fatalf("docker login: %v", r)
	}
	out := d.MustDocker("push", target)
	contains(t, "docker push after login", out, "Pushed", "1: digest: sha256:")
	d.MustDocker("rmi", target)
	out = d.MustDocker("pull", target)
	contains(t, "docker pull after login", out, "Status: Downloaded newer image for "+target)
}

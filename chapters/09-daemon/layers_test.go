// A container's writable layer through the docker client: docker diff
// (GET /containers/{id}/changes) and docker commit (POST /commit), with
// Docker's kinds, statuses and refusals; and docker port and rename's
// answers for what is not there.
package chapter09

import (
	"strings"
	"testing"

	"github.com/mydocker/mydocker/chapters/harness"
)

// Docker behaviour: `docker diff` lists A, C and D; `docker commit` makes
// an image of the layer (with its comment, under its tag) that runs; a
// container that is not there is a 404 in Docker's words; what mydocker's
// commit does not do (--change, --author) is refused, not ignored.
func TestDiffCommitThroughDaemon(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	d.MustDocker("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "1000")
	d.MustDocker("exec", "box", "sh", "-c", "mkdir /made && echo x > /made/f && echo y >> /etc/profile && rm /bin/true")
	diff := d.MustDocker("diff", "box")
	for _, want := range []string{"A /made\n", "A /made/f\n", "C /etc\n", "C /etc/profile\n", "D /bin/true\n"} {
		if !strings.Contains(diff, want) {
			t.Errorf("docker diff box:\n%s\nwant %q", diff, want)
		}
	}
	// Daemonless mydocker reads the same layer: the same lines.
	if own := e.MustRun("diff", "box"); own != diff {
		t.Errorf("docker diff box:\n%s\nmydocker diff box:\n%s", diff, own)
	}
	if r := d.Docker("diff", "nope"); r.Code != 1 || !strings.Contains(r.Stderr, "No such container: nope") {
		t.Errorf("%v\nwant Docker's 404", r)
	}

	id := strings.TrimSpace(d.MustDocker("commit", "-m", "made it", "box", "snap:1"))
	if !strings.HasPrefix(id, "sha256:") || len(id) != 71 {
		t.Errorf("docker commit said %q, want the image's ID", id)
	}
	if got := d.MustDocker("image", "inspect", "-f", "{{.Id}}", "snap:1"); got != id+"\n" {
		t.Errorf("docker image inspect snap:1 = %q, want %s", got, id)
	}
	// The comment is the new layer's history entry's, as Docker's is.
	if got := d.MustDocker("history", "--format", "{{.Comment}}", "snap:1"); !strings.HasPrefix(got, "made it\n") {
		t.Errorf("docker history snap:1 = %q, want the comment on top", got)
	}
	if got := d.MustDocker("run", "--rm", "--network", "none", "snap:1", "sh", "-c", "cat /made/f; test -e /bin/true || echo gone"); got != "x\ngone\n" {
		t.Errorf("a container of the committed image says %q, want the layer's changes", got)
	}
	// The container was paused for the commit (Docker's default) and runs on.
	if got := d.MustDocker("inspect", "-f", "{{.State.Status}}", "box"); got != "running\n" {
		t.Errorf("after commit, box is %q, want running", got)
	}
	// Untagged, with --pause=false: an image without a name.
	if id2 := strings.TrimSpace(d.MustDocker("commit", "--pause=false", "box")); !strings.HasPrefix(id2, "sha256:") {
		t.Errorf("docker commit without a name said %q", id2)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"commit", "nope", "x"}, "No such container: nope"},
		{[]string{"commit", "--change", "CMD [\"sh\"]", "box", "x"}, "--change is not supported"},
		{[]string{"commit", "-a", "me", "box", "x"}, "--author is not supported"},
		{[]string{"commit", "box", "Bad:Name"}, "invalid reference format"},
	} {
		if r := d.Docker(c.args...); r.Code != 1 || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%v\nwant exit 1 and %q", r, c.want)
		}
	}
	if out := d.MustDocker("images", "--format", "{{.Repository}}:{{.Tag}}", "x"); out != "" {
		t.Errorf("a refused commit left an image: %q", out)
	}

	// port and rename: what is not there, in Docker's words.
	if r := d.Docker("port", "box", "80"); r.Code != 1 || !strings.Contains(r.Stderr, "No public port '80/tcp' published for box") {
		t.Errorf("%v\nwant no public port", r)
	}
	d.MustDocker("run", "-d", "--name", "other", "--network", "none", "busybox", "sleep", "1000")
	if r := d.Docker("rename", "box", "other"); r.Code != 1 || !strings.Contains(r.Stderr, "already in use") {
		t.Errorf("%v\nwant the name's conflict", r)
	}
	d.MustDocker("rename", "box", "renamed")
	if got := d.MustDocker("ps", "--format", "{{.Names}}", "--filter", "name=renamed"); got != "renamed\n" {
		t.Errorf("after rename, ps = %q", got)
	}
	d.MustDocker("rm", "-f", "renamed", "other")
	d.MustDocker("rmi", "snap:1")
}

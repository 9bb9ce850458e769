// Part 6, the image commands: chapters 04 and 05's mkimage, tag, rmi,
// save, load, import, push, pull, login and logout run daemonless on one
// data root and through a daemon (MYDOCKER_HOST) on another, with a
// registry on loopback that wants a token for a password. Output, exit
// codes and error lines must be the same (transcript, clientmode_test.go).
package chapter09

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
)

// imagesScenario is chapters 04 and 05's image commands and their
// mistakes. It returns the transcript and mkimage's output unmasked (the
// built-in image's ID, which must not depend on who built it).
func imagesScenario(t *testing.T, e *harness.Env, reg *registrytest.Registry) (string, string) {
	s := &transcript{t: t, e: e}
	dir := t.TempDir()
	saved := filepath.Join(dir, "saved.tar")
	rootfs := e.BusyboxTar()
	built := s.run("mkimage", "busybox").Stdout
	s.run("mkimage", "busybox", "other")
	s.run("mkimage", "busybox", "Bad")
	s.run("tag", "busybox", "app:1")
	s.run("tag", "no-such-image", "x")
	s.run("tag", "busybox", "UPPER")
	s.run("images")
	s.run("save", "-o", saved, "busybox", "app:1")
	s.run("save", "-o", filepath.Join(dir, "never.tar"), "busybox", "no-such-image")
	if _, err := os.Stat(filepath.Join(dir, "never.tar")); err == nil {
		t.Errorf("a save that failed left its file")
	}
	s.run("rmi", "app:1")
	s.run("rmi", "other", "no-such-image")
	s.run("rmi", "busybox")
	s.run("images")
	s.run("load", "-i", saved)
	tarball, err := os.ReadFile(saved)
	require.NoError(t, err)
	s.input(string(tarball), "load", "-q")
	s.input("not a tarball", "load")
	s.run("load", "-i", filepath.Join(dir, "no-such-file.tar"))
	s.run("import", rootfs, "imported")
	root, err := os.ReadFile(rootfs)
	require.NoError(t, err)
	s.input(string(root), "import", "-", "imported:2")
	s.run("import", filepath.Join(dir, "no-such-file.tar"), "x")
	s.run("images", "imported")
	s.run("rmi", "imported", "imported:2")
	if r := e.Run("save", "busybox", "app:1"); r.Code != 0 || r.Stdout != string(tarball) {
		t.Errorf("save to stdout: exit %d, %d bytes; want the %d bytes save -o wrote", r.Code, len(r.Stdout), len(tarball))
	}

	// A registry whose token server wants a password: nothing without
	// login, everything after it, nothing again after logout.
	target := reg.Host + "/app:1"
	s.run("tag", "busybox", target)
	s.run("push", target)
	s.input("wrong\n", "login", "-u", registrytest.DefaultUser, "--password-stdin", reg.Host)
	s.input(registrytest.DefaultPassword+"\n", "login", "-u", registrytest.DefaultUser, "--password-stdin", reg.Host)
	s.run("push", target)
	s.run("push", target)
	s.run("rmi", target)
	s.run("pull", target)
	s.run("run", "--rm", target, "echo", "pulled with a token")
	s.run("logout", reg.Host)
	s.run("logout", reg.Host)
	s.run("rmi", target)
	// The daemon holds back "1: Pulling from app" until the registry
	// answers (clientmode_test.go); daemonless prints it first.
	s.failure("refused a token to an anonymous caller", "pull", target)
	s.run("push", "no-such-image")
	s.run("images")
	s.run("rmi", "busybox")
	// What differs by design between the halves: their temp dirs, and
	// their registries' ports.
	tokens, _ := url.Parse(reg.Tokens.URL)
	mask := strings.NewReplacer(dir, "DIR", filepath.Dir(rootfs), "ROOTFS", reg.Host, "REGISTRY", tokens.Host, "TOKENS")
	return mask.Replace(s.out.String()), built
}

// tokenRegistry is a registry whose token server gives tokens only for
// the test user's password.
func tokenRegistry(t *testing.T) *registrytest.Registry {
	return registrytest.Start(t, registrytest.Options{Auth: registrytest.Token,
		User: registrytest.DefaultUser, Password: registrytest.DefaultPassword})
}

// Docker behaviour: images move through the daemon as they do without it;
// credentials stay with the client (config.json, 0600) and go with each
// pull and push as X-Registry-Auth; the daemon keeps none.
func TestClientModeImages(t *testing.T) {
	harness.RequireRoot(t)
	var daemonless, client, builtDaemonless, builtClient string
	t.Run("daemonless", func(t *testing.T) {
		e := harness.New(t)
		e.Environ = append(e.Environ, "MYDOCKER_CONFIG="+t.TempDir())
		daemonless, builtDaemonless = imagesScenario(t, e, tokenRegistry(t))
	})
	t.Run("client", func(t *testing.T) {
		e := harness.New(t)
		reg := tokenRegistry(t)
		daemonConfig, clientConfig := t.TempDir(), t.TempDir()
		e.Environ = []string{"MYDOCKER_CONFIG=" + daemonConfig}
		d := e.StartDaemon()
		e.Environ = []string{"MYDOCKER_CONFIG=" + clientConfig}
		e.Host = d.Host()
		client, builtClient = imagesScenario(t, e, reg)
		if _, err := os.Stat(filepath.Join(daemonConfig, "config.json")); err == nil {
			t.Errorf("the daemon stored credentials of its own")
		}
		// Logged in again, the client has them; the daemon still has
		// none: a pull without X-Registry-Auth is refused.
		e.MustRun("login", "-u", registrytest.DefaultUser, "-p", registrytest.DefaultPassword, reg.Host)
		if fi, err := os.Stat(filepath.Join(clientConfig, "config.json")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("after login through the daemon, the client's config.json: %v, %v; want it, mode 0600", fi, err)
		}
		resp, err := d.HTTP().Post("http://d/v1.41/images/create?fromImage="+reg.Host+"/app&tag=1", "", nil)
		require.NoError(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a pull without X-Registry-Auth after the client's login: %s, want 401", resp.Status)
		}
	})
	if builtClient != builtDaemonless || !strings.Contains(builtClient, "sha256:") {
		t.Errorf("mkimage busybox: daemonless said %q, through the daemon %q; want the same image ID", builtDaemonless, builtClient)
	}
	sameTranscripts(t, daemonless, client)
}

// A layer over a limit is the engine refusing, exit 125, through the
// daemon as without it (the daemon's 413): the daemon's limits apply.
func TestClientModeLayerLimit(t *testing.T) {
	e := harness.New(t)
	rootfs := e.BusyboxTar()
	e.Environ = []string{"MYDOCKER_MAX_LAYER_ENTRIES=100"}
	d := e.StartDaemon()
	e.Host = d.Host()
	for _, args := range [][]string{{"import", rootfs, "big"}, {"mkimage", "busybox"}} {
		r := e.Run(args...)
		if r.Code != 125 || strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, "more than 100 entries") {
			t.Errorf("%v\nwant exit 125 and one line saying the layer has more than 100 entries", r)
		}
	}
	if out := e.MustRun("images", "-q"); out != "" {
		t.Errorf("after refused layers, images -q = %q, want nothing", out)
	}
}

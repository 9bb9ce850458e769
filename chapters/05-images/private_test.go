// The data root is private: it holds every image pulled (private ones too,
// fetched with a password) and every container's files. Docker makes
// /var/lib/docker 0710 root:root; mydocker makes its data root 0700,
// whichever command runs first.

package chapter05

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
)

// Docker behaviour: another user of the host reads nothing of the data
// root (/var/lib/docker is 0710 root:root), whatever command made it.
func TestDataRootIsPrivate(t *testing.T) {
	e := harness.New(t)
	e.Daemonless("it makes data roots of its own with --data-root, each by a different first command: a daemon serves the one it started with")
	_, err := exec.LookPath("setpriv")
	harness.Require(t, err == nil, "setpriv (util-linux) runs the reader as user nobody")
	reg := registrytest.Start(t, registrytest.Options{})
	pushFixture(t, reg, "fixture:1", fixture(t, "amd64"))
	ref := reg.Host + "/fixture:1"
	tarball := e.BusyboxTar()
	e.Busybox()
	saved := filepath.Join(t.TempDir(), "saved.tar")
	e.MustRun("save", "-o", saved, "busybox")

	firsts := map[string][]string{
		"pull":    {"pull", "-q", ref},
		"load":    {"load", "-q", "-i", saved},
		"import":  {"import", tarball, "imported"},
		"mkimage": {"mkimage", "busybox"},
	}
	for name, args := range firsts {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(openDir(t), "root")
			e.MustRun(append([]string{"--data-root", root}, args...)...)
			// Then a container, as nobody inside: a private root must not
			// stop one from running.
			e.MustRun("--data-root", root, "run", "--rm", "-u", "65534", "busybox:latest", "true")
			if readable := readableByNobody(t, root, true); len(readable) > 0 {
				t.Errorf("after `mydocker %s` made the data root, user nobody can read:\n%s",
					strings.Join(args, " "), strings.Join(readable, "\n"))
			}
		})
	}

	// A data root the user made open stays as it is (it may be a shared
	// directory), but what mydocker keeps in it is still private.
	t.Run("existing", func(t *testing.T) {
		root := openDir(t)
		e.MustRun("--data-root", root, "mkimage", "busybox")
		st, err := os.Stat(root)
		require.NoError(t, err)
		if st.Mode().Perm() != 0o755 {
			t.Errorf("mydocker changed the mode of an existing data root to %v", st.Mode().Perm())
		}
		if readable := readableByNobody(t, root, false); len(readable) > 0 {
			t.Errorf("user nobody can read, beneath an open data root:\n%s", strings.Join(readable, "\n"))
		}
	})
}

// openDir makes a directory every user may enter, as /var/lib is (a test's
// TempDir is 0700, which would hide everything anyway).
func openDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "mydocker-private-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	return dir
}

// readableByNobody lists what user 65534 can read (a file's bytes, a
// directory's entries) beneath root, and root itself if withRoot.
func readableByNobody(t *testing.T, root string, withRoot bool) []string {
	t.Helper()
	var paths []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if p != root || withRoot {
			paths = append(paths, p)
		}
		return nil
	})
	require.NotEmpty(t, paths)
	// Each path is tried twice, as a directory and as a file: the test
	// runs as nobody, who cannot even tell which it is.
	cmd := exec.Command("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "sh", "-c",
		`while IFS= read -r p; do { ls -- "$p/" || cat -- "$p"; } >/dev/null 2>&1 && echo "$p"; done; exit 0`)
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\n") + "\n")
	out, err := cmd.Output()
	require.NoError(t, err, "the reader as nobody")
	return strings.Fields(string(out))
}

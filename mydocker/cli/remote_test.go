package cli

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/mydocker/client"
)

// The daemon speaks Docker's words, which docker's client reads; the
// command line as its client prints daemonless mydocker's.
func TestDaemonlessWords(t *testing.T) {
	for _, tt := range []struct{ daemon, want string }{
		{"No such container: web", "no such container: web"},
		{`Conflict. The container name "/web" is already in use by container "0123abcd". You have to remove (or rename) that container to be able to reuse that name.`,
			"container name \"web\" is already in use: remove it with `mydocker rm web` or choose another --name"},
		{"No such image: busybox:latest", "No such image: busybox:latest"},
	} {
		if got := daemonlessWords(tt.daemon); got != tt.want {
			t.Errorf("daemonlessWords(%q) = %q, want %q", tt.daemon, got, tt.want)
		}
	}
}

// Every command but the local ones (daemon, doctor) asks the daemon when
// there is one, and touches no data root: nothing in Main holds a command
// to it, so each is tried here against a daemon that answers every
// request but /_ping with Docker's 404. logout is the client's alone, as
// docker logout is: it only edits the client's config.json.
func TestEveryCommandAsksTheDaemon(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "d.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	var mu sync.Mutex
	var asked []string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Api-Version", "1.41")
		if strings.HasSuffix(r.URL.Path, "/_ping") {
			w.Write([]byte("OK"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"No such container: x"}`))
	})}
	go srv.Serve(l)
	defer srv.Close()
	root := filepath.Join(dir, "root") // never made: the daemon has the data
	t.Setenv(RootEnv, root)
	t.Setenv(client.HostEnv, "unix://"+sock)
	t.Setenv("DOCKER_CONFIG", filepath.Join(dir, "config")) // login's store
	tar := filepath.Join(dir, "empty.tar")
	require.NoError(t, os.WriteFile(tar, make([]byte, 1024), 0o600))
	args := map[string][]string{
		"run": {"busybox", "true"}, "create": {"busybox"}, "start": {"x"}, "attach": {"x"},
		"stop": {"x"}, "restart": {"x"}, "kill": {"x"}, "pause": {"x"}, "unpause": {"x"},
		"wait": {"x"}, "logs": {"x"}, "exec": {"x", "true"}, "top": {"x"}, "rename": {"x", "y"},
		"rm": {"x"}, "inspect": {"x"}, "mkimage": {"busybox"}, "import": {tar, "imp"},
		"tag": {"x", "y"}, "rmi": {"x"}, "commit": {"x", "y"}, "diff": {"x"}, "pull": {"x"},
		"push": {"x"}, "login": {"-u", "u", "-p", "p", "127.0.0.1:1"}, "save": {"-o", filepath.Join(dir, "s.tar"), "x"},
		"load": {"-i", tar}, "volume": {"ls"}, "stats": {"--no-stream", "x"}, "network": {"ls"},
		"port": {"x"},
	}
	for _, c := range commands {
		if c.local || c.name == "logout" {
			continue
		}
		mu.Lock()
		asked = nil
		mu.Unlock()
		Main(append([]string{c.name}, args[c.name]...))
		mu.Lock()
		n := 0
		for _, a := range asked {
			if !strings.HasSuffix(a, "/_ping") {
				n++
			}
		}
		mu.Unlock()
		if n == 0 {
			t.Errorf("mydocker %s %v asked the daemon nothing", c.name, args[c.name])
		}
		if _, err := os.Stat(root); err == nil {
			t.Fatalf("mydocker %s %v made the data root %s: it ran daemonless", c.name, args[c.name], root)
		}
	}
}

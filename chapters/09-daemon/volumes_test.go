// The volumes endpoints through the docker client: create, ls (with
// filters), inspect, rm (409 while a container uses the volume), prune.
package chapter09

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestVolumes(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()

	if out := d.MustDocker("volume", "create", "--label", "team=db", "data"); out != "data\n" {
		t.Errorf("docker volume create data said %q", out)
	}
	// Created twice: the same volume, as Docker (compose relies on it).
	d.MustDocker("volume", "create", "data")
	d.MustDocker("volume", "create", "spare")
	var vols []struct {
		Name, Driver, Mountpoint, Scope string
		Labels                          map[string]string
	}
	require.NoError(t, json.Unmarshal([]byte(d.MustDocker("volume", "inspect", "data")), &vols))
	if len(vols) != 1 || vols[0].Name != "data" || vols[0].Driver != "local" || vols[0].Scope != "local" ||
		vols[0].Labels["team"] != "db" || !strings.HasPrefix(vols[0].Mountpoint, e.Root) {
		t.Errorf("docker volume inspect data = %+v", vols)
	}
	if out := d.MustDocker("volume", "ls", "-q"); out != "data\nspare\n" {
		t.Errorf("docker volume ls -q = %q, want data and spare", out)
	}
	if out := d.MustDocker("volume", "ls", "-q", "--filter", "label=team=db"); out != "data\n" {
		t.Errorf("docker volume ls -q --filter label=team=db = %q, want data", out)
	}

	// In use by a container (made without the daemon, in the same data
	// root): not removable, not dangling, not pruned.
	e.MustRun("create", "--name", "user", "-v", "data:/data", "busybox", "true")
	r := d.Docker("volume", "rm", "data")
	if r.Code != 1 || !strings.Contains(r.Stderr, "volume is in use") {
		t.Errorf("docker volume rm of a volume in use: %v, want exit 1 and volume is in use", r)
	}
	if out := d.MustDocker("volume", "ls", "-q", "--filter", "dangling=true"); out != "spare\n" {
		t.Errorf("docker volume ls -q --filter dangling=true = %q, want spare", out)
	}
	out := d.MustDocker("volume", "prune", "-f")
	if !strings.Contains(out, "Deleted Volumes:\nspare\n") || strings.Contains(out, "data") {
		t.Errorf("docker volume prune -f said %q, want spare deleted, data kept", out)
	}
	e.MustRun("rm", "user")
	if out := d.MustDocker("volume", "rm", "data"); out != "data\n" {
		t.Errorf("docker volume rm data said %q", out)
	}

	// Docker's refusals and answers for what is not there.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"volume", "inspect", "nothing"}, 1, "No such volume: nothing"},
		{[]string{"volume", "rm", "nothing"}, 1, "No such volume: nothing"},
		{[]string{"volume", "rm", "-f", "nothing"}, 0, ""},
		{[]string{"volume", "create", "-d", "nfs", "x"}, 1, "local driver only"},
		{[]string{"volume", "create", "a/b"}, 1, "a/b"},
	} {
		r := d.Docker(tc.args...)
		if r.Code != tc.code || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("docker %v: %v, want exit %d and %q", tc.args, r, tc.code, tc.want)
		}
	}
	if out := d.MustDocker("volume", "ls", "-q"); out != "" {
		t.Errorf("docker volume ls -q at the end = %q, want nothing", out)
	}
}

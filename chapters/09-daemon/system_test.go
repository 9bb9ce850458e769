// The system endpoints through the docker client: info, system df, and
// events, both replayed (--since/--until) and followed as they happen.
package chapter09

import (
	"bufio"
	"encoding/json"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestInfoAndDiskUsage(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	e.MustRun("create", "--name", "idle", "-v", "cache:/cache", "busybox", "true")
	defer e.Run("rm", "-v", "idle")

	out := d.MustDocker("info")
	contains(t, "docker info", out, "Containers: 1\n", "  Running: 0\n", "  Stopped: 1\n", "Images: 1\n",
		"Server Version: 0.9.0\n", "Storage Driver: overlay2\n", "Cgroup Driver: cgroupfs\n", "Docker Root Dir: "+e.Root+"\n")
	// What a script asks for, through the newest client too.
	if got := strings.TrimSpace(d.DockerNewest("info", "--format", "{{.NCPU}} {{.OSType}}").Stdout); !strings.HasSuffix(got, " linux") || strings.HasPrefix(got, "0 ") {
		t.Errorf("newest docker info --format '{{.NCPU}} {{.OSType}}' = %q", got)
	}

	out = d.MustDocker("system", "df")
	contains(t, "docker system df", out, "TYPE", "Images          1         1", "Containers      1         0", "Local Volumes   1         1")
}

func TestEvents(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	e.NetHost("") // the network made and removed below is made in there
	d := e.StartDaemon()
	start := time.Now()

	// Followed: a client that waits for volume events sees the create.
	cmd := exec.Command(d.Client, "events", "--filter", "type=volume", "--format", "{{.Type}} {{.Action}} {{.Actor.ID}}")
	cmd.Env = d.ClientEnv()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := make(chan string, 10)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	// The client subscribes once its request is in; events before that are
	// not its to see. Create volumes until it sees one.
	var seen string
	for i := 0; seen == "" && i < 50; i++ {
		d.MustDocker("volume", "create", "v"+strconv.Itoa(i))
		select {
		case seen = <-lines:
		case <-time.After(100 * time.Millisecond):
		}
	}
	if !strings.HasPrefix(seen, "volume create v") {
		t.Errorf("docker events --filter type=volume saw %q, want a volume create", seen)
	}

	// Replayed: what happened between since and until, filtered.
	d.MustDocker("tag", "busybox", "other:1")
	d.MustDocker("rmi", "other:1")
	d.MustDocker("network", "create", "evnet")
	d.MustDocker("network", "rm", "evnet")
	d.MustDocker("volume", "prune", "-f")
	until := strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)
	since := strconv.FormatInt(start.Unix()-1, 10)
	out := d.MustDocker("events", "--since", since, "--until", until, "--format", "{{.Type}} {{.Action}}")
	contains(t, "docker events --since --until", out, "volume create\n", "image tag\n", "image untag\n",
		"network create\n", "network destroy\n", "volume destroy\n")
	out = d.MustDocker("events", "--since", since, "--until", until, "--filter", "type=image", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}")
	if out != "image tag other:1\nimage untag other:1\n" {
		t.Errorf("docker events --filter type=image = %q, want the tag and the untag of other:1", out)
	}
	// The raw stream is JSON objects, one after another, each with the
	// legacy fields for images too.
	resp, err := d.HTTP().Get("http://d/v1.41/events?since=" + since + "&until=" + until + `&filters={"type":{"image":true}}`)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	var m struct {
		Status, ID, Type, Action string
		Time                     int64
		TimeNano                 int64
	}
	require.NoError(t, dec.Decode(&m))
	if m.Status != "tag" || !strings.HasPrefix(m.ID, "sha256:") || m.Type != "image" || m.TimeNano/1e9 != m.Time {
		t.Errorf("first image event = %+v (body %s)", m, body)
	}
	// die: the command ends in its monitor, not in a handler; the daemon
	// sees it in the record and says so, with the exit code.
	resp, err = d.HTTP().Get(`http://d/v1.41/events?filters={"event":{"die":true}}`)
	require.NoError(t, err)
	defer resp.Body.Close()
	e.MustRun("run", "-d", "--name", "quick", "busybox", "sh", "-c", "sleep 0.3; exit 3")
	defer e.Run("rm", "-f", "quick")
	var die struct {
		Status string
		Actor  struct{ Attributes map[string]string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&die); err != nil {
		t.Fatalf("reading the die event: %v", err)
	}
	if a := die.Actor.Attributes; die.Status != "die" || a["exitCode"] != "3" || a["name"] != "quick" || a["image"] != "busybox" {
		t.Errorf("die event = %+v, want exitCode 3, name quick, image busybox", die)
	}

	r := d.Docker("events", "--filter", "nonsense=1", "--until", until)
	if r.Code == 0 || !strings.Contains(r.Stderr, "invalid filter 'nonsense'") {
		t.Errorf("docker events --filter nonsense=1: %v, want the daemon's invalid filter", r)
	}
}

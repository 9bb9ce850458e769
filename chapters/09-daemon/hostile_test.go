// Part 2, continued: clients that try to wear the daemon out (many waits,
// clients that hang up). Each must get Docker's answer and leave the
// daemon holding nothing for it.
package chapter09

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mydocker/mydocker/chapters/harness"
)

// fdsTo counts the descriptors of process pid whose link names what.
func fdsTo(t *testing.T, pid int, what string) int {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	n := 0
	for _, e := range ents {
		if l, _ := os.Readlink(filepath.Join(dir, e.Name())); strings.Contains(l, what) {
			n++
		}
	}
	return n
}

// Every attached `docker run` holds a wait. 200 at once on one container
// all answer when it exits, and the daemon meanwhile holds one inotify
// instance, not one per wait (root's fs.inotify.max_user_instances, 128 by
// default, is shared by the whole host).
func TestManyWaits(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	d.MustDocker("run", "-d", "--name", "waited", "busybox", "sleep", "1000")
	const n = 200
	client := d.HTTP()
	var headers, answered sync.WaitGroup
	answers := make([]string, n)
	for i := range n {
		headers.Add(1)
		answered.Add(1)
		go func() {
			defer answered.Done()
			resp, err := client.Post("http://mydocker/v1.41/containers/waited/wait", "application/json", nil)
			headers.Done()
			if err != nil {
				answers[i] = err.Error()
				return
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			answers[i] = string(data)
		}()
	}
	headers.Wait()
	if got := fdsTo(t, d.Pid(), "anon_inode:inotify"); got > 2 {
		t.Errorf("with %d waits open the daemon holds %d inotify instances, want at most 2", n, got)
	}
	d.MustDocker("kill", "waited")
	answered.Wait()
	// Every wait answers the end, none an error (an inotify instance
	// per wait runs out at 128: "too many open files"). The code itself
	// is not checked here: a wait that reads the record as the monitor
	// records the end may still say 255 (see the report of this change).
	for i, a := range answers {
		var got struct {
			StatusCode *int
			Error      any
		}
		if err := json.Unmarshal([]byte(a), &got); err != nil || got.StatusCode == nil || got.Error != nil {
			t.Errorf("wait %d answered %q, want {\"StatusCode\": 137, \"Error\": null}", i, a)
			break
		}
	}
	d.MustDocker("rm", "waited")
}

// attachRaw opens an attach to container name over a connection of its
// own, and reads the answer's head.
func attachRaw(t *testing.T, d *harness.Daemon, name string) net.Conn {
	t.Helper()
	conn, err := net.Dial("unix", d.Socket)
	require.NoError(t, err)
	fmt.Fprintf(conn, "POST /v1.41/containers/%s/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: mydocker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", name)
	head, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(head, "HTTP/1.1 101"), "attach %s: %q", name, head)
	return conn
}

// A client that attaches and goes away leaves the daemon holding nothing
// for it, whether the container runs and writes nothing, or was never
// started (docker run's attach, the client killed before the start); a
// new client may then attach to the created one, and rm ends an attach
// that waits for a start.
func TestAttachHangUps(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	d.MustDocker("run", "-d", "--name", "quiet", "busybox", "sleep", "1000")
	d.MustDocker("create", "--name", "created", "busybox", "true")
	sockets := func() int { return fdsTo(t, d.Pid(), "socket:") }
	base := sockets()
	defer d.Docker("rm", "-f", "quiet", "created")
	for range 20 {
		attachRaw(t, d, "quiet").Close()
	}
	attachRaw(t, d, "created").Close()
	eventually(t, "the daemon let go of the departed attaches", func() bool { return sockets() <= base })
	attachRaw(t, d, "created").Close()
	second := attachRaw(t, d, "created") // not 409, even if the first is not let go yet
	d.MustDocker("rm", "created")
	second.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.Copy(io.Discard, second); err != nil {
		t.Errorf("attach to a created container, removed meanwhile: %v, want its stream ended", err)
	}
	second.Close()
	eventually(t, "the daemon let go of the attach of the removed container", func() bool { return sockets() <= base })
}

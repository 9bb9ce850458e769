// The speed goals (Figures): many clients at once. 100 `docker run -d` at
// the same moment through the daemon all succeed. Each is a client of its
// own (a process, a connection), as a script's `&` loop or a CI fan-out
// makes them; the daemon serves them in parallel, and every container
// comes up running and goes away on rm -f, leaving nothing behind.
package chapter09

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestHundredConcurrentRuns(t *testing.T) {
	harness.NotShort(t, "a hundred containers at once")
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	const n = 100
	type result struct {
		out, errOut string
		err         error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := d.Command(d.Client, "run", "-d", "--network", "none", "busybox", "sleep", "600")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			results[i] = result{stdout.String(), stderr.String(), err}
		}()
	}
	wg.Wait()
	fullID := regexp.MustCompile(`^[0-9a-f]{64}$`)
	var ids []string
	for i, r := range results {
		id := strings.TrimSpace(r.out)
		if r.err != nil || !fullID.MatchString(id) {
			t.Errorf("run %d of %d: docker run -d = %q, %v, stderr %q; want a container's ID", i+1, n, r.out, r.err, r.errOut)
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		// Each one running, with a live process of its own.
		out := d.MustDocker(append([]string{"inspect", "-f", "{{.Id}} {{.State.Status}} {{.State.Pid}}"}, ids...)...)
		pids := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 || f[1] != "running" {
				t.Errorf("docker inspect: %q, want the container running", line)
				continue
			}
			pid, _ := strconv.Atoi(f[2])
			if _, err := os.Stat("/proc/" + f[2]); pid <= 0 || err != nil || pids[f[2]] {
				t.Errorf("docker inspect: %q, want a live process of its own", line)
			}
			pids[f[2]] = true
		}
		if got := strings.Fields(d.MustDocker("ps", "-q", "--no-trunc")); !sameSet(got, ids) {
			t.Errorf("docker ps -q lists %d containers, want the %d that were run", len(got), len(ids))
		}
		// All removed at once: the client sends the hundred DELETEs in
		// parallel.
		if r := d.Docker(append([]string{"rm", "-f"}, ids...)...); r.Code != 0 {
			t.Errorf("%v", r)
		}
	}
	if out := d.MustDocker("ps", "-aq"); out != "" {
		t.Errorf("after rm -f of all, docker ps -aq = %q, want nothing", out)
	}
	// A record being removed is hidden from ps: its directory must be gone
	// too (the store's own .lock stays).
	entries, err := os.ReadDir(filepath.Join(e.Root, "containers"))
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, entry := range entries {
		if !strings.HasPrefix(entry.Name(), ".") {
			left = append(left, entry.Name())
		}
	}
	if len(left) != 0 {
		t.Errorf("after rm -f of all, %d container directories are left, first %s", len(left), left[0])
	}
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, " ") == strings.Join(b, " ")
}

// Part 6: the mydocker command line as the daemon's client. The same
// commands, in the style of chapters 01-08, run daemonless on one data
// root and through a daemon (MYDOCKER_HOST) on another; their output,
// IDs and times masked, and exit codes must be the same.
package chapter09

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/image/remote/registrytest"
)

var (
	maskID    = regexp.MustCompile(`\b[0-9a-f]{64}\b|\b[0-9a-f]{12}\b`)
	maskSince = regexp.MustCompile(`(Less than a second|About a minute|\d+ (second|minute)s?)`)
	maskSpace = regexp.MustCompile(` {2,}`)
	// The one line that differs, by design: daemonless prints "latest:
	// Pulling from ..." before the registry answers; the daemon holds it
	// back until it does (as dockerd, so that an unknown image is a plain
	// 404), and a registry that never answers never shows it.
	heldBack = regexp.MustCompile(`(?m)^latest: Pulling from library/no-such-image\n`)
)

// transcript runs each command and writes what a reader would see: the
// command, its stdout and stderr, its exit code, masked.
type transcript struct {
	t   *testing.T
	e   *harness.Env
	out strings.Builder
}

func (s *transcript) run(args ...string) harness.Result {
	s.t.Helper()
	return s.input("", args...)
}

// failure records a failing command's exit code and whether its output
// says what, where the two word it apart (said where it is used).
func (s *transcript) failure(what string, args ...string) {
	s.t.Helper()
	r := s.e.Run(args...)
	said := strings.Contains(r.Stdout+r.Stderr, what)
	fmt.Fprintf(&s.out, "$ mydocker %s\n[says %q: %v]\n[exit %d]\n", strings.Join(args, " "), what, said, r.Code)
}

func (s *transcript) input(stdin string, args ...string) harness.Result {
	s.t.Helper()
	var r harness.Result
	if stdin != "" {
		r = s.e.RunInput(strings.NewReader(stdin), args...)
	} else {
		r = s.e.Run(args...)
	}
	mask := func(text string) string {
		text = heldBack.ReplaceAllString(text, "")
		text = maskSpace.ReplaceAllString(maskSince.ReplaceAllString(maskID.ReplaceAllString(text, "<ID>"), "<T>"), " ")
		return strings.TrimRight(text, "\n")
	}
	fmt.Fprintf(&s.out, "$ mydocker %s\n%s\n[stderr] %s\n[exit %d]\n", strings.Join(args, " "), mask(r.Stdout), mask(r.Stderr), r.Code)
	return r
}

// clientScenario is chapters 01-08's daily commands: run in the
// foreground and detached, ps, logs, exec, inspect, stop, kill, rm, and
// their mistakes.
func clientScenario(t *testing.T, e *harness.Env, registry string) string {
	s := &transcript{t: t, e: e}
	s.run("images")
	s.run("pull", registry+"/fixture:1")
	s.run("pull", "-q", registry+"/fixture")
	s.run("run", "--rm", registry+"/fixture:2", "echo", "pulled")
	s.run("run", "--rm", "--pull", "never", registry+"/fixture:3", "true")
	s.run("run", "--rm", "--pull", "sometimes", "busybox", "true")
	s.run("images")
	s.run("run", "--name", "hello", "busybox", "echo", "hello")
	s.run("run", "--name", "fails", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
	s.run("run", "--rm", "-e", "X=y", "-w", "/tmp", "-u", "7", "-h", "boxhost", "busybox", "sh", "-c", `echo "$X $(pwd) $(id -u) $(hostname)"`)
	s.input("piped\n", "run", "--rm", "-i", "busybox", "cat")
	s.run("run", "--rm", "busybox", "no-such-command")
	s.run("run", "--rm", "no-such-image")
	s.run("run", "-d", "--name", "box", "busybox", "sh", "-c", "echo tick; sleep 0.2; echo tock >&2; sleep 1000")
	s.run("run", "-d", "--name", "short", "busybox", "sh", "-c", "echo a; sleep 0.3; echo b")
	s.run("logs", "-f", "short")
	eventually(t, "box logged", func() bool { return e.Run("logs", "box").Stderr == "tock\n" })
	s.run("logs", "box")
	s.run("logs", "--tail", "1", "box")
	s.run("ps")
	s.run("ps", "-a", "--format", "{{.Names}}\t{{.Image}}\t{{.Command}}\t{{.State}}\t{{.Status}}")
	s.run("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}")
	s.run("ps", "-q", "--no-trunc")
	s.run("ps", "-n", "1", "--format", "{{.Names}}")
	s.run("exec", "box", "sh", "-c", "echo in; echo oops >&2; exit 4")
	s.input("to exec\n", "exec", "-i", "box", "cat")
	s.run("exec", "-e", "X=y", "-w", "/tmp", "box", "sh", "-c", `echo "$X $(pwd)"`)
	// Docker's daemon sends an exec that cannot start as the stream's
	// text, which docker prints on stdout; mydocker's client asks for an
	// error instead and says it on stderr, as daemonless. Same code.
	s.failure("executable file not found", "exec", "box", "no-such-command")
	s.run("inspect", "-f", "{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}", "box", "fails")
	s.run("inspect", "-f", "{{.State.Status}}", "no-such-thing")
	s.run("pause", "box")
	s.run("ps", "--format", "{{.Names}} {{.State}} {{.Status}}")
	s.run("unpause", "box")
	s.run("restart", "-t", "0", "short")
	s.run("wait", "short")
	s.run("stop", "-t", "1", "box")
	s.run("inspect", "-f", "{{.State.ExitCode}}", "box")
	s.run("run", "-d", "--name", "victim", "busybox", "sleep", "1000")
	s.run("kill", "victim")
	s.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "victim")
	// The daemon words conflicts and 404s as Docker's does ("Container ID
	// is not running", "No such container: x"), daemonless mydocker in its
	// own words, naming the container as given.
	s.failure("is not running", "kill", "victim")
	s.run("run", "-d", "--name", "running", "busybox", "sleep", "1000")
	s.failure("or force remove", "rm", "running")
	s.failure("o such container: no-such-container", "rm", "-f", "running", "no-such-container")
	s.run("create", "--name", "later", "busybox", "sh", "-c", "echo later; echo err >&2; exit 2")
	s.run("start", "-a", "later")
	s.failure("You cannot attach to a stopped container", "attach", "later")
	s.run("rm", "hello", "fails", "box", "short", "victim", "later")
	s.run("ps", "-a")
	return s.out.String()
}

// contains records a command's exit code and whether its stdout holds
// want, where the rest of it differs run to run (PIDs, CPU figures).
func (s *transcript) contains(want string, args ...string) {
	s.t.Helper()
	r := s.e.Run(args...)
	fmt.Fprintf(&s.out, "$ mydocker %s\n[stdout has %q: %v]\n[exit %d]\n", strings.Join(args, " "), want, strings.Contains(r.Stdout, want), r.Code)
}

// objectsScenario is chapters 02-08's other objects: networks (created,
// listed, a container on one with --ip, --network-alias and -p, connected
// to a second and back), volumes (made, listed, used, refused, pruned),
// and what a container holds (port, top, rename, stats, diff, commit).
func objectsScenario(t *testing.T, e *harness.Env) string {
	s := &transcript{t: t, e: e}
	addr := func(ctr, dev string) []string {
		return []string{"exec", ctr, "sh", "-c", "ip -4 -o addr show " + dev + " | awk '{print $4}'"}
	}
	s.run("network", "ls")
	s.run("network", "create", "--subnet", "10.237.0.0/24", "--gateway", "10.237.0.254", "red")
	s.run("network", "create", "blue")
	s.failure("already exists", "network", "create", "red")
	s.failure("not supported by mydocker", "network", "create", "--internal", "inside")
	s.failure("overlaps network red", "network", "create", "--subnet", "10.237.0.128/25", "overlap")
	s.run("network", "ls")
	s.run("network", "ls", "-q")
	s.run("network", "inspect", "nope")
	s.run("run", "-d", "--name", "web", "--network", "red", "--ip", "10.237.0.5", "--network-alias", "www", "-p", "18080:80", "busybox", "sleep", "1000")
	s.run(addr("web", "eth0")...)
	s.run("run", "--rm", "--network", "red", "busybox", "sh", "-c", "ping -c 1 -W 5 www >/dev/null && echo www answers")
	s.run("port", "web")
	s.run("port", "web", "80")
	s.run("port", "web", "81/udp")
	s.run("network", "connect", "--alias", "crate", "blue", "web")
	s.run(addr("web", "eth1")...)
	s.failure("already exists in network blue", "network", "connect", "blue", "web")
	s.failure("user configured subnets", "network", "connect", "--ip", "10.0.0.9", "blue", "web")
	s.failure("o such container: ghost", "network", "connect", "blue", "ghost")
	s.run("network", "disconnect", "blue", "web")
	s.failure("is not connected to network blue", "network", "disconnect", "blue", "web")
	s.failure("has active endpoints", "network", "rm", "red")
	s.failure("pre-defined network", "network", "rm", "bridge")
	s.contains("sleep 1000", "top", "web", "-o", "pid,args")
	s.contains("   web   ", "stats", "--no-stream")
	s.contains("   web   ", "stats", "--no-stream", "web")
	s.failure("o such container: nope", "stats", "--no-stream", "nope")
	s.run("rename", "web", "site")
	s.failure("o such container: web", "rename", "web", "other")
	s.run("exec", "site", "sh", "-c", "mkdir /made && echo x > /made/f && rm /bin/true")
	s.run("diff", "site")
	s.failure("o such container: nope", "diff", "nope")
	s.run("commit", "-m", "made it", "site", "snap:1")
	s.failure("o such container: nope", "commit", "nope")
	s.run("run", "--rm", "snap:1", "sh", "-c", "cat /made/f; ls /bin/true")
	s.run("rm", "-f", "site")
	s.run("network", "rm", "red", "blue")
	s.run("network", "create", "green")
	s.run("network", "prune", "-f")
	s.run("network", "ls", "-q")

	// Named volumes begin past "f", so the anonymous one's 64 hex digits
	// sort before them in ls, in both runs.
	s.run("volume", "create", "store")
	s.run("volume", "create", "-d", "local", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "--label", "k=v", "scratch")
	s.run("volume", "create")
	s.failure("volume name is too short", "volume", "create", "a")
	s.failure(`invalid option key: "color"`, "volume", "create", "-o", "color=red", "v1")
	s.run("volume", "ls")
	s.run("volume", "ls", "-q")
	s.run("volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Options}} {{.Labels}} {{.Scope}}", "scratch", "store")
	s.run("volume", "inspect", "nope")
	s.run("run", "--rm", "-v", "store:/d", "busybox", "sh", "-c", "echo kept > /d/f")
	s.run("run", "-d", "--name", "holder", "-v", "store:/d", "busybox", "sleep", "1000")
	s.run("volume", "ls", "-q", "--filter", "dangling=false")
	s.run("volume", "ls", "--filter", "name=scr", "--filter", "name=sto")
	s.run("volume", "ls", "-q", "-f", "label=k=v", "-f", "driver=local")
	s.failure("invalid filter 'color'", "volume", "ls", "-f", "color=red")
	s.run("volume", "rm", "store")
	s.run("volume", "rm", "nope")
	s.run("volume", "rm", "-f", "nope")
	s.run("rm", "-f", "holder")
	s.run("volume", "prune", "-f")
	s.run("volume", "ls", "-q")
	s.run("volume", "prune", "-a", "-f")
	s.run("volume", "ls")
	return s.out.String()
}

// The same for networks, volumes and the rest: chapter 07 and 08's
// commands with a daemon and without.
func TestClientModeObjects(t *testing.T) {
	bothWays(t, func(e *harness.Env) {
		e.Busybox()
		e.NetHost("nameserver 192.0.2.53\n")
	}, objectsScenario)
}

// Docker behaviour: the command line is the same program with a daemon or
// without; `mydocker -H`/MYDOCKER_HOST only changes who does the work.
func TestClientModeSameOutput(t *testing.T) {
	harness.RequireRoot(t)
	reg := registrytest.Start(t, registrytest.Options{})
	for _, name := range []string{"fixture:1", "fixture:latest", "fixture:2"} {
		pushFixture(t, reg, name) // images_test.go
	}
	bothWays(t, (*harness.Env).Busybox, func(t *testing.T, e *harness.Env) string {
		return clientScenario(t, e, reg.Host)
	})
}

// bothWays runs scenario on an Env of its own, daemonless, then on another
// as the client of a daemon of its own (prepare readies each Env first),
// and compares the two transcripts.
func bothWays(t *testing.T, prepare func(e *harness.Env), scenario func(t *testing.T, e *harness.Env) string) {
	harness.RequireRoot(t)
	var daemonless, client string
	t.Run("daemonless", func(t *testing.T) {
		e := harness.New(t)
		prepare(e)
		daemonless = scenario(t, e)
	})
	t.Run("client", func(t *testing.T) {
		e := harness.New(t)
		prepare(e)
		e.Host = e.StartDaemon().Host()
		client = scenario(t, e)
	})
	sameTranscripts(t, daemonless, client)
}

// sameTranscripts fails for each line where the two halves differ.
func sameTranscripts(t *testing.T, daemonless, client string) {
	t.Helper()
	if daemonless == "" || client == "" {
		t.Fatal("a half did not run")
	}
	if client != daemonless {
		a, b := strings.Split(daemonless, "\n"), strings.Split(client, "\n")
		for i := 0; i < len(a) || i < len(b); i++ {
			var x, y string
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			if x != y {
				t.Errorf("line %d:\n daemonless: %q\n client:     %q", i+1, x, y)
			}
		}
		t.Logf("daemonless:\n%s\nclient:\n%s", daemonless, client)
	}
}

// The client's edges: -H is MYDOCKER_HOST's flag; -it off a terminal is
// one line; no daemon at the address is one line.
func TestClientModeEdges(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	oneLine := func(r harness.Result, code int, what string) {
		t.Helper()
		if r.Code != code || strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, what) {
			t.Errorf("%v\nwant exit %d and one line saying %q", r, code, what)
		}
	}
	if out := e.MustRun("-H", d.Host(), "version"); !strings.Contains(out, "daemon at "+d.Host()) {
		t.Errorf("mydocker -H %s version = %q, want the daemon's line", d.Host(), out)
	}
	e.Host = d.Host()
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	// -it off a terminal is refused before anything is made, as
	// daemonless (run's 125, exec's 1).
	oneLine(e.Run("run", "--rm", "-it", "busybox", "true"), 125, "the input device is not a TTY")
	oneLine(e.Run("exec", "-it", "box", "true"), 1, "the input device is not a TTY")
	e.Host = "unix://" + d.Dir + "/nobody.sock"
	oneLine(e.Run("ps"), 1, "cannot connect to the mydocker daemon at "+e.Host)
	oneLine(e.Run("run", "busybox", "true"), 125, "cannot connect to the mydocker daemon")
	e.Host = "tcp://127.0.0.1:2375"
	oneLine(e.Run("ps"), 125, "unix socket only")
	e.Host = d.Host()
	e.MustRun("rm", "-f", "box")
}

// Part 6, with terminals: mydocker's own command line through the daemon
// under a real terminal (run -it, exec -it, attach, start -ai), as the
// docker client's are tested in daemon_test.go.
package chapter09

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/chapters/harness"
)

// cooked reports whether the terminal is as a shell leaves it (echo, line
// editing): a client that left it raw leaves its user typing blind.
// Termios asked of the master side are the terminal's own (the slave's).
func cooked(t *testing.T, master *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS)
	require.NoError(t, err)
	return tio.Lflag&(unix.ECHO|unix.ICANON) == unix.ECHO|unix.ICANON
}

// typeUntil types keys into the terminal until want comes back: keys
// typed while the shell is still starting may be lost to its line editor.
// want is what the shell prints, never the keys' echo: keys typed before
// the client has put its terminal in raw mode are echoed by the terminal
// itself, and a detach typed then would be the terminal's (ctrl-q its
// flow control), not the client's.
func typeUntil(t *testing.T, master *os.File, keys, want string) string {
	t.Helper()
	var out string
	eventually(t, "the terminal shows "+want, func() bool {
		master.Write([]byte(keys))
		out = harness.ReadUntil(master, want, 2*time.Second)
		return strings.Contains(out, want)
	})
	return out
}

// Docker behaviour, through mydocker's own client: `run -it` gets a
// terminal of the container's own, sized as ours and resized with it
// (SIGWINCH), ctrl-p ctrl-q detaches (exit 0) and leaves it running,
// `attach` comes back to it, and the shell's exit code is attach's.
// `exec -it` likewise, and its detach leaves the process running, held
// by the daemon; `start -ai` starts a created container attached.
func TestClientModeTerminal(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	e.Host = d.Host()

	cmd, master := e.OnTerminal(31, 97, "run", "-it", "--name", "shell", "busybox", "sh")
	harness.ReadUntil(master, "# ", 20*time.Second)
	out := typeUntil(t, master, "tty; stty size; echo $((6*7))\r", "42\r\n")
	if !strings.Contains(out, "/dev/pts/") || !strings.Contains(out, "31 97") {
		t.Errorf("run -it: %q, want a /dev/pts/N and the size 31 97", out)
	}
	require.NoError(t, unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 42, Col: 111}))
	cmd.Process.Signal(syscall.SIGWINCH)
	typeUntil(t, master, "stty size\r", "42 111")
	if cooked(t, master) {
		t.Errorf("run -it: the client's terminal is not in raw mode while it relays")
	}
	master.Write([]byte{0x10, 0x11}) // ctrl-p ctrl-q
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("run -it, detached with ctrl-p ctrl-q: exit %d, want 0", code)
	}
	if !cooked(t, master) {
		t.Errorf("run -it, detached: the terminal was left in raw mode")
	}
	if got := e.MustRun("inspect", "-f", "{{.State.Status}}", "shell"); got != "running\n" {
		t.Errorf("after the detach keys, the container is %q, want running", got)
	}
	cmd, master = e.OnTerminal(24, 80, "attach", "--detach-keys", "ctrl-a,b", "shell")
	typeUntil(t, master, "echo one$((1+1))\r", "one2")
	master.Write([]byte{0x01, 'b'})
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("attach --detach-keys ctrl-a,b: exit %d, want 0", code)
	}
	cmd, master = e.OnTerminal(24, 80, "attach", "shell")
	typeUntil(t, master, "echo b$((1+1))ck\r", "b2ck")
	master.Write([]byte("exit 3\r"))
	if code := harness.ExitCode(t, cmd); code != 3 {
		t.Errorf("attach, then exit 3: exit %d, want 3", code)
	}

	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	cmd, master = e.OnTerminal(33, 99, "exec", "-it", "box", "sh")
	harness.ReadUntil(master, "# ", 20*time.Second)
	out = typeUntil(t, master, "tty; stty size; echo $((6*7))\r", "42\r\n")
	if !strings.Contains(out, "/dev/pts/") || !strings.Contains(out, "33 99") {
		t.Errorf("exec -it: %q, want a /dev/pts/N and the size 33 99", out)
	}
	master.Write([]byte("exit 7\r"))
	if code := harness.ExitCode(t, cmd); code != 7 {
		t.Errorf("exec -it sh, exit 7: exit %d, want 7", code)
	}
	// The size goes with the exec's create (ConsoleSize): a command that
	// reads it at once has it, before any resize could come.
	for i := 0; i < 3; i++ {
		cmd, master = e.OnTerminal(33, 99, "exec", "-t", "box", "stty", "size")
		out := harness.ReadUntil(master, "\n", 20*time.Second)
		harness.ExitCode(t, cmd)
		if !strings.Contains(out, "33 99") {
			t.Errorf("exec -t stty size on a 33x99 terminal: %q", out)
			break
		}
	}
	cmd, master = e.OnTerminal(24, 80, "exec", "-it", "box", "sh")
	typeUntil(t, master, "echo $$ >/tmp/pid; echo s$((1+1))ved\r", "s2ved")
	master.Write([]byte{0x10, 0x11})
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("exec -it, detached with ctrl-p ctrl-q: exit %d, want 0", code)
	}
	time.Sleep(200 * time.Millisecond) // a hang-up's SIGHUP would have come by now
	if r := e.Run("exec", "box", "sh", "-c", "kill -0 $(cat /tmp/pid) && echo alive"); r.Stdout != "alive\n" {
		t.Errorf("the shell of a detached exec -it: %v, want it alive", r)
	}

	e.MustRun("create", "-it", "--name", "later", "busybox", "sh")
	cmd, master = e.OnTerminal(24, 80, "start", "-ai", "later")
	harness.ReadUntil(master, "# ", 20*time.Second)
	typeUntil(t, master, "echo st$((1+1))rted\r", "st2rted")
	master.Write([]byte("exit 5\r"))
	if code := harness.ExitCode(t, cmd); code != 5 {
		t.Errorf("start -ai, then exit 5: exit %d, want 5", code)
	}

	// A client killed by a signal gives the terminal back first, then
	// dies of it; with a terminal the signal is not the container's.
	cmd, master = e.OnTerminal(24, 80, "run", "-it", "--name", "killed", "busybox", "sh")
	typeUntil(t, master, "echo k$((1+1))\r", "k2")
	cmd.Process.Signal(syscall.SIGTERM)
	harness.ExitCode(t, cmd)
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGTERM {
		t.Errorf("run -it, SIGTERM to the client: %v, want it ended by SIGTERM", cmd.ProcessState)
	}
	if !cooked(t, master) {
		t.Errorf("run -it, client killed by SIGTERM: the terminal was left in raw mode")
	}
	if got := e.MustRun("inspect", "-f", "{{.State.Status}}", "killed"); got != "running\n" {
		t.Errorf("after SIGTERM to the client of a -t container, it is %q, want running", got)
	}
	e.MustRun("rm", "-f", "shell", "box", "later", "killed")
}

// ptsLink is an `ls -l /proc/PID/fd` line of a descriptor of a terminal.
var ptsLink = regexp.MustCompile(` -> /dev/pts/[0-9]+$`)

// Docker behaviour: `exec -dt` runs to its end. Its terminal is held by
// whoever runs it (Docker's shim; here the container's monitor, through
// the daemon or daemonless) and emptied: the command is not hung up (SIGHUP)
// when `exec` returns, and 200 kB of output do not fill the terminal and
// stop it; through the daemon, a daemon killed and started again does not
// end it either. The command holds its terminal as its controlling one,
// and nothing else. Daemonless, a container in the foreground of its
// `mydocker run` has no monitor to hold it: refused, nothing started.
func TestExecDetachedTerminal(t *testing.T) {
	harness.RequireRoot(t)
	for _, mode := range []string{"daemonless", "client"} {
		t.Run(mode, func(t *testing.T) {
			e := harness.New(t)
			e.Busybox()
			var d *harness.Daemon
			if mode == "client" {
				d = e.StartDaemon()
				e.Host = d.Host()
			}
			e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
			e.MustRun("exec", "-dt", "box", "sh", "-c", "sleep 0.3; yes | head -c 200000 && echo done >/tmp/dt")
			eventually(t, "exec -dt wrote /tmp/dt", func() bool {
				return e.Run("exec", "box", "cat", "/tmp/dt").Stdout == "done\n"
			})
			// The command took the terminal as its own controlling one,
			// in a session it leads, and holds no descriptor but it: no
			// host file, pipe or socket of the exec's or the monitor's.
			e.MustRun("exec", "-dt", "box", "sh", "-c", "echo $$ >/tmp/pid; exec sleep 1000")
			eventually(t, "exec -dt wrote /tmp/pid", func() bool {
				return e.Run("exec", "box", "cat", "/tmp/pid").Stdout != ""
			})
			pid := strings.TrimSpace(e.MustRun("exec", "box", "cat", "/tmp/pid"))
			fds := e.MustRun("exec", "box", "ls", "-l", "/proc/"+pid+"/fd/")
			for _, line := range strings.Split(strings.TrimSpace(fds), "\n") {
				if strings.HasPrefix(line, "total") {
					continue
				}
				if !ptsLink.MatchString(line) {
					t.Errorf("exec -dt: the command holds %q, want only its terminal, /dev/pts/N (all of /proc/PID/fd:\n%s)", line, fds)
				}
			}
			stat := e.MustRun("exec", "box", "cat", "/proc/"+pid+"/stat")
			f := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
			// f[3] is the session (field 6), f[4] tty_nr (field 7).
			if len(f) < 5 || f[3] != pid || f[4] == "0" {
				t.Errorf("exec -dt: /proc/%s/stat is %q; want a session it leads (field 6) with a controlling terminal (field 7)", pid, stat)
			}
			if d != nil {
				// The terminal outlives the daemon, as it outlives
				// dockerd in Docker's shim: a daemon killed and started
				// again does not hang up on the command.
				d.Kill()
				d.Start()
				// Its state, not kill -0, which a zombie passes.
				r := e.Run("exec", "box", "cat", "/proc/"+pid+"/stat")
				if f := strings.Fields(r.Stdout[strings.LastIndexByte(r.Stdout, ')')+1:]); r.Code != 0 || len(f) == 0 || f[0] == "Z" {
					t.Errorf("exec -dt's command after the daemon was killed and started again: %v, want it running", r)
				}
			}
			e.MustRun("rm", "-f", "box")
			if mode == "client" {
				return
			}
			fg := e.Cmd("run", "--name", "fg", "busybox", "sleep", "1000")
			require.NoError(t, fg.Start())
			eventually(t, "fg runs", func() bool { return e.Run("exec", "fg", "true").Code == 0 })
			r := e.Run("exec", "-dt", "fg", "true")
			if r.Code != 125 || !strings.Contains(r.Stderr, "no monitor to hold the terminal") {
				t.Errorf("exec -dt into a foreground run: %v, want 125 and why", r)
			}
			e.MustRun("rm", "-f", "fg")
			fg.Wait()
		})
	}
}

// The terminal's size before the command's first look (HostConfig's and
// exec's ConsoleSize, API 1.42's, which mydocker's client sends): a resize
// after the start comes too late for a command that asks at once, which
// saw 0x0 now and then. Asked here with no resize at all, so without the
// field the answer is always "0 0".
func TestConsoleSizeBeforeStart(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	code, body := apiRequest(t, d, "POST", "/containers/create?name=sized", strings.NewReader(
		`{"Image":"busybox","Tty":true,"OpenStdin":true,"Cmd":["sh","-c","stty size; exec sleep 1000"],"HostConfig":{"ConsoleSize":[33,99]}}`))
	require.Equal(t, 201, code, body)
	defer d.Docker("rm", "-f", "sized")
	d.MustDocker("start", "sized")
	var logs string
	eventually(t, "sized logged stty's line", func() bool {
		logs = d.MustDocker("logs", "sized")
		return strings.Contains(logs, "\n")
	})
	if logs != "33 99\r\n" {
		t.Errorf("stty size in a container created with ConsoleSize [33, 99]: %q", logs)
	}
	code, body = apiRequest(t, d, "POST", "/containers/sized/exec", strings.NewReader(
		`{"AttachStdout":true,"Tty":true,"Cmd":["stty","size"],"ConsoleSize":[12,34]}`))
	require.Equal(t, 201, code, body)
	id := regexp.MustCompile(`"Id":"([0-9a-f]+)"`).FindStringSubmatch(body)
	require.Len(t, id, 2, body)
	code, body = apiRequest(t, d, "POST", "/exec/"+id[1]+"/start", strings.NewReader(`{"Tty":true}`))
	if code != 200 || body != "12 34\r\n" {
		t.Errorf("exec of stty size with ConsoleSize [12, 34]: %d %q", code, body)
	}
	code, body = apiRequest(t, d, "POST", "/containers/create", strings.NewReader(
		`{"Image":"busybox","Tty":true,"HostConfig":{"ConsoleSize":[70000,1]}}`))
	if code != 400 {
		t.Errorf("a ConsoleSize past 65535: %d %s, want 400", code, body)
	}
}

// Docker behaviour: `exec --detach-keys` goes in the exec create's body
// (DetachKeys, which the exec's inspect shows) and both the client and
// the daemon watch for those keys; ctrl-p ctrl-q are then plain keys.
// (Bad keys, refused at create with nothing run: chapter 06's
// TestExecDetachKeys, which the daemon pass runs through a daemon.)
func TestClientExecDetachKeys(t *testing.T) {
	e := harness.New(t)
	e.Busybox()
	d := e.StartDaemon()
	e.Host = d.Host()
	e.MustRun("run", "-d", "--name", "box", "busybox", "sleep", "1000")
	cmd, master := e.OnTerminal(24, 80, "exec", "-it", "--detach-keys", "ctrl-a,b", "box", "sh")
	harness.ReadUntil(master, "# ", 20*time.Second)
	typeUntil(t, master, "echo $$ >/tmp/pid; stty -ixon; echo s$((1+1))ved\r", "s2ved")
	var id string
	eventually(t, "the exec is listed", func() bool {
		id = strings.Trim(e.MustRun("inspect", "-f", "{{range .ExecIDs}}{{.}}{{end}}", "box"), "\n")
		return id != ""
	})
	resp, err := d.HTTP().Get("http://d/v1.41/exec/" + id + "/json")
	require.NoError(t, err)
	var ins struct {
		ProcessConfig struct{ Tty bool }
		DetachKeys    string
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ins))
	resp.Body.Close()
	if ins.DetachKeys != "ctrl-a,b" {
		t.Errorf("exec inspect's DetachKeys = %q, want %q", ins.DetachKeys, "ctrl-a,b")
	}
	// ctrl-p ctrl-q reach the shell's cat; ctrl-a b detaches.
	master.Write([]byte("exec cat -v\r"))
	typeUntil(t, master, "ready\r", "ready\r\nready")
	master.Write([]byte("\x10\x11\r"))
	if out := harness.ReadUntil(master, "^P^Q", 10*time.Second); !strings.Contains(out, "^P^Q") {
		t.Errorf("exec -it --detach-keys ctrl-a,b, then ctrl-p ctrl-q: read %q, want cat's ^P^Q", out)
	}
	master.Write([]byte{0x01, 'b'})
	if code := harness.ExitCode(t, cmd); code != 0 {
		t.Errorf("exec -it --detach-keys ctrl-a,b, after ctrl-a b: exit %d, want 0", code)
	}
	time.Sleep(200 * time.Millisecond) // a hang-up's SIGHUP would have come by now
	if r := e.Run("exec", "box", "sh", "-c", "kill -0 $(cat /tmp/pid) && echo alive"); r.Stdout != "alive\n" {
		t.Errorf("cat of a detached exec -it: %v, want it alive", r)
	}
	e.MustRun("rm", "-f", "box")
}

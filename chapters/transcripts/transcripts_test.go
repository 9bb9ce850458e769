package transcripts

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/chapters/harness"
)

// ttyEnv makes the test binary a terminal for one command of a
// transcript: it types the README's prompt lines, one per prompt.
const ttyEnv = "MYDOCKER_TRANSCRIPT_TTY"

func TestMain(m *testing.M) {
	if in := os.Getenv(ttyEnv); in != "" {
		os.Exit(typeAtPrompts(in, os.Args[1:]))
	}
	harness.Main(m)
}

// treeEnv names a copy of the repository's READMEs to read instead of the
// source tree (the cgroup v2 VM has no source tree); onlyEnv restricts the
// run to the blocks with that directive (the VM has busybox, not the tools
// of a student's machine, so it runs the "cgroup v2" blocks only).
const (
	treeEnv = "MYDOCKER_TRANSCRIPT_TREE"
	onlyEnv = "MYDOCKER_TRANSCRIPT_ONLY"
)

func repoRoot() string {
	if dir := os.Getenv(treeEnv); dir != "" {
		return dir
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Every console block of every chapter and lab README, run for real.
func TestTranscripts(t *testing.T) {
	root := repoRoot()
	files, _ := filepath.Glob(filepath.Join(root, "chapters", "*", "README.md"))
	labs, _ := filepath.Glob(filepath.Join(root, "labs", "*", "README.md"))
	files = append(append(files, labs...), filepath.Join(root, "README.md"))
	for _, f := range files {
		blocks, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(blocks) == 0 {
			continue
		}
		rel, _ := filepath.Rel(root, f)
		t.Run(filepath.Dir(rel), func(t *testing.T) { runReadme(t, root, rel, blocks) })
	}
}

// runReadme runs a README's blocks in order in one shell, as a student in
// one terminal would, and compares each command's output.
func runReadme(t *testing.T, root, rel string, blocks []Block) {
	e := harness.New(t)
	v2 := pureV2()
	var cmds []Cmd
	only := os.Getenv(onlyEnv)
	for _, b := range blocks {
		switch {
		case only != "" && b.Where != only:
			continue
		case strings.HasPrefix(b.Where, "skip"):
			reason := strings.TrimSpace(strings.TrimPrefix(b.Where, "skip"))
			if reason == "" {
				t.Errorf("%s:%d: a skipped transcript must say why", rel, b.Line)
			}
			t.Logf("%s:%d: not run: %s", rel, b.Line, reason)
			continue
		case b.Where == "cgroup v1" && v2, b.Where == "cgroup v2" && !v2:
			t.Logf("%s:%d: not run here: a %s transcript", rel, b.Line, b.Where)
			continue
		case b.Where != "" && b.Where != "cgroup v1" && b.Where != "cgroup v2":
			t.Errorf("%s:%d: unknown transcript directive %q", rel, b.Line, b.Where)
			continue
		}
		cmds = append(cmds, b.Cmds...)
	}
	if len(cmds) == 0 {
		return
	}
	// A README may start a Docker engine beside mydocker (chapter 05
	// does): what any dockerd leaves outside its own directories goes.
	traces := harness.SnapshotDockerTraces()
	out := runScript(t, root, e.Root, script(cmds))
	traces.Remove(t)
	if f := os.Getenv("MYDOCKER_TRANSCRIPT_DUMP"); f != "" {
		os.WriteFile(f, []byte(script(cmds)+"\n=====\n"+out), 0o644)
	}
	for i, c := range cmds {
		got, ok := segment(out, i)
		if !ok {
			t.Errorf("%s:%d: $ %s\nthe transcript stopped before this command; output so far:\n%s", rel, c.Line, c.Shell, out)
			return
		}
		if diff := Match(c.Expect, got); diff != "" {
			t.Errorf("%s:%d: $ %s\n%s", rel, c.Line, c.Shell, diff)
		}
	}
}

func pureV2() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

func marker(i int) string { return fmt.Sprintf("@@transcript %d@@", i) }

// script is the shell program for a README's commands: each preceded by a
// marker line, stderr with stdout as a terminal shows them.
func script(cmds []Cmd) string {
	var b strings.Builder
	b.WriteString("sudo() { env \"$@\"; }\nexec 2>&1\n")
	for i, c := range cmds {
		// The marker keeps $?, for a README's "echo $?" on the next line.
		fmt.Fprintf(&b, "rc=$?; printf '\\n%s\\n'; (exit $rc)\n", marker(i))
		sh := c.Shell
		switch {
		case len(c.Input) > 0:
			in, _ := json.Marshal(c.Input)
			sh = fmt.Sprintf("%s=%s bin/.transcript-tty sh -c %s", ttyEnv, quote(string(in)), quote("sudo() { env \"$@\"; }; "+sh))
		case strings.HasSuffix(sh, "&") && !strings.HasSuffix(sh, "&&"):
			// A background command's later output would land among the
			// next commands'; the README shows none for it.
			sh = fmt.Sprintf("( %s ) >/dev/null 2>&1 &\nsleep 2", strings.TrimSuffix(sh, "&"))
		}
		b.WriteString(sh + "\n")
	}
	fmt.Fprintf(&b, "printf '\\n%s\\n'\nkill $(jobs -p) 2>/dev/null; wait\n", marker(len(cmds)))
	return b.String()
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// segment cuts command i's output out of the whole.
func segment(out string, i int) (string, bool) {
	start := strings.Index(out, marker(i)+"\n")
	end := strings.Index(out, "\n"+marker(i+1))
	if start < 0 || end < 0 || end < start {
		return "", false
	}
	return out[start+len(marker(i))+1 : end], true
}

// prologue gives the transcript a world of its own, so that the README's
// paths are real and nothing touches the host: a mount namespace in which
// /var/lib/mydocker is the test's data root, /tmp and /root are fresh
// tmpfs, bin/mydocker is the binary under test; and a network namespace
// with only loopback, so no command can reach beyond this machine.
const prologue = `set -e
# Everything the shell needs from the host is staged on a tmpfs of this
# namespace first, since /tmp and /root (where the repository, the binaries
# and Go's caches may live) are about to be covered.
mkdir -p "$T_STAGE" /var/lib/mydocker
mount -t tmpfs -o mode=700 tmpfs "$T_STAGE"
mkdir "$T_STAGE/repo" "$T_STAGE/bin"
mount --bind "$T_REPO" "$T_STAGE/repo"
cp "$T_MYDOCKER" "$T_STAGE/bin/mydocker"
cp "$T_SELF" "$T_STAGE/bin/.transcript-tty"
mount --bind "$T_DATA" /var/lib/mydocker
keep=0
if command -v go >/dev/null; then
	for d in "$(go env GOMODCACHE)" "$(go env GOCACHE)"; do
		[ -d "$d" ] || continue
		mkdir "$T_STAGE/keep$keep"
		mount --bind "$d" "$T_STAGE/keep$keep"
		echo "$d" >"$T_STAGE/keep$keep.path"
		keep=$((keep + 1))
	done
fi
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=700 tmpfs /root
mkdir -p "$T_REPO"
mount --move "$T_STAGE/repo" "$T_REPO"
i=0
while [ $i -lt $keep ]; do
	d=$(cat "$T_STAGE/keep$i.path")
	mkdir -p "$d"
	mount --move "$T_STAGE/keep$i" "$d"
	i=$((i + 1))
done
# bin/mydocker is the binary under test, on a tmpfs over the repository's bin/.
mkdir -p "$T_REPO/bin"
mount -t tmpfs -o mode=755 tmpfs "$T_REPO/bin"
cp "$T_STAGE/bin/mydocker" "$T_STAGE/bin/.transcript-tty" "$T_REPO/bin/"
# Names resolve nowhere: a lookup fails at once on loopback.
echo 'nameserver 127.0.0.1' >"$T_STAGE/resolv.conf"
[ -e /etc/resolv.conf ] || touch /etc/resolv.conf
mount --bind "$T_STAGE/resolv.conf" /etc/resolv.conf
ip link set lo up
cd "$T_REPO"
PATH=$T_REPO/bin:$PATH
set +e
`

func runScript(t *testing.T, root, data, body string) string {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	harness.Require(t, haveAll("unshare", "ip"), "transcripts need unshare and ip (util-linux, iproute2)")
	// bash, as a student's terminal; busybox sh in the cgroup v2 VM.
	shell := "bash"
	if _, err := exec.LookPath(shell); err != nil {
		shell = "sh"
	}
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "--net", shell, "-c", prologue+body)
	// The staging directory is the one trace on the host: an empty
	// directory under /run (a tmpfs), removed at the end.
	os.MkdirAll("/run", 0o755)
	stage, err := os.MkdirTemp("/run", "mydocker-transcript-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(stage)
	cmd.Env = append(os.Environ(), "T_REPO="+root, "T_DATA="+data, "T_MYDOCKER="+harness.Bin(), "T_SELF="+self, "T_STAGE="+stage,
		"HOME=/root", "MYDOCKER_ROOT=", "TERM=dumb", "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Errorf("the transcript still ran after 5 minutes")
	}
	// What the transcript left running in the background (a README should
	// leave nothing, and the leak check says so): SIGTERM first, which
	// mydocker relays to its container and then cleans up after it.
	if syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) == nil {
		t.Errorf("the transcript left processes running: a README must stop what it starts")
		time.Sleep(3 * time.Second)
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	<-done
	return out.String()
}

func haveAll(progs ...string) bool {
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			return false
		}
	}
	return true
}

var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// typeAtPrompts runs args on a new terminal, types each input line once a
// prompt shows, and copies what the terminal shows to stdout.
func typeAtPrompts(inputJSON string, args []string) int {
	var inputs []string
	if err := json.Unmarshal([]byte(inputJSON), &inputs); err != nil {
		fmt.Println(err)
		return 1
	}
	master, slave, err := harness.OpenPTY()
	if err != nil {
		fmt.Println(err)
		return 1
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return 1
	}
	slave.Close()
	var shown strings.Builder
	for _, in := range inputs {
		shown.WriteString(harness.ReadUntil(master, "# ", 20*time.Second))
		master.Write([]byte(in + "\n"))
	}
	shown.WriteString(harness.ReadUntil(master, "\x00never\x00", 2*time.Second))
	cmd.Wait()
	fmt.Print(escapes.ReplaceAllString(strings.ReplaceAll(shown.String(), "\r", ""), ""))
	return 0
}

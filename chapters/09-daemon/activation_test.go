// Socket activation, as the Vagrant VM's mydocker.socket starts the
// daemon: systemd-socket-activate plays systemd, listening on two sockets
// and starting `mydocker daemon -H fd://` at the first connection with
// both passed as descriptors 3 and 4 (LISTEN_FDS=2). A docker client on
// either socket reaches the one daemon.
package chapter09

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mydocker/mydocker/chapters/harness"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

func TestSocketActivation(t *testing.T) {
	e := harness.New(t)
	if os.Getenv(harness.InVMEnv) == "1" {
		t.Skip("the cgroup v2 VM has no docker client and no systemd: this ran natively in the same make test")
	}
	activate := testenv.Program(t, "systemd-socket-activate", "systemd")
	client := testenv.Program(t, "docker", "docker.io")
	dir, err := os.MkdirTemp("", "mydocker-activate-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	a, b := filepath.Join(dir, "mydocker.sock"), filepath.Join(dir, "docker.sock")
	cmd := exec.Command(activate, "-l", a, "-l", b, "-E", "MYDOCKER_ROOT="+e.Root, "-E", "MYDOCKER_BRIDGE=none",
		harness.Bin(), "daemon", "-H", "fd://")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	log := make(chan string, 20)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			log <- s.Text()
		}
		close(log)
	}()
	// systemd-socket-activate says when it listens; the daemon is not
	// started until the first client connects.
	for deadline := time.After(10 * time.Second); ; {
		var line string
		select {
		case line = <-log:
		case <-deadline:
			t.Fatal("systemd-socket-activate did not say it listens")
		}
		if strings.Contains(line, b) {
			break
		}
	}
	for _, sock := range []string{a, b} {
		docker := exec.Command(client, "version", "--format", "{{.Server.APIVersion}}")
		docker.Env = append(os.Environ(), "DOCKER_HOST=unix://"+sock, "DOCKER_CONFIG="+filepath.Join(dir, "client"))
		out, err := docker.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "1.41" {
			t.Errorf("docker version on the activated socket %s: %v\n%s", sock, err, out)
		}
	}
	// The daemon says where it serves: the passed sockets.
	for deadline := time.After(5 * time.Second); ; {
		var line string
		select {
		case line = <-log:
		case <-deadline:
			t.Fatal("the daemon never said it serves fd://")
		}
		if strings.Contains(line, "API 1.41 on fd://") {
			break
		}
	}
}

// Without systemd's sockets, -H fd:// is one clear line and exit 1.
func TestFdWithoutSockets(t *testing.T) {
	e := harness.New(t)
	r := e.Run("daemon", "-H", "fd://")
	if r.Code != 1 || !strings.Contains(r.Stderr, "LISTEN_FDS is unset") {
		t.Errorf("mydocker daemon -H fd:// without sockets: %v, want exit 1 and why", r)
	}
}

// Package scripts holds the shell scripts that provision machines and run
// the VM. These tests run the scripts for real where that is safe.
package scripts

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// TestProvisionIsIdempotent runs provision.sh on a machine it has already
// provisioned (make test runs it first): the second run must change nothing,
// which the test proves by putting an apt-get that records its calls and
// fails first on the PATH.
func TestProvisionIsIdempotent(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: provision.sh needs root")
		}
		t.Skip("needs root: provision.sh installs packages")
	}
	if out, err := exec.Command("./provision.sh").CombinedOutput(); err != nil {
		t.Fatalf("first provision.sh run: %v\n%s", err, out)
	}
	shim := t.TempDir()
	log := filepath.Join(shim, "calls")
	for _, tool := range []string{"apt-get", "curl"} {
		script := "#!/bin/sh\necho " + tool + " \"$@\" >> " + log + "\nexit 1\n"
		if err := os.WriteFile(filepath.Join(shim, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("./provision.sh")
	cmd.Env = append(os.Environ(), "PATH="+shim+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("second provision.sh run failed: %v\n%s", err, out)
	}
	if calls, _ := os.ReadFile(log); len(calls) > 0 {
		t.Errorf("second provision.sh run called:\n%s\nwant nothing installed", calls)
	}
	if !strings.Contains(string(out), "provision: nothing to do") {
		t.Errorf("second provision.sh run said %q, want \"provision: nothing to do\"", out)
	}
}

func TestProvisionCheckChangesNothing(t *testing.T) {
	out, err := exec.Command("./provision.sh", "--check").CombinedOutput()
	if err != nil {
		t.Fatalf("provision.sh --check: %v\n%s", err, out)
	}
	if len(out) == 0 {
		t.Errorf("provision.sh --check printed nothing")
	}
}

func TestScriptsParse(t *testing.T) {
	scripts, _ := filepath.Glob("*.sh")
	more, _ := filepath.Glob("vm/*.sh")
	for _, s := range append(scripts, more...) {
		if out, err := exec.Command("bash", "-n", s).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", s, err, out)
		}
	}
}

// TestBenchExitStatus runs bench.sh's cleanup path without the long
// benchmarks (`bench.sh registry` starts the loopback registry, as the
// chapter 05 benchmark does, and ends): a good run must exit 0 with the
// registry stopped and the work directory gone, and a run whose registry
// did not start must exit non-zero.
func TestBenchExitStatus(t *testing.T) {
	testenv.Program(t, "docker-registry", "docker-registry")
	testenv.Program(t, "curl", "curl")
	testenv.Program(t, "python3", "python3")

	out, err := exec.Command("./bench.sh", "registry").CombinedOutput()
	if err != nil {
		t.Fatalf("bench.sh registry: %v, want exit 0\n%s", err, out)
	}
	var port, pid int
	var work string
	if _, err := fmt.Sscanf(lastLine(out), "bench: registry up on 127.0.0.1:%d, pid %d, work %s", &port, &pid, &work); err != nil {
		t.Fatalf("bench.sh registry said %q: %v", out, err)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		t.Errorf("the registry (pid %d) still runs after bench.sh ended", pid)
	}
	if _, err := os.Stat(work); err == nil {
		t.Errorf("bench.sh left its work directory %s", work)
	}

	// A registry that cannot start: the run did not happen, and says so.
	shim := t.TempDir()
	fake := "#!/bin/sh\necho 'listen tcp: address in use' >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(shim, "docker-registry"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("./bench.sh", "registry")
	cmd.Env = append(os.Environ(), "PATH="+shim+":"+os.Getenv("PATH"))
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "the registry did not answer") {
		t.Errorf("bench.sh registry with a registry that exits at once: %v, %q; want a non-zero exit and why", err, out)
	}
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// TestSystemdUnits checks chapter 09's units as systemd reads them
// (systemd-analyze verify): only the binary provision.sh installs in the
// VM may be missing here.
func TestSystemdUnits(t *testing.T) {
	analyze := testenv.Program(t, "systemd-analyze", "systemd")
	out, _ := exec.Command(analyze, "verify", "./mydocker.socket", "./mydocker.service").CombinedOutput()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" && !strings.Contains(line, "/usr/local/bin/mydocker is not executable") {
			t.Errorf("systemd-analyze verify: %s", line)
		}
	}
}

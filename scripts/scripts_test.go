// Package scripts holds the shell scripts that provision machines and run
// the VM. These tests run the scripts for real where that is safe.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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

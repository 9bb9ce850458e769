// Package testenv holds the project's one rule for tests that cannot run
// everywhere: on a student's laptop such a test skips, saying why and how
// to run it; under CI=true it fails, because CI must run every test.
// The engine's checkers (namespacetest, rootfstest, archivetest...), its
// unit tests and the chapters' harness all use it.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run under CI.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require skips the test (or fails it, under CI) unless ok.
func Require(t testing.TB, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if InCI() {
		t.Fatalf("CI=true and this test cannot run: %s", why)
	}
	t.Skipf("skipped: %s", why)
}

// RequireRoot skips (fails under CI) unless running as root.
func RequireRoot(t testing.TB, why string) {
	t.Helper()
	Require(t, os.Geteuid() == 0, "needs root ("+why+"): run it with sudo")
}

// Program finds a program the test needs on PATH, and skips (fails under
// CI) without it, naming the Debian package that has it.
func Program(t testing.TB, program, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	Require(t, err == nil, fmt.Sprintf("needs %s (apt-get install %s)", program, debianPackage))
	return path
}

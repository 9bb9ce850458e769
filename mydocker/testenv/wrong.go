package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// WrongAnswerEnv names, in a re-run of a test binary, the plausible wrong
// answer whose checker run is under test. A checker that only an empty stub
// fails proves little: each one is also run against answers a student
// might write, and must fail them for the right reason.
const WrongAnswerEnv = "MYDOCKER_WRONG_ANSWER"

// WrongAnswer returns the wrong answer this run checks, or "".
func WrongAnswer() string { return os.Getenv(WrongAnswerEnv) }

// CheckerFails re-runs the test binary's test named test with
// WrongAnswerEnv=name, and fails t unless that run failed with want in its
// output (the checker's own words for the mistake).
func CheckerFails(t *testing.T, test, name, want string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), WrongAnswerEnv+"="+name)
	out, err := cmd.CombinedOutput()
	switch {
	case err == nil:
		t.Errorf("the checker passed the wrong answer %q:\n%s", name, out)
	case !strings.Contains(string(out), want):
		t.Errorf("the checker failed the wrong answer %q, but not with %q:\n%s", name, want, out)
	default:
		t.Logf("wrong answer %q: the checker said %q", name, want)
	}
}

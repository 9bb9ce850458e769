// skopeo, the reference reader and writer of OCI layouts, archives and
// registries, run by the tests of every medium to check that what mydocker
// writes, others read, and the other way round: Skopeo(t, "inspect", ...).

package imagetest

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/mydocker/mydocker/mydocker/testenv"
)

// Skopeo runs skopeo with args and returns its standard output; a failure
// fails the test, showing the args and skopeo's error output. A missing
// skopeo skips the test; under CI=true it fails it instead, since CI must
// run everything.
func Skopeo(t testing.TB, args ...string) []byte {
	t.Helper()
	bin := testenv.Program(t, "skopeo", "skopeo")
	// --insecure-policy: without it skopeo wants a policy.json, which
	// a test machine need not have, and test images are not signed anyway.
	cmd := exec.Command(bin, append([]string{"--insecure-policy"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("skopeo %q: %v\n%s", args, err, stderr.String())
	}
	return out
}

// Looking at a container's processes from the host.

package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// OnlyChild returns the one child of pid. A child belongs to the thread
// that forked it, so every thread's children file is read.
func OnlyChild(t testing.TB, pid int) int {
	t.Helper()
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var kids []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		kids = append(kids, strings.Fields(string(data))...)
	}
	require.Len(t, kids, 1, "children of %d", pid)
	var child int
	fmt.Sscan(kids[0], &child)
	return child
}

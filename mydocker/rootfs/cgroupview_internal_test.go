// The container's /sys/fs/cgroup on v1, without mounting anything: the
// symlinks a co-mounted hierarchy gets, as on the host and in Docker.

package rootfs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLinkCoMounted(t *testing.T) {
	target := t.TempDir()
	hierarchies := map[string]string{"cpu,cpuacct": "/x", "net_cls,net_prio": "/y", "memory": "/z"}
	for name := range hierarchies {
		if err := os.Mkdir(filepath.Join(target, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := linkCoMounted(target, hierarchies); err != nil {
		t.Fatalf("linkCoMounted = %v, want nil", err)
	}
	for link, want := range map[string]string{"cpu": "cpu,cpuacct", "cpuacct": "cpu,cpuacct",
		"net_cls": "net_cls,net_prio", "net_prio": "net_cls,net_prio"} {
		if got, err := os.Readlink(filepath.Join(target, link)); err != nil || got != want {
			t.Errorf("readlink %s = %q, %v; want %q", link, got, err, want)
		}
	}
	if fi, err := os.Lstat(filepath.Join(target, "memory")); err != nil || !fi.IsDir() {
		t.Errorf("memory: %v, want the directory left as it is", err)
	}
}

package builtin

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/mydocker/mydocker/mydocker/digest"
	"github.com/mydocker/mydocker/mydocker/doctor"
)

func TestBusyboxIsReproducible(t *testing.T) {
	bin, err := doctor.FindStaticBusybox()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: no static busybox: %v", err)
		}
		t.Skipf("no static busybox here: %v (apt-get install busybox-static)", err)
	}
	a, cfg, err := Busybox(bin)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := Busybox(bin)
	if digest.FromBytes(a) != digest.FromBytes(b) {
		t.Errorf("two builds from the same busybox differ: %s, %s", digest.FromBytes(a), digest.FromBytes(b))
	}
	// chapters/05-images runs a mydocker built for another CPU to prove
	// this is not a constant that happens to match the test machine.
	if cfg.Architecture != runtime.GOARCH || cfg.OS != runtime.GOOS {
		t.Errorf("the image is for %s/%s, want this machine's %s/%s", cfg.OS, cfg.Architecture, runtime.GOOS, runtime.GOARCH)
	}
	if len(cfg.Config.Cmd) != 1 || cfg.Config.Cmd[0] != "sh" {
		t.Errorf("Cmd = %q, want [sh]", cfg.Config.Cmd)
	}
	want := map[string]byte{"bin/busybox": tar.TypeReg, "bin/sh": tar.TypeSymlink, "etc/passwd": tar.TypeReg, "tmp/": tar.TypeDir}
	tr := tar.NewReader(bytes.NewReader(a))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if typ, ok := want[h.Name]; ok {
			if h.Typeflag != typ {
				t.Errorf("%s has type %c, want %c", h.Name, h.Typeflag, typ)
			}
			delete(want, h.Name)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s is owned by %d:%d, want root", h.Name, h.Uid, h.Gid)
		}
	}
	if len(want) > 0 {
		t.Errorf("the image lacks %v", want)
	}
}

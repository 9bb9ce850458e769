// Package builtin makes mydocker's default image from what the machine
// already has: the static busybox of Debian's busybox-static package. One
// binary holds sh, ls, ps, vi and some 400 other tools ("applets"); a root
// filesystem of that binary, a link per applet and a few files in /etc is a
// complete little distribution. So `mydocker run busybox sh` works on a
// fresh machine with nothing downloaded from any registry.
//
// The tar is reproducible: entries in a fixed order, owned by root, all
// dated like the busybox binary. The same busybox gives the same layer
// digest on every machine.
package builtin

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/mydocker/mydocker/mydocker/image"
)

// Name is the default image's name.
const Name = "busybox:latest"

// files are the /etc files a container expects to find. Group 5 is tty,
// which /dev/pts's gid=5 refers to.
var files = map[string]string{
	"etc/passwd": "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n" +
		"nobody:x:65534:65534:nobody:/home:/bin/false\n",
	"etc/group":      "root:x:0:\ndaemon:x:1:\ntty:x:5:\nwheel:x:10:root\nnogroup:x:65534:\n",
	"etc/shells":     "/bin/sh\n",
	"etc/profile":    "export PS1='\\h:\\w\\$ '\n",
	"etc/os-release": "NAME=\"mydocker busybox\"\nID=busybox\nPRETTY_NAME=\"mydocker's built-in busybox image\"\n",
}

// dirs are the directories of the image, with their modes.
var dirs = map[string]int64{
	"bin": 0o755, "dev": 0o755, "etc": 0o755, "home": 0o755, "proc": 0o755, "root": 0o700,
	"sbin": 0o755, "sys": 0o755, "tmp": 0o1777, "usr": 0o755, "usr/bin": 0o755, "usr/sbin": 0o755,
	"var": 0o755, "var/spool": 0o755, "var/spool/mail": 0o755, "var/www": 0o755,
}

// Busybox builds the default image's root filesystem tar from the static
// busybox at bin, and the config to run it with.
func Busybox(bin string) (tarBytes []byte, cfg image.ConfigFile, err error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, cfg, err
	}
	st, err := os.Stat(bin)
	if err != nil {
		return nil, cfg, err
	}
	applets, err := appletPaths(bin)
	if err != nil {
		return nil, cfg, err
	}
	mtime := st.ModTime().UTC().Truncate(time.Second)

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := func(name string, typ byte, mode int64) *tar.Header {
		return &tar.Header{Name: name, Typeflag: typ, Mode: mode, ModTime: mtime, Format: tar.FormatPAX}
	}
	var names []string
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		if err := tw.WriteHeader(hdr(d+"/", tar.TypeDir, dirs[d])); err != nil {
			return nil, cfg, err
		}
	}
	h := hdr("bin/busybox", tar.TypeReg, 0o755)
	h.Size = int64(len(data))
	if err := tw.WriteHeader(h); err != nil {
		return nil, cfg, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, cfg, err
	}
	for _, a := range applets {
		l := hdr(a, tar.TypeSymlink, 0o777)
		l.Linkname = "/bin/busybox"
		if err := tw.WriteHeader(l); err != nil {
			return nil, cfg, err
		}
	}
	names = names[:0]
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		h := hdr(f, tar.TypeReg, 0o644)
		h.Size = int64(len(files[f]))
		if err := tw.WriteHeader(h); err != nil {
			return nil, cfg, err
		}
		io.WriteString(tw, files[f])
	}
	if err := tw.Close(); err != nil {
		return nil, cfg, err
	}
	cfg = image.ConfigFile{
		// The host's busybox runs on the CPU mydocker was built for.
		Architecture: runtime.GOARCH,
		OS:           runtime.GOOS,
		Created:      &mtime,
		Config: image.Config{
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Cmd: []string{"sh"},
		},
		History: []image.History{{Created: &mtime, CreatedBy: "mydocker mkimage busybox (from " + bin + ")"}},
	}
	return buf.Bytes(), cfg, nil
}

// appletPaths asks busybox where each of its applets belongs ("bin/sh",
// "usr/bin/awk"), leaving out busybox itself.
func appletPaths(bin string) ([]string, error) {
	out, err := exec.Command(bin, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list-full: %w (is it busybox?)", bin, err)
	}
	seen := map[string]bool{}
	var paths []string
	for _, line := range strings.Fields(string(out)) {
		p := path.Clean(strings.TrimPrefix(line, "/"))
		if p == "bin/busybox" || seen[p] || strings.HasPrefix(p, "..") {
			continue
		}
		if _, ok := dirs[path.Dir(p)]; !ok {
			continue // a directory the image does not have
		}
		seen[p] = true
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths, nil
}

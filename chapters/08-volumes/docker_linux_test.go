// The same requests to a real Docker engine (Debian's dockerd, started by
// harness.StartDockerd on a socket of the test's own, fed our busybox with
// `mydocker save`): what a container sees of its volumes, and how each
// engine refuses, must match.

package chapter08

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/chapters/harness"
)

func TestSameAsDocker(t *testing.T) {
	e := busybox(t)
	d := harness.StartDockerd(t)
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	e.MustRun("save", "-o", archive, "busybox")
	d.Load(archive)
	host := t.TempDir()

	// What the container sees: the same output from both engines.
	// Docker's init layer adds /etc/mtab, and its networking
	// /etc/resolv.conf (chapter 07): left out of the comparison.
	const list = "ls -ln /etc | grep -vE 'mtab|resolv.conf' | sed 's/  */ /g' | cut -d' ' -f1,3,4,5,9-"
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"copy-up of the image's /etc", []string{"-v", "etcvol:/etc", "busybox", "sh", "-c", list}},
		{"copy-up keeps the directory's own mode and owner", []string{"-v", "tmpvol:/tmp", "busybox", "stat", "-c", "%a %u:%g", "/tmp"}},
		{"volume-nocopy", []string{"--mount", "type=volume,source=emptyvol,target=/etc,volume-nocopy", "busybox", "sh", "-c", "/bin/ls -A /etc | grep -v resolv.conf"}},
		{"tmpfs flags", []string{"--tmpfs", "/t:size=64k", "busybox", "sh", "-c", "grep ' /t ' /proc/self/mountinfo | cut -d' ' -f6"}},
		{"read-only bind", []string{"-v", host + ":/b:ro", "busybox", "sh", "-c", "touch /b/x 2>&1; grep ' /b ' /proc/self/mountinfo | cut -d' ' -f6"}},
		{"--read-only root", []string{"--read-only", "busybox", "sh", "-c", "touch /x 2>&1; echo $?"}},
		{"an anonymous volume's name", []string{"-v", "/anon", "busybox", "sh", "-c", "grep -c ' /anon ' /proc/self/mountinfo"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ours := e.Run(append([]string{"run", "--rm"}, tt.args...)...)
			theirs := d.Docker(append([]string{"run", "--rm", "--network", "none"}, tt.args...)...)
			if ours.Stdout != theirs.Stdout || ours.Code != theirs.Code {
				t.Errorf("mydocker and Docker differ:\n%v\n%v", ours, theirs)
			}
		})
	}
	// Refusals: the same exit code, and Docker's words in ours.
	for _, tt := range []struct {
		name, words string
		args        []string
	}{
		{"missing --mount bind source", "bind source path does not exist", []string{"run", "--rm", "--mount", "type=bind,source=" + host + "/nope,target=/x", "busybox", "true"}},
		{"unknown --mount key", "unexpected key 'color'", []string{"run", "--rm", "--mount", "type=volume,target=/x,color=red", "busybox", "true"}},
		{"bad volume name", "includes invalid characters for a local volume name", []string{"volume", "create", "no/slash"}},
		{"one-character volume name", "volume name is too short", []string{"volume", "create", "a"}},
		{"bad -v mode", "invalid mode", []string{"run", "--rm", "-v", "v1:/x:loud", "busybox", "true"}},
		{"no such volume", "no such volume", []string{"volume", "rm", "nothing"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ours, theirs := e.Run(tt.args...), d.Docker(tt.args...)
			if ours.Code != theirs.Code || !strings.Contains(theirs.Stderr, tt.words) || !strings.Contains(ours.Stderr, tt.words) {
				t.Errorf("want both to say %q with one exit code:\n%v\n%v", tt.words, ours, theirs)
			}
		})
	}
	// In use: both refuse with exit 1, while a stopped container holds it.
	e.MustRun("run", "--name", "holder", "-v", "held:/h", "busybox", "true")
	if r := d.Docker("run", "--name", "holder", "--network", "none", "-v", "held:/h", "busybox", "true"); r.Code != 0 {
		t.Fatalf("%v", r)
	}
	ours, theirs := e.Run("volume", "rm", "held"), d.Docker("volume", "rm", "held")
	if ours.Code != theirs.Code || !strings.Contains(ours.Stderr, "volume is in use") || !strings.Contains(theirs.Stderr, "volume is in use") {
		t.Errorf("volume rm of a volume in use:\n%v\n%v", ours, theirs)
	}
	e.MustRun("rm", "holder")
	d.Docker("rm", "holder")
	e.MustRun("volume", "prune", "-a", "-f")
}

package archive_test

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

func ExampleClean() {
	for _, name := range []string{"./etc/passwd", "/abs", "../../escape", "a/../../b", "dir/", "./"} {
		fmt.Printf("%q\n", archive.Clean(name))
	}
	// Output:
	// "etc/passwd"
	// "abs"
	// "escape"
	// "b"
	// "dir"
	// ""
}

func ExampleParseWhiteout() {
	for _, name := range []string{"etc/.wh.motd", "var/cache/.wh..wh..opq", ".wh..wh.plnk", "etc/passwd"} {
		w, ok := archive.ParseWhiteout(name)
		fmt.Printf("%-24s ok=%-5v dir=%q name=%q opaque=%v\n", name, ok, w.Dir, w.Name, w.Opaque)
	}
	// Output:
	// etc/.wh.motd             ok=true  dir="etc" name="motd" opaque=false
	// var/cache/.wh..wh..opq   ok=true  dir="var/cache" name="" opaque=true
	// .wh..wh.plnk             ok=true  dir="" name="" opaque=false
	// etc/passwd               ok=false dir="" name="" opaque=false
}

// applier is archive.Apply in the shape archivetest wants.
func applier(mode archive.WhiteoutMode) func(dir string, r io.Reader) error {
	return func(dir string, r io.Reader) error {
		_, err := archive.Apply(dir, r, archive.Options{Whiteouts: mode})
		return err
	}
}

// TestApply holds the engine to the checker lab 04 uses, in both modes, and
// to the stricter rule it follows: hostile layers are confined, not refused.
func TestApply(t *testing.T) {
	for _, mode := range []archive.WhiteoutMode{archive.OverlayWhiteouts, archive.ApplyWhiteouts} {
		t.Run(mode.String(), func(t *testing.T) {
			archivetest.CheckConfined(t, mode, applier(mode))
		})
	}
}

// Wrong answers to lab 04 that apply something: the checker must fail
// each, for the reason it names.
var wrongAnswers = map[string]struct {
	apply func(dir string, r io.Reader) error
	want  string
}{
	// The layer store's mode where the lab asks for flattened whiteouts:
	// the deleted files stay, and 0:0 devices appear beside them.
	"whiteouts left for overlayfs": {applier(archive.OverlayWhiteouts), "etc/motd: must not exist after apply, found an overlayfs whiteout"},
	// Every entry applied as it comes, whiteouts read as the files they
	// hide: nothing is ever deleted.
	// Paths cleaned as strings, then used with the host's file calls,
	// which follow the layer's own symlinks out of dir: lab 04's core
	// hostile cases must catch it.
	"paths cleaned as strings": {naiveApply, "the layer got out of dir"},
	"whiteouts ignored": {func(dir string, r io.Reader) error {
		_, err := archive.Apply(dir, renameWhiteouts(r), archive.Options{Whiteouts: archive.ApplyWhiteouts})
		return err
	}, "etc/motd: must not exist after apply, found a regular file"},
}

// renameWhiteouts passes a layer on with its whiteouts renamed to plain
// files ("wh-NAME"), as an applier that does not know them would leave them.
func renameWhiteouts(r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		tr, tw := tar.NewReader(r), tar.NewWriter(pw)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				pw.CloseWithError(tw.Close())
				return
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			hdr.Name = strings.ReplaceAll(hdr.Name, ".wh.", "wh-")
			if err := tw.WriteHeader(hdr); err != nil {
				pw.CloseWithError(err)
				return
			}
			if _, err := io.Copy(tw, tr); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
	}()
	return pr
}

// The checker lab 04 is held to fails each wrong answer above.
func TestCheckerCatchesWrongAnswers(t *testing.T) {
	if w := testenv.WrongAnswer(); w != "" {
		archivetest.Check(t, archive.ApplyWhiteouts, wrongAnswers[w].apply)
		return
	}
	testenv.RequireRoot(t, "applying layers sets owners")
	for name, w := range wrongAnswers {
		t.Run(name, func(t *testing.T) { testenv.CheckerFails(t, "TestCheckerCatchesWrongAnswers", name, w.want) })
	}
}

// naiveApply extracts a layer the way a first attempt does: each name
// cleaned lexically and joined to dir, then os calls, which follow
// symlinks wherever they lead.
func naiveApply(dir string, r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && err != tar.ErrInsecurePath {
			return err
		}
		name := archive.Clean(hdr.Name)
		if w, ok := archive.ParseWhiteout(name); ok {
			if w.Name != "" {
				os.RemoveAll(filepath.Join(dir, w.Dir, w.Name))
			}
			continue
		}
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		switch hdr.Typeflag {
		case tar.TypeDir:
			os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			os.RemoveAll(p)
			os.Symlink(hdr.Linkname, p)
		case tar.TypeLink:
			os.Link(filepath.Join(dir, archive.Clean(hdr.Linkname)), p)
		case tar.TypeReg:
			f, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, os.FileMode(hdr.Mode).Perm())
			if err != nil {
				return err
			}
			io.Copy(f, tr)
			f.Close()
		}
	}
}

package archive_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
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

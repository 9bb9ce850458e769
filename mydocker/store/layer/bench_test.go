package layer

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/mydocker/mydocker/mydocker/archive"
	"github.com/mydocker/mydocker/mydocker/archive/archivetest"
	"github.com/mydocker/mydocker/mydocker/fsutil"
)

// BenchmarkPublish measures what durability costs a layer: extraction
// alone (what the store did before it synced anything), then extraction
// plus the one syncfs(2) commit does, then extraction plus an fsync of
// every file and directory (the other way to do it), and the store's
// UnpackTar, which is extraction, syncfs, rename and a directory fsync.
// The disk is part of the figure: run it on the data root's filesystem
// (MYDOCKER_BENCH_DIR), never on a tmpfs, where a sync costs nothing.
func BenchmarkPublish(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("unpacking sets owners: needs root")
	}
	layer := archivetest.BaseLayer()
	base := b.TempDir()
	if d := os.Getenv("MYDOCKER_BENCH_DIR"); d != "" {
		var err error
		if base, err = os.MkdirTemp(d, "bench"); err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(base)
	}
	ways := []struct {
		name string
		sync func(dir string) error
	}{
		{"apply", func(string) error { return nil }},
		{"apply+syncfs", fsutil.SyncFS},
		{"apply+fsync-each", fsyncTree},
	}
	for _, w := range ways {
		b.Run(w.name, func(b *testing.B) {
			b.SetBytes(int64(len(layer)))
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir, err := os.MkdirTemp(base, "layer")
				if err != nil {
					b.Fatal(err)
				}
				syncAll(b, base) // each run starts with nothing dirty
				b.StartTimer()
				if _, err := archive.Apply(dir, bytes.NewReader(layer), archive.Options{Whiteouts: archive.OverlayWhiteouts}); err != nil {
					b.Fatal(err)
				}
				if err := w.sync(dir); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("UnpackTar", func(b *testing.B) {
		b.SetBytes(int64(len(layer)))
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s, err := Open(filepath.Join(base, fmt.Sprint("root", i)))
			if err != nil {
				b.Fatal(err)
			}
			syncAll(b, base)
			b.StartTimer()
			if _, err := s.UnpackTar(bytes.NewReader(layer)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func syncAll(b *testing.B, dir string) {
	if err := fsutil.SyncFS(dir); err != nil {
		b.Fatal(err)
	}
}

// fsyncTree fsyncs every file and directory beneath dir, deepest last.
func fsyncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

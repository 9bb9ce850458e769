package main

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/mydocker/mydocker/mydocker"

// TestImportGraph keeps doc.go's import graph true: every package of the
// engine is on it, with exactly the imports its source has, and each line
// names only packages on earlier lines, so no import runs up and none
// makes a circle. The checkers (the *test packages) are left out.
func TestImportGraph(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, graph, _ := strings.Cut(string(doc), "# Import graph")
	line := regexp.MustCompile(`(?m)^//\t(\S+)\s+->(.*)$`)
	documented := map[string][]string{}
	var order []string
	for _, m := range line.FindAllStringSubmatch(graph, -1) {
		pkg, deps := m[1], strings.Fields(m[2])
		for _, d := range deps {
			if !slices.Contains(order, d) {
				t.Errorf("doc.go: %s -> %s: %s is not on an earlier line (an import running up, or a circle)", pkg, d, d)
			}
		}
		documented[pkg] = deps
		order = append(order, pkg)
	}

	actual := map[string][]string{}
	err = filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if strings.HasSuffix(d.Name(), "test") || d.Name() == "testdata" {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(dir, 0)
		if err != nil {
			return nil // no Go files here
		}
		var deps []string
		for _, imp := range p.Imports {
			if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
				deps = append(deps, rest)
			}
		}
		sort.Strings(deps)
		actual[dir] = deps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg, deps := range actual {
		want, ok := documented[pkg]
		if !ok {
			t.Errorf("package %s is missing from doc.go's import graph: add the line %q", pkg, pkg+" -> "+strings.Join(deps, " "))
			continue
		}
		sorted := slices.Sorted(slices.Values(want))
		if !slices.Equal(sorted, deps) {
			t.Errorf("doc.go says %s -> %v; its source imports %v", pkg, want, deps)
		}
	}
	for pkg := range documented {
		if _, ok := actual[pkg]; !ok {
			t.Errorf("doc.go's import graph names %s, which has no Go files", pkg)
		}
	}
}

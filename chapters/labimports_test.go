package chapters

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// engine is the import path prefix of the engine's packages: what a lab's
// student code may not use, so that it cannot call the engine's answer.
// (A lab's test files may: the checkers live beside the engine.)
const engine = "github.com/mydocker/mydocker/mydocker"

// engineImports lists the engine packages the package at dir depends on,
// directly or not, as built for a student (no -tags reference, no tests).
func engineImports(t *testing.T, dir string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", dir, err, out)
	}
	var bad []string
	for _, p := range strings.Fields(string(out)) {
		if p == engine || strings.HasPrefix(p, engine+"/") {
			bad = append(bad, p)
		}
	}
	return bad
}

// TestLabsDoNotImportTheEngine: each lab's student code builds on the
// standard library and golang.org/x/sys/unix alone. make build LAB=NN
// compiles it into the engine, where an import of the engine's answer
// would make the lab pass without the student's work (and cycle).
func TestLabsDoNotImportTheEngine(t *testing.T) {
	labs, _ := filepath.Glob("../labs/[0-9][0-9]-*")
	if len(labs) == 0 {
		t.Fatal("no labs found in ../labs")
	}
	for _, lab := range labs {
		t.Run(filepath.Base(lab), func(t *testing.T) {
			if bad := engineImports(t, "./"+lab); len(bad) > 0 {
				t.Errorf("%s imports the engine: %s; give the student what they need as plain types in the lab", lab, strings.Join(bad, ", "))
			}
		})
	}
	// The guard can fail: a checker package does import the engine.
	if bad := engineImports(t, "../mydocker/namespace/namespacetest"); len(bad) == 0 {
		t.Errorf("engineImports(namespacetest) = none, want the engine's namespace package")
	}
}

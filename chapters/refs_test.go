// Package chapters holds the course text. This test keeps the text honest:
// every engine file a chapter or lab README names must exist, every symbol
// its reading order names must be declared in that file, and every relative
// link must lead somewhere.
package chapters

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

var (
	codePath   = regexp.MustCompile("`(mydocker/[A-Za-z0-9_/.-]+\\.go)`")
	readingRow = regexp.MustCompile("^\\s*(?:\\d+\\.|-)\\s+`(mydocker/[A-Za-z0-9_/.-]+\\.go)`(.*)$")
	ident      = regexp.MustCompile("`([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)?)(?:\\(\\))?`")
	lineNumber = regexp.MustCompile(`\b[A-Za-z0-9_]+\.go:\d+`)
	mdLink     = regexp.MustCompile(`\]\(([^)#\s]*)(?:#([^)\s]*))?\)`)
)

func TestReferencesResolve(t *testing.T) {
	docs, _ := filepath.Glob("*/README.md")
	labs, _ := filepath.Glob("../labs/*/README.md")
	docs = append(append(docs, labs...), "../README.md")
	for _, doc := range docs {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			where := doc + ":" + itoa(i+1)
			if m := lineNumber.FindString(line); m != "" {
				t.Errorf("%s: quotes %s, a line number that drifts with the code: name the function instead", where, m)
			}
			for _, m := range codePath.FindAllStringSubmatch(line, -1) {
				if _, err := os.Stat(filepath.Join("..", m[1])); err != nil {
					t.Errorf("%s: names %s, which does not exist", where, m[1])
				}
			}
			if m := readingRow.FindStringSubmatch(line); m != nil {
				decls := declared(t, filepath.Join("..", m[1]))
				for _, id := range ident.FindAllStringSubmatch(m[2], -1) {
					if !decls[id[1]] {
						t.Errorf("%s: %s does not declare %s", where, m[1], id[1])
					}
				}
			}
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				if strings.Contains(m[1], "://") || strings.HasPrefix(m[1], "mailto:") {
					continue
				}
				target := doc
				if m[1] != "" {
					target = filepath.Join(filepath.Dir(doc), m[1])
					if _, err := os.Stat(target); err != nil {
						t.Errorf("%s: link to %s leads nowhere", where, m[1])
						continue
					}
				}
				if m[2] != "" && strings.HasSuffix(target, ".md") && !anchors(t, target)[m[2]] {
					t.Errorf("%s: link to %s#%s names no section of %s", where, m[1], m[2], target)
				}
			}
		}
	}
}

// TestEveryChapterHasItsParts checks each chapter's README has the sections
// every chapter promises, and a diagram that exists.
func TestEveryChapterHasItsParts(t *testing.T) {
	dirs, _ := filepath.Glob("[0-9][0-9]-*")
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, "README.md"))
		if err != nil {
			t.Errorf("%s has no README.md", dir)
			continue
		}
		text := string(data)
		for _, section := range []string{"## Reading order", "## Try it", "## Break it", "## Lab", "## Tests"} {
			if !strings.Contains(text, section) {
				t.Errorf("%s/README.md lacks a %q section", dir, section)
			}
		}
		if !regexp.MustCompile(`!\[[^\]]*\]\(\.\./\.\./diagrams/[^)]+\.svg\)`).MatchString(text) {
			t.Errorf("%s/README.md shows no diagram from diagrams/", dir)
		}
		lab := filepath.Join("..", "labs", dir)
		if _, err := os.Stat(lab); err != nil {
			t.Errorf("%s has no lab at %s", dir, lab)
		}
	}
}

// declared lists the top-level names of a Go file, and Type.Method for methods.
func declared(t *testing.T, path string) map[string]bool {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	out := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil && len(d.Recv.List) == 1 {
				out[recvName(d.Recv.List[0].Type)+"."+d.Name.Name] = true
			} else {
				out[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out[n.Name] = true
					}
				}
			}
		}
	}
	return out
}

func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr:
		return recvName(e.X)
	}
	return ""
}

var heading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

// anchors lists the section anchors GitHub makes for a Markdown file's
// headings: lower case, punctuation dropped, spaces as hyphens, and -1, -2
// after a repeated one. Headings inside code blocks are not headings.
func anchors(t *testing.T, path string) map[string]bool {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, seen, fenced := map[string]bool{}, map[string]int{}, false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		m := heading.FindStringSubmatch(line)
		if fenced || m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			seen[slug]++
			slug += "-" + itoa(n)
		} else {
			seen[slug] = 1
		}
		out[slug] = true
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

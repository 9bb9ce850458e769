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
)

// A workshop session is 90 minutes, and its reading a few hundred lines.
const (
	sessionMinutes = 90
	maxPartLines   = 450
)

var (
	partHeading = regexp.MustCompile(`^### Part (\d+): (.+) \((\d+) minutes\)$`)
	testsLine   = regexp.MustCompile("^Tests: (.*)$")
	testName    = regexp.MustCompile("`(Test[A-Za-z0-9_]+)`")
	sessionRow  = regexp.MustCompile(`^\| \[(\d+)\. [^\]]+\]\(#part-[^)]+\) \|.*\| about (\d+) lines \|.*\| (\d+) min \|$`)
)

// part is one workshop session of a chapter: its reading order, counted in
// lines of the declarations it names (a whole file where it names none),
// and the chapter's tests that check what it builds.
type part struct {
	number, minutes, lines int
	title                  string
	tests                  []string
}

// TestEveryChapterIsSessions checks that each chapter is cut into parts a
// workshop session can finish: each part's reading order is at most
// maxPartLines lines of code, it takes at most sessionMinutes, it names the
// tests that check it, every test of the chapter belongs to one part, and
// the chapter's Sessions table gives each part's size as the code has it
// (within a tenth), so the table cannot drift from the code.
func TestEveryChapterIsSessions(t *testing.T) {
	dirs, _ := filepath.Glob("[0-9][0-9]-*")
	for _, dir := range dirs {
		doc := filepath.Join(dir, "README.md")
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		parts := readParts(t, doc, string(data))
		if len(parts) == 0 {
			t.Errorf("%s: its reading order is not cut into parts (### Part 1: Title (N minutes))", doc)
			continue
		}
		have := chapterTests(t, dir)
		seen := map[string]int{}
		for i, p := range parts {
			if p.number != i+1 {
				t.Errorf("%s: part %d is numbered %d", doc, i+1, p.number)
			}
			if p.lines > maxPartLines {
				t.Errorf("%s: part %d reads %d lines, more than the %d a session holds", doc, p.number, p.lines, maxPartLines)
			}
			if p.minutes > sessionMinutes {
				t.Errorf("%s: part %d takes %d minutes, more than a %d-minute session", doc, p.number, p.minutes, sessionMinutes)
			}
			if len(p.tests) == 0 {
				t.Errorf("%s: part %d names no tests (a line \"Tests: `TestX`, ...\")", doc, p.number)
			}
			for _, name := range p.tests {
				if !have[name] {
					t.Errorf("%s: part %d names %s, which is not a test of %s", doc, p.number, name, dir)
				}
				if q, ok := seen[name]; ok {
					t.Errorf("%s: %s is in part %d and part %d", doc, name, q, p.number)
				}
				seen[name] = p.number
			}
			t.Logf("%s part %d: %s: %d lines, %d minutes, %d tests", dir, p.number, p.title, p.lines, p.minutes, len(p.tests))
		}
		for name := range have {
			if _, ok := seen[name]; !ok {
				t.Errorf("%s: %s is in no part's Tests line", doc, name)
			}
		}
		rows := map[int][2]int{}
		for _, line := range strings.Split(string(data), "\n") {
			if m := sessionRow.FindStringSubmatch(line); m != nil {
				n, _ := strconv.Atoi(m[1])
				lines, _ := strconv.Atoi(m[2])
				minutes, _ := strconv.Atoi(m[3])
				rows[n] = [2]int{lines, minutes}
			}
		}
		for _, p := range parts {
			row, ok := rows[p.number]
			switch {
			case !ok:
				t.Errorf("%s: the Sessions table has no row for part %d (| [%d. Title](#part-…) | … | about N lines | … | M min |)", doc, p.number, p.number)
			case abs(row[0]-p.lines)*10 > p.lines:
				t.Errorf("%s: the Sessions table says part %d reads about %d lines; its reading order names %d", doc, p.number, row[0], p.lines)
			case row[1] != p.minutes:
				t.Errorf("%s: the Sessions table says part %d takes %d min; its heading says %d", doc, p.number, row[1], p.minutes)
			}
		}
		if len(rows) != len(parts) {
			t.Errorf("%s: the Sessions table has %d rows for %d parts", doc, len(rows), len(parts))
		}
	}
}

func readParts(t *testing.T, doc, text string) []part {
	var parts []part
	in := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.HasPrefix(line, "## Reading order")
			continue
		}
		if !in {
			continue
		}
		if m := partHeading.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			minutes, _ := strconv.Atoi(m[3])
			parts = append(parts, part{number: n, title: m[2], minutes: minutes})
			continue
		}
		if strings.HasPrefix(line, "### ") {
			t.Errorf("%s:%d: a heading in the reading order that is not a part: %q", doc, i+1, line)
			continue
		}
		if len(parts) == 0 {
			continue
		}
		p := &parts[len(parts)-1]
		if m := testsLine.FindStringSubmatch(line); m != nil {
			for _, n := range testName.FindAllStringSubmatch(m[1], -1) {
				p.tests = append(p.tests, n[1])
			}
			continue
		}
		if m := readingRow.FindStringSubmatch(line); m != nil {
			p.lines += rowLines(t, filepath.Join("..", m[1]), m[2])
		}
	}
	return parts
}

// rowLines counts the lines a reading-order row asks for: the named
// declarations with their doc comments, or the whole file.
func rowLines(t *testing.T, path, rest string) int {
	spans := declSpans(t, path)
	ids := ident.FindAllStringSubmatch(rest, -1)
	if len(ids) == 0 {
		return spans[""]
	}
	n := 0
	for _, id := range ids {
		n += spans[id[1]]
	}
	return n
}

func declSpans(t *testing.T, path string) map[string]int {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	lines := func(from, to token.Pos) int { return fset.Position(to).Line - fset.Position(from).Line + 1 }
	span := func(n ast.Node, doc *ast.CommentGroup) int {
		if doc != nil {
			return lines(doc.Pos(), n.End())
		}
		return lines(n.Pos(), n.End())
	}
	out := map[string]int{"": fset.Position(f.End()).Line}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil && len(d.Recv.List) == 1 {
				name = recvName(d.Recv.List[0].Type) + "." + name
			}
			out[name] = span(d, d.Doc)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				var names []string
				var node ast.Node = s
				doc := d.Doc
				switch s := s.(type) {
				case *ast.TypeSpec:
					names, doc = []string{s.Name.Name}, pick(s.Doc, d.Doc)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
					doc = pick(s.Doc, d.Doc)
				}
				if len(d.Specs) == 1 {
					node = d
				}
				for _, n := range names {
					out[n] = span(node, doc)
				}
			}
		}
	}
	return out
}

func pick(a, b *ast.CommentGroup) *ast.CommentGroup {
	if a != nil {
		return a
	}
	return b
}

// chapterTests lists the top-level tests of a chapter's test files.
func chapterTests(t *testing.T, dir string) map[string]bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	out := map[string]bool{}
	for _, file := range files {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") && fn.Name.Name != "TestMain" {
				out[fn.Name.Name] = true
			}
		}
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

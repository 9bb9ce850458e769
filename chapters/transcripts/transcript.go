// Package transcripts keeps the chapters' and labs' console blocks true:
// every ```console block in a README is a transcript, run by
// transcripts_test.go against the built binary, and its output compared with
// what the README says. A student who types the lines sees what the text
// shows.
//
// A transcript is written as a student would paste it:
//
//	$ sudo bin/mydocker run --rm busybox echo hi      a command ("$ ")
//	hi                                                 its output
//	$ cat > /tmp/x <<'EOF'                             a here-document or a
//	...                                                line ending in "\" goes on
//
// In the expected output, a line "..." stands for any number of lines, and
// "…" (or "...") inside a line for any text. Before comparing, both sides
// are masked where a run differs from the last: hex IDs and digests of 12
// digits or more, durations (8.5ms), sizes (2.13MB), ages ("9 seconds
// ago", "Up 9 seconds"), file dates (Nov 23 07:43), PIDs ("pid 2906",
// "PID: 9") and namespace inode numbers (4026532178); runs of spaces count
// as one, so a table's columns may shift. A command's prompt lines
// (busybox's "/ # ") are typed into a terminal, one at a time. A command
// sent to the background with "&" gets two seconds to start, as it would
// while a student types the next line, and its output is not shown. The
// world is the test's own: /var/lib/mydocker, /tmp and /root are private
// to it, bin/mydocker is the binary under test, and only loopback exists.
// A README may start a Docker engine of its own beside mydocker (chapter 05
// does, its data under /tmp); what any dockerd leaves outside its own
// directories (/run/docker) is removed after the run. It runs as root,
// "sudo" included: a line that only works as root (a `*`
// under the data root, which is 0700, expanded by the student's own shell)
// passes here, so such lines are written `sudo sh -c '…'`.
//
// A comment right before the block can say where it runs:
//
//	<!-- transcript: cgroup v1 -->     only where controllers are on v1
//	<!-- transcript: cgroup v2 -->     only on a pure cgroup v2 host
//	<!-- transcript: skip REASON -->   never; the test lists the reason
package transcripts

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// A Block is one ```console block of a README.
type Block struct {
	File  string // the README
	Line  int    // of the opening fence
	Where string // "", "cgroup v1", "cgroup v2", or "skip REASON"
	Cmds  []Cmd
}

// A Cmd is one "$ " command and the output the README shows for it.
type Cmd struct {
	Line   int      // in the README
	Shell  string   // the command, continuation lines included
	Input  []string // lines typed at the command's prompts, for a terminal
	Expect []string // expected output lines; the prompt lines included
}

// prompt is busybox sh's prompt as root: "/ # ", "/work # ".
var prompt = regexp.MustCompile(`^/\S* # `)

// Parse reads the console blocks of a Markdown file.
func Parse(path string) ([]Block, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		blocks  []Block
		cur     *Block
		lastCmt string
		heredoc string // the word that ends an open here-document
		n       int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```console"):
			cur = &Block{File: path, Line: n, Where: directive(lastCmt)}
		case cur == nil:
			if t := strings.TrimSpace(line); t != "" {
				lastCmt = t
			}
		case line == "```" && heredoc == "":
			for i := range cur.Cmds {
				cur.Cmds[i].Expect = trimBlankEnd(cur.Cmds[i].Expect)
			}
			blocks = append(blocks, *cur)
			cur, lastCmt = nil, ""
		case heredoc != "" || continued(cur):
			c := &cur.Cmds[len(cur.Cmds)-1]
			c.Shell += "\n" + line
			if heredoc != "" && strings.TrimSpace(line) == heredoc {
				heredoc = ""
			}
		case strings.HasPrefix(line, "$ "):
			cur.Cmds = append(cur.Cmds, Cmd{Line: n, Shell: strings.TrimPrefix(line, "$ ")})
			heredoc = heredocWord(line)
		case len(cur.Cmds) == 0:
			return nil, fmt.Errorf("%s:%d: output before any \"$ \" command", path, n)
		default:
			c := &cur.Cmds[len(cur.Cmds)-1]
			if loc := prompt.FindStringIndex(line); loc != nil {
				c.Input = append(c.Input, line[loc[1]:])
			}
			c.Expect = append(c.Expect, line)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: console block never closed", path, cur.Line)
	}
	return blocks, sc.Err()
}

// trimBlankEnd drops the blank lines that part one command from the next.
func trimBlankEnd(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// continued reports whether the block's last command ends in a backslash
// and has no output yet.
func continued(b *Block) bool {
	if len(b.Cmds) == 0 {
		return false
	}
	c := b.Cmds[len(b.Cmds)-1]
	return len(c.Expect) == 0 && strings.HasSuffix(c.Shell, `\`)
}

var heredocRe = regexp.MustCompile(`<<-?\s*['"]?(\w+)['"]?`)

func heredocWord(line string) string {
	if m := heredocRe.FindStringSubmatch(line); m != nil {
		return m[1]
	}
	return ""
}

var directiveRe = regexp.MustCompile(`^<!--\s*transcript:\s*(.*?)\s*-->$`)

func directive(comment string) string {
	if m := directiveRe.FindStringSubmatch(comment); m != nil {
		return m[1]
	}
	return ""
}

// masks turn what differs from run to run into placeholders; both the
// README's lines and the real output go through them.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{12,}`), "<hex>"},
	{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s)\b`), "<dur>"},
	{regexp.MustCompile(`=> \[(host|init|monitor)\s*(<dur>)?\]`), "=> [$1]"},
	{regexp.MustCompile(`\b\d+(\.\d+)?\s?(B|kB|KB|KiB|MB|MiB|GB|GiB)\b`), "<size>"},
	{regexp.MustCompile(`(\d+|About a|About an|an|a|Less than a) (second|minute|hour|day)s? ago`), "<ago>"},
	{regexp.MustCompile(`\b(Up|Exited \(\d+\)) (\d+|About a|About an|Less than a) (second|minute|hour|day)s?`), "$1 <for>"},
	{regexp.MustCompile(`\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d\b`), "<date>"},
	{regexp.MustCompile(`\b(pid|PID:) \d+`), "$1 <n>"},
	{regexp.MustCompile(`= fd \d+`), "= fd <n>"},      // descriptor numbers: how many are open before varies
	{regexp.MustCompile(`\b40265\d{5}\b`), "<nsino>"}, // namespace inode numbers
	{regexp.MustCompile(` +`), " "},
}

// Mask applies the masks to one line.
func Mask(line string) string {
	line = strings.TrimRight(strings.ReplaceAll(line, "\r", ""), " \t")
	for _, m := range masks {
		line = m.re.ReplaceAllString(line, m.with)
	}
	return line
}

// Match compares real output with the README's expected lines, and
// returns "" or what differs.
func Match(expect []string, got string) string {
	gotLines := strings.Split(strings.TrimRight(strings.ReplaceAll(got, "\r", ""), "\n"), "\n")
	if got == "" {
		gotLines = nil
	}
	pats := make([]*regexp.Regexp, len(expect))
	for i, e := range expect {
		if strings.TrimSpace(e) == "..." {
			continue
		}
		pats[i] = linePattern(Mask(e))
	}
	masked := make([]string, len(gotLines))
	for i, g := range gotLines {
		masked[i] = Mask(g)
	}
	if match(pats, masked) {
		return ""
	}
	return fmt.Sprintf("want:\n\t%s\ngot:\n\t%s", strings.Join(expect, "\n\t"), strings.Join(gotLines, "\n\t"))
}

// linePattern makes an expected line a regexp: "…" and "..." match any text.
func linePattern(e string) *regexp.Regexp {
	parts := strings.Split(strings.ReplaceAll(e, "...", "…"), "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// match reports whether lines match the patterns; a nil pattern is a "..."
// line, which matches any number of lines.
func match(pats []*regexp.Regexp, lines []string) bool {
	if len(pats) == 0 {
		return len(lines) == 0
	}
	if pats[0] == nil {
		for i := 0; i <= len(lines); i++ {
			if match(pats[1:], lines[i:]) {
				return true
			}
		}
		return false
	}
	return len(lines) > 0 && pats[0].MatchString(lines[0]) && match(pats[1:], lines[1:])
}

package transcripts

import (
	"os"
	"path/filepath"
	"testing"
)

// The matcher is what keeps the READMEs honest: it must fail on drift.
func TestMatch(t *testing.T) {
	tests := []struct {
		name   string
		expect []string
		got    string
		ok     bool
	}{
		{"same", []string{"hi"}, "hi\n", true},
		{"other text", []string{"hi"}, "ho\n", false},
		{"a line too many", []string{"hi"}, "hi\nthere\n", false},
		{"a line missing", []string{"hi", "there"}, "hi\n", false},
		{"IDs masked", []string{"sha256:06f1c6e1679b61fd978989a739a0fceb56a6238b8dacfff11f9545b7798c101b"}, "sha256:c108450c10240b9321f55c1da5e236d18b3b5b3a5f84f1b09c666d6a557eab3d\n", true},
		{"short IDs are not", []string{"id 9090"}, "id 1234\n", false},
		{"descriptor numbers masked", []string{"bpf(BPF_PROG_LOAD) = fd 4: rules"}, "bpf(BPF_PROG_LOAD) = fd 12: rules\n", true},
		{"other numbers are not", []string{"60 insns"}, "61 insns\n", false},
		{"timings masked", []string{"=> [host] clone"}, "=> [host  8.5ms] clone\n", true},
		{"ages masked", []string{"9 seconds ago   Up 9 seconds"}, "About a minute ago   Up 2 seconds\n", true},
		{"columns may shift", []string{"a   b"}, "a b\n", true},
		{"... is any lines", []string{"first", "...", "last"}, "first\nx\ny\nlast\n", true},
		{"... may be none", []string{"first", "...", "last"}, "first\nlast\n", true},
		{"… is any text", []string{"exit … done"}, "exit 125 then done\n", true},
		{"… keeps the rest", []string{"exit … done"}, "exit 125 then\n", false},
		{"empty", nil, "", true},
		{"output nobody showed", nil, "surprise\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := Match(tt.expect, tt.got); (diff == "") != tt.ok {
				t.Errorf("Match(%q, %q) = %q, want match %v", tt.expect, tt.got, diff, tt.ok)
			}
		})
	}
}

func TestParse(t *testing.T) {
	md := "Text.\n\n<!-- transcript: cgroup v1 -->\n```console\n$ cat > /tmp/x <<'EOF'\nline\nEOF\n$ echo a \\\n  b\na b\n\n$ sh\n/ # echo hi\nhi\n/ # exit\n```\n"
	path := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	blocks, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 || blocks[0].Where != "cgroup v1" || len(blocks[0].Cmds) != 3 {
		t.Fatalf("Parse = %+v, want one cgroup v1 block of 3 commands", blocks)
	}
	c := blocks[0].Cmds
	if c[0].Shell != "cat > /tmp/x <<'EOF'\nline\nEOF" || len(c[0].Expect) != 0 {
		t.Errorf("here-document: %+v", c[0])
	}
	if c[1].Shell != "echo a \\\n  b" || len(c[1].Expect) != 1 {
		t.Errorf("continued line, and the blank line after its output: %+v", c[1])
	}
	if len(c[2].Input) != 2 || c[2].Input[0] != "echo hi" || c[2].Input[1] != "exit" {
		t.Errorf("prompt lines typed: %+v", c[2])
	}
}

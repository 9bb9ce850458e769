package cli

import (
	"fmt"
	"reflect"
	"testing"
)

func TestFlagSetParse(t *testing.T) {
	tests := []struct {
		args             []string
		tty, interactive bool
		name             string
		env              []string
		rest             []string
	}{
		{args: []string{"-it", "busybox", "sh"}, tty: true, interactive: true, rest: []string{"busybox", "sh"}},
		{args: []string{"--name=web", "img"}, name: "web", rest: []string{"img"}},
		{args: []string{"--name", "web", "img", "ls", "-l"}, name: "web", rest: []string{"img", "ls", "-l"}},
		{args: []string{"-e", "A=1", "-eB=2", "--env=C=3", "img"}, env: []string{"A=1", "B=2", "C=3"}, rest: []string{"img"}},
		{args: []string{"-t=false", "-i", "--", "-img-"}, interactive: true, rest: []string{"-img-"}},
		{args: []string{"--tty=true", "img"}, tty: true, rest: []string{"img"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			var tty, interactive bool
			var name string
			var env []string
			fs := NewFlagSet("run")
			fs.Bool(&tty, "tty", "t", "")
			fs.Bool(&interactive, "interactive", "i", "")
			fs.String(&name, "name", "", "string", "")
			fs.List(&env, "env", "e", "list", "")
			rest, err := fs.Parse(tt.args)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.args, err)
			}
			if tty != tt.tty || interactive != tt.interactive || name != tt.name ||
				!reflect.DeepEqual(env, tt.env) || !reflect.DeepEqual(rest, tt.rest) {
				t.Errorf("Parse(%q) = tty %v, -i %v, name %q, env %q, rest %q; want %v %v %q %q %q",
					tt.args, tty, interactive, name, env, rest, tt.tty, tt.interactive, tt.name, tt.env, tt.rest)
			}
		})
	}
}

func TestFlagSetErrors(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"-x"}, {"--name"}, {"-e"}, {"--tty=maybe"}} {
		var tty bool
		var name string
		var env []string
		fs := NewFlagSet("run")
		fs.Bool(&tty, "tty", "t", "")
		fs.String(&name, "name", "", "string", "")
		fs.List(&env, "env", "e", "list", "")
		if _, err := fs.Parse(args); err == nil {
			t.Errorf("Parse(%q) = nil error, want one", args)
		}
	}
}

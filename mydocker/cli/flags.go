// A small flag parser with Docker's command-line grammar, which Go's flag
// package does not speak: combined short flags (-it), long flags with one or
// two dashes and "=" or a space (--name=x, --name x), repeatable flags
// (-e A=1 -e B=2), and parsing that stops at the first argument that is not
// a flag, so `mydocker run busybox ls -l` leaves "-l" to ls.

package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

type flagKind int

const (
	boolFlag flagKind = iota
	stringFlag
	listFlag
)

type flagDef struct {
	long, short string
	kind        flagKind
	value       string // placeholder in usage: "string", "list", "bytes"
	help        string
	b           *bool
	s           *string
	l           *[]string
	hidden      bool
	changed     bool // given on the command line (Changed)
}

// A FlagSet is the flags of one command.
type FlagSet struct {
	cmd   string
	defs  []*flagDef
	index map[string]*flagDef
}

// NewFlagSet starts the flags of command cmd ("run", "ps").
func NewFlagSet(cmd string) *FlagSet {
	return &FlagSet{cmd: cmd, index: map[string]*flagDef{}}
}

func (f *FlagSet) add(d *flagDef) {
	f.defs = append(f.defs, d)
	f.index["--"+d.long] = d
	if d.short != "" {
		f.index["-"+d.short] = d
	}
}

// Bool defines --long (and -short, if not empty).
func (f *FlagSet) Bool(p *bool, long, short, help string) {
	f.add(&flagDef{long: long, short: short, kind: boolFlag, help: help, b: p})
}

// String defines a flag taking one value; the last one given wins.
func (f *FlagSet) String(p *string, long, short, value, help string) {
	f.add(&flagDef{long: long, short: short, kind: stringFlag, value: value, help: help, s: p})
}

// List defines a repeatable flag; every value is kept, in order.
func (f *FlagSet) List(p *[]string, long, short, value, help string) {
	f.add(&flagDef{long: long, short: short, kind: listFlag, value: value, help: help, l: p})
}

// Changed reports whether --long was given, whatever its value: a
// daemon tells `--tls=false` said out loud from no --tls at all.
func (f *FlagSet) Changed(long string) bool {
	d := f.index["--"+long]
	return d != nil && d.changed
}

// Parse reads flags from args and returns the arguments that follow them.
func (f *FlagSet) Parse(args []string) ([]string, error) {
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--":
			return args[1:], nil
		case strings.HasPrefix(a, "--"):
			n, err := f.parseLong(a, args[1:])
			if err != nil {
				return nil, err
			}
			args = args[1+n:]
		case strings.HasPrefix(a, "-") && len(a) > 1:
			n, err := f.parseShort(a, args[1:])
			if err != nil {
				return nil, err
			}
			args = args[1+n:]
		default:
			return args, nil
		}
	}
	return nil, nil
}

// parseLong handles --name, --name=value and --name value. It returns how
// many of the following arguments it consumed.
func (f *FlagSet) parseLong(a string, rest []string) (int, error) {
	name, val, hasVal := strings.Cut(a, "=")
	d := f.index[name]
	if d == nil {
		return 0, fmt.Errorf("unknown flag: %s", name)
	}
	d.changed = true
	if d.kind == boolFlag {
		if !hasVal {
			*d.b = true
			return 0, nil
		}
		return 0, setBool(d, name, val)
	}
	if hasVal {
		d.set(val)
		return 0, nil
	}
	if len(rest) == 0 {
		return 0, fmt.Errorf("flag needs an argument: %s", name)
	}
	d.set(rest[0])
	return 1, nil
}

// parseShort handles -i, -it, -e KEY=V, -eKEY=V and -m=512m.
func (f *FlagSet) parseShort(a string, rest []string) (int, error) {
	letters := a[1:]
	for i := 0; i < len(letters); i++ {
		name := "-" + letters[i:i+1]
		d := f.index[name]
		if d == nil {
			return 0, fmt.Errorf("unknown shorthand flag: %q in %s", letters[i], a)
		}
		d.changed = true
		if d.kind == boolFlag {
			if strings.HasPrefix(letters[i+1:], "=") {
				return 0, setBool(d, name, letters[i+2:])
			}
			*d.b = true
			continue
		}
		if v := letters[i+1:]; v != "" {
			d.set(strings.TrimPrefix(v, "="))
			return 0, nil
		}
		if len(rest) == 0 {
			return 0, fmt.Errorf("flag needs an argument: %q in %s", letters[i], a)
		}
		d.set(rest[0])
		return 1, nil
	}
	return 0, nil
}

func setBool(d *flagDef, name, val string) error {
	switch val {
	case "true", "1":
		*d.b = true
	case "false", "0":
		*d.b = false
	default:
		return fmt.Errorf("invalid argument %q for %s: want true or false", val, name)
	}
	return nil
}

func (d *flagDef) set(v string) {
	if d.kind == listFlag {
		*d.l = append(*d.l, v)
	} else {
		*d.s = v
	}
}

// PrintDefaults writes the flag table, as `mydocker CMD --help` shows it.
func (f *FlagSet) PrintDefaults(w io.Writer) {
	defs := append([]*flagDef(nil), f.defs...)
	sort.Slice(defs, func(i, j int) bool { return defs[i].long < defs[j].long })
	for _, d := range defs {
		if d.hidden {
			continue
		}
		name := "    "
		if d.short != "" {
			name = "-" + d.short + ", "
		}
		name += "--" + d.long
		if d.value != "" {
			name += " " + d.value
		}
		fmt.Fprintf(w, "  %-26s %s\n", name, d.help)
	}
}

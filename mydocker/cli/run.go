// mydocker run: flags as `docker run` spells them, turned into
// container.RunOptions.

package cli

import (
	"github.com/mydocker/mydocker/mydocker/container"
)

func runCmd(g *Globals, args []string) error {
	var o container.RunOptions
	fs := NewFlagSet("run")
	fs.Bool(&o.Remove, "rm", "", "remove the container when it exits")
	fs.Bool(&o.Interactive, "interactive", "i", "keep STDIN open")
	fs.Bool(&o.TTY, "tty", "t", "allocate a pseudo-TTY")
	fs.String(&o.Hostname, "hostname", "h", "string", "container host name (default: the short ID)")
	fs.String(&o.Name, "name", "", "string", "assign a name to the container")
	fs.List(&o.Env, "env", "e", "list", "set environment variables (KEY=VALUE)")
	fs.String(&o.Cwd, "workdir", "w", "string", "working directory inside the container")
	fs.String(&o.User, "user", "u", "string", "username or UID (format: <name|uid>[:<group|gid>])")
	rest, err := parse(g, fs, args, 1, -1)
	if err != nil {
		return err
	}
	o.Image, o.Args = rest[0], rest[1:]
	code, err := container.Run(g.DataRoot, o)
	if err != nil {
		return err
	}
	if code != 0 {
		return &statusError{code}
	}
	return nil
}

// mydocker doctor: the preflight report.

package cli

import (
	"errors"
	"fmt"

	"github.com/mydocker/mydocker/mydocker/doctor"
)

func doctorCmd(g *Globals, args []string) error {
	if _, err := parse(g, NewFlagSet("doctor"), args, 0, 0); err != nil {
		return err
	}
	results, ok := doctor.Run()
	for _, r := range results {
		line := fmt.Sprintf("%-5s %-16s %s", r.Status, r.Name, r.Detail)
		if r.Fix != "" {
			line += "; fix: " + r.Fix
		}
		fmt.Fprintln(g.Stdout, line)
	}
	if !ok {
		return errors.New("some checks failed: apply the fixes above and run `mydocker doctor` again")
	}
	return nil
}

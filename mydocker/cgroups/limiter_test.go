package cgroups_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mydocker/mydocker/mydocker/cgroups"
	"github.com/mydocker/mydocker/mydocker/cgroups/cgroupstest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// The engine's v2 limiter passes the checker lab 02 is held to.
func TestWriteV2(t *testing.T) { cgroupstest.CheckV2Limiter(t, cgroups.WriteV2) }

// Wrong answers to lab 02 that write limits: the checker must fail each,
// for the reason it names.
var wrongAnswers = map[string]struct {
	limit cgroupstest.Limiter
	want  string
}{
	// --memory-swap is memory plus swap, v1's memsw; v2's memory.swap.max
	// is the swap alone.
	"--memory-swap written as v1's memsw": {func(dir string, r *cgroups.Resources) error {
		if err := cgroups.WriteV2(dir, r); err != nil {
			return err
		}
		if r.MemorySwap > 0 {
			return os.WriteFile(filepath.Join(dir, "memory.swap.max"), []byte(strconv.FormatInt(r.MemorySwap, 10)), 0o644)
		}
		return nil
	}, `memory.swap.max = "100663296", want "33554432"`},
	// --pids-limit -1 means no limit, not a limit of -1 or 0.
	"--pids-limit -1 written as it is": {func(dir string, r *cgroups.Resources) error {
		if err := cgroups.WriteV2(dir, r); err != nil {
			return err
		}
		if r.PidsLimit < 0 {
			return os.WriteFile(filepath.Join(dir, "pids.max"), []byte("0"), 0o644)
		}
		return nil
	}, `pids.max = "0", want "max"`},
}

// The checker lab 02 is held to fails each wrong answer above.
func TestCheckerCatchesWrongAnswers(t *testing.T) {
	if w := testenv.WrongAnswer(); w != "" {
		cgroupstest.CheckV2Limiter(t, wrongAnswers[w].limit)
		return
	}
	for name, w := range wrongAnswers {
		t.Run(name, func(t *testing.T) { testenv.CheckerFails(t, "TestCheckerCatchesWrongAnswers", name, w.want) })
	}
}

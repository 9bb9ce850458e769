package namespace_test

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/namespace"
	"github.com/mydocker/mydocker/mydocker/namespace/namespacetest"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// The engine's own setup, as the container's init runs it on the "host" image.
var engine = namespacetest.Impl{
	CloneFlags: func() uintptr { return namespace.CloneFlags },
	SetupChild: namespace.EnterHostMode,
}

// Wrong answers to lab 01 that look right: the checker must fail each,
// for the reason it names.
var wrongAnswers = map[string]struct {
	impl namespacetest.Impl
	want string
}{
	"no CLONE_NEWPID": {namespacetest.Impl{
		CloneFlags: func() uintptr { return namespace.CloneFlags &^ unix.CLONE_NEWPID },
		SetupChild: namespace.EnterHostMode,
	}, "CloneFlags() lacks unix.CLONE_NEWPID"},
	"mounts left shared": {namespacetest.Impl{
		CloneFlags: func() uintptr { return namespace.CloneFlags },
		SetupChild: func(hostname string) error {
			if err := namespace.SetHostname(hostname); err != nil {
				return err
			}
			if err := namespace.LoopbackUp(); err != nil {
				return err
			}
			return namespace.RemountProc()
		},
	}, "appeared on the host: make / MS_REC|MS_PRIVATE first"},
	"lo left down": {namespacetest.Impl{
		CloneFlags: func() uintptr { return namespace.CloneFlags },
		SetupChild: func(hostname string) error {
			if err := namespace.MakeMountsPrivate(); err != nil {
				return err
			}
			if err := namespace.SetHostname(hostname); err != nil {
				return err
			}
			return namespace.RemountProc()
		},
	}, "lo is down inside"},
}

func TestMain(m *testing.M) {
	impl := engine
	if w := testenv.WrongAnswer(); w != "" {
		impl = wrongAnswers[w].impl
	}
	namespacetest.Main(m, impl)
}

func TestEngineNamespaces(t *testing.T) { namespacetest.Check(t, engine) }

// The checker lab 01 is held to fails each wrong answer above.
func TestCheckerCatchesWrongAnswers(t *testing.T) {
	if w := testenv.WrongAnswer(); w != "" {
		namespacetest.Check(t, wrongAnswers[w].impl)
		return
	}
	testenv.RequireRoot(t, "new namespaces")
	for name, w := range wrongAnswers {
		t.Run(name, func(t *testing.T) { testenv.CheckerFails(t, "TestCheckerCatchesWrongAnswers", name, w.want) })
	}
}

func ExampleFlagNames() {
	fmt.Println(namespace.FlagNames(namespace.CloneFlags))
	fmt.Println(namespace.FlagNames(unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP))
	fmt.Println(namespace.FlagNames(0))
	// Output:
	// CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET
	// CLONE_NEWUTS|CLONE_NEWCGROUP
	// 0
}

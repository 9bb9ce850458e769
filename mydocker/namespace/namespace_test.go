package namespace_test

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/namespace"
	"github.com/mydocker/mydocker/mydocker/namespace/namespacetest"
)

// The engine's own setup, as the container's init runs it on the "host" image.
var engine = namespacetest.Impl{
	CloneFlags: func() uintptr { return namespace.CloneFlags },
	SetupChild: namespace.EnterHostMode,
}

func TestMain(m *testing.M) { namespacetest.Main(m, engine) }

func TestEngineNamespaces(t *testing.T) { namespacetest.Check(t, engine) }

func ExampleFlagNames() {
	fmt.Println(namespace.FlagNames(namespace.CloneFlags))
	fmt.Println(namespace.FlagNames(unix.CLONE_NEWUTS | unix.CLONE_NEWCGROUP))
	fmt.Println(namespace.FlagNames(0))
	// Output:
	// CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET
	// CLONE_NEWUTS|CLONE_NEWCGROUP
	// 0
}

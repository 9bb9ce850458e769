package lab01

import (
	"testing"

	"github.com/mydocker/mydocker/mydocker/namespace/namespacetest"
)

// impl is your code, or with -tags reference the engine's (see the other test files).
func TestMain(m *testing.M) { namespacetest.Main(m, impl) }

func TestNamespaces(t *testing.T) { namespacetest.Check(t, impl) }

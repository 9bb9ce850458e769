package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mydocker/mydocker/mydocker/namespace"
	"github.com/mydocker/mydocker/mydocker/testenv"
)

// TestMain lets Start re-execute this test binary as the container's init,
// as it re-executes mydocker.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		Init() // never returns
	}
	os.Exit(m.Run())
}

// startOnHost starts sh -c script in new namespaces on the host's own
// filesystem (chapter 01's "host" image) and returns its exit code.
func startOnHost(t *testing.T, script string, hooks ...func(*Process) error) (int, error) {
	t.Helper()
	caps, err := Capabilities(nil, nil)
	require.NoError(t, err)
	cfg := &Config{ID: "hooktest", Hostname: "hooktest", Args: []string{"/bin/sh", "-c", script},
		Env: []string{"PATH=" + DefaultPath}, Cwd: "/", Caps: caps}
	p, err := Start(cfg, StartOptions{Cloneflags: namespace.CloneFlags, CreateRuntime: hooks})
	if err != nil {
		return ExitCode(err, ExitEngine), err
	}
	return p.Wait()
}

// The createRuntime hook runs on the host with init's namespaces in place,
// and before the command: the command finds what the hook left, and the
// network namespace the hook opens is the container's, not the host's.
func TestCreateRuntimeHook(t *testing.T) {
	testenv.RequireRoot(t, "it starts a container init in new namespaces")
	dir := t.TempDir()
	marker := filepath.Join(dir, "hook-ran")
	var hostNS, initNS unix.Stat_t
	require.NoError(t, unix.Stat("/proc/self/ns/net", &hostNS))
	code, err := startOnHost(t, "test -f "+marker, func(p *Process) error {
		ns, err := p.OpenNamespace("net")
		if err != nil {
			return err
		}
		defer ns.Close()
		if err := unix.Fstat(int(ns.Fd()), &initNS); err != nil {
			return err
		}
		return os.WriteFile(marker, nil, 0o644)
	})
	require.NoError(t, err)
	if code != 0 {
		t.Errorf("the command did not find the hook's file: exit %d, want 0 (the hook must run before the command)", code)
	}
	if initNS.Ino == hostNS.Ino {
		t.Errorf("OpenNamespace(\"net\") = the host's network namespace (inode %d), want the container's", hostNS.Ino)
	}
}

// A hook that fails stops the start: the command never runs.
func TestCreateRuntimeHookFails(t *testing.T) {
	testenv.RequireRoot(t, "it starts a container init in new namespaces")
	ran := filepath.Join(t.TempDir(), "command-ran")
	boom := errors.New("no veth for you")
	_, err := startOnHost(t, "touch "+ran, func(*Process) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("Start with a failing hook = %v, want %v", err, boom)
	}
	if _, serr := os.Stat(ran); serr == nil {
		t.Errorf("the command ran although the createRuntime hook failed")
	}
}

func TestOpenNamespaceRefusesPaths(t *testing.T) {
	p := &Process{Pid: os.Getpid()}
	for _, kind := range []string{"", "../../self/ns/net", "net/x"} {
		if f, err := p.OpenNamespace(kind); err == nil {
			f.Close()
			t.Errorf("OpenNamespace(%q) = nil error, want a refusal", kind)
		}
	}
}

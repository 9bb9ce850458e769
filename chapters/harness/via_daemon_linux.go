// The daemon pass: chapters 01–08's tests once more, every command through
// a daemon (chapter 09's promise that the command line is the same as a
// client). With ViaDaemonEnv=1 (`make chapters-daemon`), each Env starts
// `mydocker daemon` of its own at its first command — on the Env's data
// root, a socket in a short temp dir, inside NetHost's namespace once
// there is one — and every other mydocker it runs gets MYDOCKER_HOST. The
// daemon stops before the Env's leak checks, which then look for what the
// daemon and its monitors left behind, as they do for daemonless runs.
//
// A test that checks what only a daemonless run can show (the caller's
// --trace narration, the caller's process tree, a kill or freeze of the
// mydocker doing the work, several data roots) calls
// e.Daemonless("why") first: in the daemon pass it stays daemonless and
// logs why. grep -rn 'Daemonless(' chapters/ lists them all.

package harness

import (
	"os"
	"strings"

	"github.com/mydocker/mydocker/mydocker/client"
)

// ViaDaemonEnv, set to 1, runs every Env's commands through a daemon of
// the Env's own: the daemon pass of `make test` (make chapters-daemon).
const ViaDaemonEnv = "MYDOCKER_TEST_VIA_DAEMON"

// ViaDaemon reports whether this is the daemon pass.
func ViaDaemon() bool { return os.Getenv(ViaDaemonEnv) == "1" }

// Daemonless keeps this Env daemonless in the daemon pass, because the
// test checks what a daemon's client cannot show; why goes to the test's
// log. Called after a command, it stops the Env's daemon; what that made
// stays in the data root. In the daemonless pass it does nothing.
func (e *Env) Daemonless(why string) {
	e.t.Helper()
	if !e.viaDaemon {
		return
	}
	e.t.Logf("daemonless in the daemon pass: %s", why)
	e.stopAuto()
	e.viaDaemon = false
}

// callerEnviron is the test's environment without a daemon address of
// the caller's: a daemonless command is daemonless however the tests were
// started.
func callerEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, client.HostEnv+"=") {
			env = append(env, kv)
		}
	}
	return env
}

// autoDaemon returns the address of the Env's own daemon, starting it, or
// starting it again if the Env's namespace or environment changed since
// (NetHost moves the daemon into the namespace playing the host; a test's
// Environ, such as a resolv.conf or a registry, is the daemon's too).
func (e *Env) autoDaemon() string {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	want := strings.Join(e.Wrap, " ") + "\x00" + strings.Join(e.Environ, "\x00")
	if e.auto != nil && e.autoEnv == want && e.auto.cmd.ProcessState == nil {
		return e.auto.Host()
	}
	if e.auto != nil {
		e.auto.Stop()
	} else {
		e.auto = e.newDaemon()
	}
	e.autoEnv = want
	e.auto.Start()
	return e.auto.Host()
}

// stopAuto stops the Env's own daemon, if it runs (Daemon.remove: on a
// failed test, its log goes to the test's).
func (e *Env) stopAuto() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.auto == nil {
		return
	}
	e.auto.remove()
	e.auto = nil
}

package network

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// The benchmarks are a container's whole network life without the
// container: Attach (state lock, IPAM), Join (veth into a namespace,
// address, route), Detach. They change the network namespace they run in,
// so they run only where told that it is a throwaway one (scripts/bench.sh
// runs them under unshare --net).

func requireBenchNetns(b *testing.B) string {
	if os.Getenv("MYDOCKER_BENCH_NETNS") != "1" {
		b.Skip("set MYDOCKER_BENCH_NETNS=1 and run inside a throwaway network namespace (unshare --net): it makes bridges and rules")
	}
	root := b.TempDir()
	// The first attach makes the bridge and its rules, as the first
	// container does; it is not what is measured.
	a, err := Attach(root, Request{Container: "warmup", Hostname: "bench", Monitor: os.Getpid()})
	if err != nil {
		b.Fatal(err)
	}
	a.Detach()
	// With the default bridge off (MYDOCKER_BRIDGE=none, as the rest of
	// bench.sh runs), Attach does nothing, and would be timed as such.
	if a.Settings.IPAddress == "" {
		b.Fatalf("the warm-up attach got no address (%s=%q): nothing would be measured", BridgeEnv, os.Getenv(BridgeEnv))
	}
	return root
}

// holder is a process in a network namespace of its own: the container's init.
func holder(b *testing.B) *exec.Cmd {
	cmd := exec.Command("sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return cmd
}

// BenchmarkAttachDetach: the container still runs at Detach, so mydocker
// deletes the veth itself (a `network disconnect`, or a failed start).
func BenchmarkAttachDetach(b *testing.B) {
	root := requireBenchNetns(b)
	h := holder(b)
	defer func() { h.Process.Kill(); h.Wait() }()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lifecycle(b, root, "bench0123456789abcdef", h.Process.Pid, nil)
	}
}

// benchSeq numbers the containers, so each has a veth name of its own:
// the last one's may still be on its way out.
var benchSeq int

// BenchmarkAttachDetachAfterExit: the path of every `run`: the container
// exits, its namespace goes, and with it the veth; Detach then releases.
func BenchmarkAttachDetachAfterExit(b *testing.B) {
	root := requireBenchNetns(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := holder(b)
		b.StartTimer()
		benchSeq++
		lifecycle(b, root, fmt.Sprintf("%012x", benchSeq), h.Process.Pid, func() {
			b.StopTimer()
			h.Process.Kill()
			h.Wait()
			b.StartTimer()
		})
	}
}

func lifecycle(b *testing.B, root, id string, pid int, exit func()) {
	a, err := Attach(root, Request{Container: id, Hostname: "bench", Monitor: os.Getpid()})
	if err != nil {
		b.Fatal(err)
	}
	ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		b.Fatal(err)
	}
	err = a.Join(ns)
	ns.Close()
	if err != nil {
		b.Fatal(err)
	}
	if exit != nil {
		exit()
	}
	detach := a.Detach
	if exit != nil {
		detach = a.DetachExited
	}
	if err := detach(); err != nil {
		b.Fatal(err)
	}
}

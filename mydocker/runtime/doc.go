// Package runtime is the half of mydocker that runc is: it starts one
// process in new namespaces (chapter 01), in a cgroup (chapter 02), in a
// root filesystem of its own (chapter 03), and is that process's PID 1
// until it exits. It is handed a Config: plain data, a command, an
// environment, capabilities and a rootfs.Spec whose lower directories are
// absolute paths. It knows nothing of images, layers, archives or stores;
// the engine resolves those before it calls Start.
//
// Reading order: config.go (the contract), start_linux.go (the host's
// side: clone, the hooks, the handshake), sync_linux.go (the socket
// between them), init_linux.go (the container's side), command_linux.go
// (the command, started from init), then what init uses: inroot_linux.go
// (every path resolved inside the root), user_linux.go, caps_linux.go,
// tty_linux.go, pid1_linux.go, sealed_linux.go (the binary init runs
// from), exit.go (Docker's exit codes).
//
// Hooks for the chapters to come: StartOptions.CreateRuntime runs on the
// host once init's namespaces exist and before the command does (a
// network joins here), and Config.Rootfs.Binds are the mounts init makes
// inside the container (volumes add theirs).
//
// Imports: cgroups, namespace, rootfs, trace. Imported by: engine, cli
// (exit codes, terminals), main (Init).
package runtime

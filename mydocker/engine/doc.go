// Package engine is the half of mydocker that dockerd is: containers with
// names, IDs and state, kept in a store of their own
// (<data-root>/containers/<id>/container.json, store.go) whose lock makes
// names unique; `run` resolving an image to its layers and handing
// the runtime a Config (run_linux.go, fs_linux.go); `rm` and `rm -f`
// (remove_linux.go); Docker's `rmi` rules, `run --pull`'s policy and the
// busybox auto-build (images.go); the image service, Images: pull, push,
// save, load, import and tag, each telling its progress as Events
// (transfer.go), and what `images` and `inspect` show of an image
// (inspect.go); what `stats` reads (stats.go); `commit` and `diff`
// (commit_linux.go); and the collection of layers nothing uses (gc.go).
//
// Reading order: run_linux.go (Run, a list of steps, each naming its
// chapter), then store.go, fs_linux.go, names.go, remove_linux.go,
// images.go, transfer.go, inspect.go, gc.go, commit_linux.go, stats.go.
//
// Imports: runtime (to start containers), store and store/layer (images
// and their layers), image/remote and image/tarball (registries and
// tarballs), cgroups, namespace, rootfs, archive, image, digest,
// reference, doctor, fsutil, logs, trace. Imported by: cli and monitor.
// The lifecycle (chapter 06): Docker's states and conflicts (state.go),
// restart policies (restart.go), run -d's first half (create_linux.go) and
// stop, kill, pause, wait, rm -f, rename (lifecycle_linux.go); the process
// that looks after a detached container is mydocker/monitor. The daemon
// (chapter 09, mydocker/daemon) calls it as the cli does now: its /images
// endpoints call Images' methods and send their Events as JSON messages.
package engine

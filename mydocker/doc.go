// mydocker is a small container engine, built up over the chapters of this
// course. main only dispatches: "mydocker init" is the container's first
// process (runtime.Init), "mydocker monitor" looks after a detached container
// (monitor.Main); everything else is the command line (cli.Main).
//
// # Package map
//
// One concept per package. Read them bottom up; the chapter that brings
// each in is in brackets.
//
//	digest            content names: sha256 digests, ChainIDs [04] (a leaf)
//	fsutil            atomic files with fsync, flock locks, private directories (a leaf)
//	iocount           counting readers and writers: sizes, limits, progress (a leaf)
//	trace             --trace: each kernel step as it happens [01] (a leaf)
//	logs              Docker's json-file log: writer, rotation, reader [06] (a leaf)
//	attach            the monitor's attach socket: frames, detach keys, the client [06] (a leaf)
//	stdcopy           Docker's multiplexed stream: stdout, stderr in 8-byte frames [09] (a leaf)
//	testenv           the skip-or-fail rule of tests that need root or a program
//	namespace         clone flags and what each namespace hides [01]
//	cgroups           limits: v1 and v2 groups, devices, stats [02]
//	rootfs            the container's root: overlay, /proc, /dev, pivot_root [03]
//	netlink           the route socket: links, veths, addresses, routes, by hand [07]
//	network           bridge networks: IPAM, veths, iptables NAT, published ports [07]
//	volume            volumes: the store, Docker's -v/--mount/--tmpfs specs [08]
//	archive           layer tars: apply with whiteouts, diff, limits [04]
//	reference         image names as Docker reads them [05]
//	image             the image model: manifest, config, layers [04, 05]
//	image/layout      OCI image layouts on disk [04, 05]
//	image/tarball     docker save/load tarballs [05]
//	image/remote      the registry client: pull and push [05]
//	image/builtin     the busybox image built from the host's binary [03]
//	store             the image store: images, layers, GC, the data-root lock [04]
//	store/layer       the layer store: each layer unpacked once, by ChainID [04]
//	runtime           what runc does: start init in namespaces, cgroups and a
//	                  root, be PID 1; knows no image, only a rootfs.Spec [01-03]
//	engine            what dockerd does: containers with names and state,
//	                  images resolved to layers, run, rm, rmi, commit; pull,
//	                  push, save, load, import and tag (Images) [01-05];
//	                  the lifecycle's states, restart policy and commands [06]
//	monitor           a detached container's keeper: init's parent, logs, restarts, attach [06]
//	doctor            does this machine have what mydocker needs? [01, 07]
//	daemon            mydockerd: Docker's Engine API on a unix socket [09]
//	client            the Engine API's client: /_ping, errors, hijacked streams [09] (a leaf)
//	cli               the command line: parses flags, prints [01-09]
//
// Where chapters 06-08 joined the engine, and where the next one goes:
//
//	06 lifecycle      engine (states, stop, kill) + monitor + logs + attach (its socket)
//	07 networking     netlink (the route socket) + network (bridges, veths, NAT), joined through
//	                  runtime.StartOptions.CreateRuntime (engine's JoinNetwork: runc's createRuntime hook)
//	08 volumes        volume; init mounts them in the container's mount namespace (rootfs.Spec)
//	09 daemon         daemon (the API server); cli its client (client, stdcopy; -H)
//
// # Import graph
//
// Each package imports only those on its line (this module's; tests
// aside), and nothing imports upward: the list is in dependency order,
// so each line names only packages above it. TestImportGraph checks this
// against the source.
//
//	digest        ->
//	fsutil        ->
//	iocount       ->
//	trace         ->
//	logs          ->
//	attach        ->
//	stdcopy       ->
//	testenv       ->
//	namespace     -> trace
//	cgroups       -> trace
//	rootfs        -> fsutil trace
//	netlink       -> trace
//	network       -> fsutil netlink trace
//	volume        -> fsutil
//	archive       -> iocount trace
//	reference     -> digest
//	image         -> digest trace
//	image/layout/tarfs -> archive
//	image/layout  -> digest fsutil image image/layout/tarfs
//	image/tarball -> digest image image/layout image/layout/tarfs
//	image/remote  -> digest fsutil image reference
//	image/builtin -> image
//	store/layer   -> archive digest fsutil image iocount trace
//	store         -> digest fsutil image image/layout image/remote reference store/layer
//	runtime       -> cgroups namespace rootfs trace
//	doctor        -> cgroups namespace netlink
//	engine        -> archive cgroups digest doctor fsutil image image/builtin image/remote image/tarball logs namespace network reference rootfs runtime store store/layer trace volume
//	monitor       -> attach cgroups engine logs runtime trace
//	daemon        -> archive attach cgroups engine image/remote logs monitor network reference runtime stdcopy store trace volume
//	client        ->
//	cli           -> archive attach cgroups client daemon digest doctor engine fsutil image/builtin image/remote image/tarball logs monitor network reference runtime stdcopy store trace volume
//	.             -> cli monitor runtime
package main

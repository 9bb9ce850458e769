// Package daemon is mydockerd: the engine behind Docker's Engine API, on a
// unix socket, so that the clients people already use (the docker command
// line, docker-compose, the Docker SDK for Python) drive mydocker (chapter
// 09).
//
// The daemon owns no container: each one has its monitor (package
// monitor), in a session of its own, which outlives the daemon. A request
// does what the command line would do, through the same engine calls;
// the daemon only translates Docker's JSON to engine options and back, and
// engine errors to Docker's statuses (400, 404, 409, 500) with a body
// {"message": ...}. Requests are served concurrently: every change to a
// container is made under that container's lock (engine.Store), as it is
// when two command lines race.
//
// Files: server.go (the socket, the router, version negotiation, errors),
// system.go (_ping, version, info, df), containers.go and exec.go
// (containers), images.go, registry.go (pull, push, login) and
// progress.go (their streamed answers), networks.go and connect.go,
// volumes.go, events.go and watch.go (/events), filters.go (?filters=),
// tcp.go (TLS) and systemd_linux.go (sockets systemd passes, -H fd://).
package daemon

#!/bin/bash
# systemd-check.sh — the checks scripts/vm-systemd.sh runs in its VM, where
# systemd is PID 1 and the root is Debian's with docker.io installed (its
# docker.socket enabled, as a package upgrade leaves it). Run by the unit
# vm-systemd-check.service once multi-user.target is reached, as root, with
# the repository's scripts at /vagrant/scripts and a built mydocker at
# /vagrant/bin/mydocker. One PASS/FAIL line per check on the console, the
# output of a failed one under it; then the exit-status line the host
# waits for. The unit powers the VM off when the script ends.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
# Clients as a user in a fresh login has them: no address given.
unset DOCKER_HOST MYDOCKER_HOST

marker=$(cat /vmtest/marker)
failed=0 passed=0
started=$(date +%s)
finish() {
	echo "vm-systemd: $passed passed, $failed failed ($(($(date +%s) - started)) s of checks)"
	echo "VMTEST-EXIT-STATUS-$marker=$((failed > 0))"
}
trap finish EXIT

# check NAME FUNCTION: PASS or FAIL by the function's status; a failure
# shows what it printed, and the units' state.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "PASS: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name"
		printf '%s\n' "$out" | sed 's/^/    /'
		systemctl --no-pager status mydocker.socket mydocker.service 2>&1 | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
}

install_daemon() { /vagrant/scripts/provision-daemon.sh /vagrant/bin/mydocker; }
main_pid() { systemctl show -p MainPID --value mydocker.service; }

c_provision() {
	local out
	out=$(install_daemon) || { echo "$out"; return 1; }
	grep -q '^provision: mydocker daemon installed' <<<"$out" || { echo "said: $out"; return 1; }
}

c_docker_units_off() {
	local u
	for u in docker.socket docker.service; do
		if systemctl -q is-enabled "$u" || systemctl -q is-active "$u"; then
			echo "$u: $(systemctl is-enabled "$u") and $(systemctl is-active "$u"), want disabled and inactive"
			return 1
		fi
	done
}

c_socket_waits() {
	systemctl -q is-enabled mydocker.socket || { echo "mydocker.socket is $(systemctl is-enabled mydocker.socket)"; return 1; }
	systemctl -q is-active mydocker.socket || { echo "mydocker.socket is $(systemctl is-active mydocker.socket)"; return 1; }
	# Nothing connected yet: systemd holds the sockets, no daemon runs.
	! systemctl -q is-active mydocker.service || { echo "mydocker.service runs before any client came"; return 1; }
}

c_socket_mode() {
	local s got
	for s in /run/docker.sock /run/mydocker.sock; do
		got=$(stat -c '%F %a %U:%G' "$s" 2>&1)
		[[ $got == "socket 660 root:docker" ]] || { echo "$s: $got, want socket 660 root:docker"; return 1; }
	done
}

c_docker_version() {
	local out
	out=$(docker version 2>&1) || { echo "$out"; return 1; }
	grep -q '^Server' <<<"$out" || { echo "no Server part: $out"; return 1; }
	systemctl -q is-active mydocker.service || { echo "mydocker.service is $(systemctl is-active mydocker.service) after a client came"; return 1; }
}

c_docker_run() {
	local out
	# The VM has no network: the daemon, as Docker, would pull busybox from
	# Docker Hub. mydocker makes it from the static busybox instead.
	mydocker mkimage busybox >/dev/null || return 1
	out=$(docker run --rm --network none busybox echo hi 2>&1)
	[[ $out == hi ]] || { echo "docker run said: $out"; return 1; }
}

c_mydocker_ps() {
	local out
	out=$(mydocker ps 2>&1) || { echo "$out"; return 1; }
	[[ $(head -n 1 <<<"$out") == "CONTAINER ID"* ]] || { echo "mydocker ps said: $out"; return 1; }
}

c_daemonless_seen() {
	mydocker run -d --name fromcli --network none busybox sleep 600 >/dev/null || return 1
	docker ps --format '{{.Names}}' | grep -qx fromcli || { docker ps; return 1; }
}

c_daemon_seen() {
	docker run -d --name fromdocker --network none busybox sleep 600 >/dev/null || return 1
	mydocker ps | grep -qw fromdocker || { mydocker ps; return 1; }
}

c_mydocker_socket() {
	mydocker -H unix:///run/mydocker.sock ps | grep -qw fromdocker || { mydocker -H unix:///run/mydocker.sock ps; return 1; }
}

c_group_member() {
	local out
	out=$(setpriv --reuid=vagrant --regid=vagrant --init-groups env HOME=/home/vagrant docker ps 2>&1) || { echo "$out"; return 1; }
}

c_not_member() {
	local out
	if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp docker ps 2>&1); then
		echo "a user outside group docker listed the containers: $out"
		return 1
	fi
	grep -qi 'permission denied' <<<"$out" || { echo "refused, but not for the socket's mode: $out"; return 1; }
}

c_stop_keeps_container() {
	local pid
	pid=$(docker inspect -f '{{.State.Pid}}' fromdocker) || return 1
	systemctl stop mydocker.service || return 1
	! systemctl -q is-active mydocker.service || { echo "mydocker.service still active"; return 1; }
	kill -0 "$pid" || { echo "container fromdocker (pid $pid) ended with the daemon"; return 1; }
	systemctl -q is-active mydocker.socket || { echo "mydocker.socket is $(systemctl is-active mydocker.socket) after stopping mydocker.service: no client can start the daemon again"; return 1; }
}

c_readopted() {
	local out
	out=$(docker ps --format '{{.Names}} {{.Status}}' 2>&1) || { echo "$out"; return 1; }
	grep -q '^fromdocker Up' <<<"$out" || { echo "docker ps: $out"; return 1; }
	systemctl -q is-active mydocker.service || { echo "mydocker.service did not start again"; return 1; }
	docker stop -t 1 fromdocker >/dev/null || return 1
	out=$(docker inspect -f '{{.State.Status}}' fromdocker)
	[[ $out == exited ]] || { echo "after docker stop, fromdocker is $out"; return 1; }
	docker rm fromdocker >/dev/null
}

c_again_nothing() {
	local before out
	before=$(main_pid)
	out=$(install_daemon 2>&1) || { echo "$out"; return 1; }
	[[ -z $out ]] || { echo "a second run said: $out"; return 1; }
	[[ $(main_pid) == "$before" ]] || { echo "the daemon was restarted (pid $before, now $(main_pid))"; return 1; }
}

c_new_binary() {
	local before out
	docker run -d --name kept --network none busybox sleep 600 >/dev/null || return 1
	before=$(main_pid)
	# Another binary (the same one with a byte more: it runs the same).
	cp /vagrant/bin/mydocker /tmp/mydocker.new && echo >>/tmp/mydocker.new
	out=$(/vagrant/scripts/provision-daemon.sh /tmp/mydocker.new 2>&1) || { echo "$out"; return 1; }
	cmp -s /tmp/mydocker.new /usr/local/bin/mydocker || { echo "the new binary was not installed"; return 1; }
	out=$(docker ps --format '{{.Names}} {{.Status}}' 2>&1)
	grep -q '^kept Up' <<<"$out" || { echo "after the daemon's update, docker ps: $out"; return 1; }
	[[ $(main_pid) != "$before" ]] || { echo "the old daemon (pid $before) still serves"; return 1; }
	docker rm -f kept >/dev/null
}

echo "vm-systemd: $(systemctl --version | head -n 1); $(docker --version)"
check "provision-daemon.sh installs mydocker and its units" c_provision
check "docker.io's docker.socket and docker.service are off" c_docker_units_off
check "mydocker.socket is enabled and listening; no daemon before the first client" c_socket_waits
check "/run/docker.sock and /run/mydocker.sock: mode 0660, root:docker" c_socket_mode
check "docker version, no DOCKER_HOST: the socket starts mydocker.service" c_docker_version
check "docker run --rm --network none busybox echo hi" c_docker_run
check "mydocker ps, no -H" c_mydocker_ps
check "a daemonless mydocker run -d is seen by docker ps" c_daemonless_seen
check "a docker run -d is seen by a daemonless mydocker ps" c_daemon_seen
check "mydocker -H unix:///run/mydocker.sock ps reaches the same daemon" c_mydocker_socket
check "user vagrant (group docker) uses the socket without sudo" c_group_member
check "a user outside group docker is refused" c_not_member
check "systemctl stop mydocker.service leaves a -d container running" c_stop_keeps_container
check "the next client starts the daemon again, which re-adopts the container" c_readopted
check "provision-daemon.sh again: nothing to do, the daemon keeps running" c_again_nothing
check "a new binary: the daemon restarts, the containers stay" c_new_binary
docker rm -f fromcli >/dev/null 2>&1 || true

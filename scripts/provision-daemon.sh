#!/usr/bin/env bash
# provision-daemon.sh: chapter 09's daemon under systemd, the last part of
# provision.sh, which builds mydocker and calls it. Where systemd runs (the
# Vagrant VM; not CI's or a container's shell) it installs BINARY as
# /usr/local/bin/mydocker and scripts/mydocker.{socket,service} into
# /etc/systemd/system and enables the socket: systemd listens on
# /run/mydocker.sock and /run/docker.sock, so that `mydocker` and `docker`
# reach the daemon without -H, and starts mydocker.service at the first
# client. Each step is taken only if it changes something; it prints
# "provision: ..." lines only then, and nothing when all was in place.
#
#   sudo scripts/provision-daemon.sh BINARY
#
# scripts/vm-systemd.sh runs it in a VM booted with systemd, as PID 1.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "usage: provision-daemon.sh BINARY (a built mydocker: go build -o BINARY ./mydocker)" >&2
	exit 2
fi
built=$1
if [ ! -d /run/systemd/system ] || ! command -v systemctl >/dev/null; then
	exit 0 # no systemd here: nothing to install
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "provision-daemon.sh: run it as root" >&2
	exit 1
fi
units=$(cd "$(dirname "$0")" && pwd)

changed=false
getent group docker >/dev/null || { groupadd --system docker; changed=true; }
if id vagrant >/dev/null 2>&1 && ! id -nG vagrant | grep -qw docker; then
	usermod -aG docker vagrant # docker without sudo, as on a Docker host
	changed=true
fi
if ! cmp -s "$built" /usr/local/bin/mydocker; then
	install -D -m 0755 "$built" /usr/local/bin/mydocker
	changed=true
fi
for unit in mydocker.socket mydocker.service; do
	if ! cmp -s "$units/$unit" "/etc/systemd/system/$unit"; then
		install -m 0644 "$units/$unit" "/etc/systemd/system/$unit"
		changed=true
	fi
done
# docker.io's units would take /run/docker.sock: keep them off, also when
# docker.io came after us (its postinst enables and starts them).
for unit in docker.socket docker.service; do
	if [ "$(systemctl is-enabled "$unit" 2>/dev/null)" = enabled ] || systemctl is-active -q "$unit"; then
		systemctl disable -q --now "$unit"
		changed=true
	fi
done
if ! systemctl is-enabled -q mydocker.socket || ! systemctl is-active -q mydocker.socket; then
	changed=true
fi

$changed || exit 0
echo "provision: mydocker daemon installed (mydocker.socket: /run/mydocker.sock, /run/docker.sock)"
systemctl daemon-reload
systemctl enable -q mydocker.socket
# A new binary or unit: the running daemon gives way (its containers stay,
# under their monitors); the socket starts the new one.
systemctl stop mydocker.service
systemctl restart mydocker.socket

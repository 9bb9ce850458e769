#!/usr/bin/env bash
# provision.sh: install what mydocker's demo and tests need, and nothing that
# is already there. It is idempotent and quick when there is nothing to do, so
# the Vagrantfile, `make demo`, `make test` and CI all call it.
#
#   sudo scripts/provision.sh           the demo's and the tests' needs
#   sudo scripts/provision.sh --bench   also what `make bench` compares with
#   scripts/provision.sh --check        list what is missing; change nothing
#
# Debian/Ubuntu only (apt). Go comes from go.dev when the system's is too old.
set -euo pipefail

GO_VERSION=${GO_VERSION:-1.26.8}   # at least go.mod's version
GO_ROOT=/usr/local/go

# What the tests use, and why:
#   busybox-static   the default image is built from a static busybox
#   iproute2         `ip`, used by tests to look inside network namespaces
#   iptables         the networking chapter programs NAT as Docker does
#   docker-registry  a real registry server for the image tests (ch05)
#   skopeo           pushes the tests' fixture images into that registry
#   umoci            unpacks OCI images: the reference the layer tests compare with
#   runc             the reference runtime the benchmarks compare with
#   docker.io        a real Docker engine (20.10, with containerd): the tests
#                    start their own dockerd on a socket of their own and
#                    compare what a container sees with it (ch02)
#   apache2-utils    htpasswd, to make the password file of the tests' registry
#   pigz             unpigz, which a pull decompresses layers with when it is
#                    on the PATH, as Docker does (Go's gzip otherwise; the
#                    image tests try both ways)
#   docker-compose   (1.29, Python) and python3-docker (the Docker SDK for
#   python3-docker    Python, 5.0): real clients chapter 09's daemon must
#                    serve, beside docker.io's docker client
#   systemd          systemd-socket-activate and systemd-analyze: chapter 09's
#                    tests start the daemon as its systemd units would
#   ca-certificates, curl   fetching Go when needed
packages=(busybox-static iproute2 iptables docker-registry skopeo umoci runc docker.io apache2-utils pigz
	docker-compose python3-docker systemd ca-certificates curl)
# This machine's architecture, in Debian's words (amd64, arm64): Go's
# tarball and the VM follow it.
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
# The cgroup v2 VM (make test-vm) runs qemu, on hosts that are not pure v2.
# It boots Debian's amd64 kernel, so it needs an amd64 host; an arm64
# student's Vagrant VM (Ubuntu 24.04) is pure cgroup v2 and needs none.
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ]; then
	if [ "$arch" = amd64 ]; then
		packages+=(qemu-system-x86 cpio xz-utils)
	else
		echo "provision: no cgroup v2 VM on $arch (it boots an amd64 kernel); run the tests on a pure cgroup v2 host instead" >&2
	fi
fi
check=false
for arg in "$@"; do
	case $arg in
	--bench) packages+=(hyperfine debootstrap containernetworking-plugins) ;;
	--check) check=true ;;
	*) echo "provision.sh: unknown argument $arg (want --bench or --check)" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done

go_ok() {
	local go=$1 v
	[ -x "$go" ] || return 1
	v=$("$go" env GOVERSION 2>/dev/null) || return 1   # go1.26.8
	v=${v#go}
	# Compare major.minor with go.mod's floor, 1.26.
	[ "$(printf '%s\n' "1.26" "$v" | sort -V | head -n1)" = "1.26" ]
}
need_go=true
if go_ok "$GO_ROOT/bin/go" || go_ok "$(command -v go || true)"; then
	need_go=false
fi

if $check; then
	[ ${#missing[@]} -eq 0 ] || echo "missing packages: ${missing[*]}"
	$need_go && echo "missing: Go $GO_VERSION or later at $GO_ROOT"
	[ ${#missing[@]} -eq 0 ] && ! $need_go && echo "provision: nothing missing"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "provision.sh: run it as root (sudo scripts/provision.sh)" >&2
	exit 1
fi

if [ ${#missing[@]} -gt 0 ]; then
	echo "provision: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
	# Debian's docker-registry starts a registry on all interfaces with its
	# default config. The tests start their own on 127.0.0.1: stop this one.
	if printf '%s\n' "${missing[@]}" | grep -qx docker-registry && command -v systemctl >/dev/null; then
		systemctl disable --now docker-registry 2>/dev/null || true
	fi
	# Debian's docker.io starts a system dockerd (and containerd) on the
	# default socket. The tests start their own and must not meet another
	# engine's containers and cgroups: stop these, and keep them stopped.
	if printf '%s\n' "${missing[@]}" | grep -qx docker.io && command -v systemctl >/dev/null; then
		systemctl disable --now docker.socket docker.service containerd.service 2>/dev/null || true
	fi
fi

if $need_go; then
	echo "provision: installing Go $GO_VERSION into $GO_ROOT"
	tarball=go$GO_VERSION.linux-$arch.tar.gz
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	curl -fsSL -o "$tmp/$tarball" "https://go.dev/dl/$tarball"
	# The checksum go.dev publishes for this file.
	want=$(curl -fsSL "https://go.dev/dl/?mode=json&include=all" |
		tr '{' '\n' | grep "\"filename\": *\"$tarball\"" | sed -n 's/.*"sha256": *"\([0-9a-f]*\)".*/\1/p')
	got=$(sha256sum "$tmp/$tarball" | cut -d' ' -f1)
	if [ -z "$want" ] || [ "$want" != "$got" ]; then
		echo "provision: $tarball checksum $got does not match go.dev's ($want)" >&2
		exit 1
	fi
	rm -rf "$GO_ROOT"
	tar -C /usr/local -xzf "$tmp/$tarball"
	ln -sf "$GO_ROOT/bin/go" "$GO_ROOT/bin/gofmt" /usr/local/bin/
fi

# Kernel modules the chapters use; built in on some kernels, absent in
# some sandboxes: load what can be loaded, quietly.
for m in overlay veth bridge br_netfilter; do
	modprobe -q "$m" 2>/dev/null || true
done

# Chapter 09's daemon under systemd, where systemd runs (the Vagrant VM;
# not CI's or a container's shell): provision-daemon.sh installs the
# binary built here and mydocker.socket, which listens on /run/mydocker.sock
# and /run/docker.sock, so that `mydocker` and `docker` reach the daemon
# without -H. It prints only what it changes.
daemon_changed=false
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
	repo=$(cd "$(dirname "$0")/.." && pwd)
	go=$GO_ROOT/bin/go
	[ -x "$go" ] || go=$(command -v go)
	built=$(mktemp)
	(cd "$repo" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$go" build -o "$built" ./mydocker)
	said=$("$repo/scripts/provision-daemon.sh" "$built") || { rm -f "$built"; exit 1; }
	rm -f "$built"
	if [ -n "$said" ]; then
		echo "$said"
		daemon_changed=true
	fi
fi

if [ ${#missing[@]} -eq 0 ] && ! $need_go && ! $daemon_changed; then
	echo "provision: nothing to do"
fi

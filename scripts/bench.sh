#!/usr/bin/env bash
# bench.sh: each chapter's hot path, measured in one run beside the
# reference tool, with hyperfine. `make bench` runs it (as root).
#
#   chapter 04  unpacking a large layer: mydocker vs `umoci unpack`
#               start latency: mydocker run vs `runc run`, and the
#               unshare+chroot floor
#   chapter 05  pulling and unpacking a large image from a loopback
#               registry: mydocker pull vs `skopeo copy` + `umoci unpack`
#   chapter 06  run -d, logs, exec, stop, and the memory of a container's
#               supervisors: mydocker vs Docker (Debian's dockerd, started
#               on a socket and data root of its own)
#   chapter 07  attaching and detaching a container's network: mydocker run
#               on the default bridge vs --network none (the difference is
#               the attach+detach), beside the CNI bridge plugin's ADD+DEL
#               (host-local IPAM, ipMasq); all in a throwaway netns;
#               and 1 GiB into a container through a published port
#               beside the same to its address directly
#   chapter 08  a new named volume's first mount, with copy-up of a
#               10,000-file directory: mydocker vs Docker (Debian's dockerd
#               on a socket and data root of this run's own)
#   chapter 09  the same docker client against mydocker's daemon and
#               against Docker's: `docker run --rm busybox true`, `docker
#               ps -a` with 100 containers (and the same exchange with
#               curl: each daemon's own share), 100 `docker run -d` at
#               once, `docker pull` from a loopback registry, `docker
#               images`, `docker info`, and each daemon's memory idle
#
#   scripts/bench.sh [all|04|05|06|07|08|09]   the benchmarks (all by default)
#   scripts/bench.sh registry      no benchmark: start the loopback registry
#                                  and end, through the same cleanup
#                                  (scripts_test.go checks its status)
#
# It exits 0 when every benchmark it was asked for ran, and non-zero when
# one did not: the EXIT trap cleans up and keeps the script's status.
#
# The large image is Debian bookworm minbase (debootstrap), built once into
# .cache/bench. Figures go to stdout and to .cache/bench/results-*.md.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
cache=$top/.cache/bench
mkdir -p "$cache"
bin=$top/bin/mydocker
# No default bridge, NAT rules or sysctls on the machine the benchmarks run
# on (dockerd's --bridge=none): containers get --network none, an empty
# network namespace, like runc's and like `docker run --network none`
# beside them. Chapter 07's figures come from a namespace of their own.
export MYDOCKER_BRIDGE=none
runs=${BENCH_RUNS:-5}
only=${1:-all}
case $only in
all | 04 | 05 | 06 | 07 | 08 | 09 | registry) ;;
*) echo "bench.sh: unknown argument $only (want all, 04, 05, 06, 07, 08, 09 or registry)" >&2; exit 2 ;;
esac

work=$(mktemp -d /var/tmp/mydocker-bench.XXXXXX)
# cleanup runs on every exit. It must not change the script's status: the
# registry it stops dies of the SIGTERM it is sent, and `wait` reports that
# as 143, which under set -e would become the status of a good run.
cleanup() {
	local status=$?
	set +e
	if [ -n "${registry_pid:-}" ]; then
		kill "$registry_pid" 2>/dev/null
		wait "$registry_pid" 2>/dev/null
	fi
	runc delete -f mydocker-bench >/dev/null 2>&1
	if [ -n "${instant_pid:-}" ]; then
		kill "$instant_pid" 2>/dev/null
		wait "$instant_pid" 2>/dev/null
	fi
	if [ -n "${mydockerd_pid:-}" ]; then
		kill "$mydockerd_pid" 2>/dev/null
		wait "$mydockerd_pid" 2>/dev/null
	fi
	if [ -n "${dockerd_pid:-}" ]; then
		for c in $(docker -H "unix://$work/docker.sock" ps -aq 2>/dev/null); do
			docker -H "unix://$work/docker.sock" rm -f "$c" >/dev/null 2>&1
		done
		kill "$dockerd_pid" 2>/dev/null
		wait "$dockerd_pid" 2>/dev/null
		umount "$work/docker/exec"/* "$work/docker/data"/* 2>/dev/null
	fi
	if [ -n "${MYDOCKER_ROOT:-}" ] && [ -x "$bin" ]; then
		for c in $("$bin" ps -aq 2>/dev/null); do "$bin" rm -f "$c" >/dev/null 2>&1; done
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT

# start_registry starts a registry of our own on a free loopback port, and
# fails unless it answers within five seconds.
start_registry() {
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$work/registry"
	cat >"$work/registry/config.yml" <<CONFIG
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry/data}}
http: {addr: 127.0.0.1:$port}
CONFIG
	docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
	registry_pid=$!
	for _ in $(seq 50); do
		curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && return 0
		kill -0 "$registry_pid" 2>/dev/null || break # it has ended already
		sleep 0.1
	done
	echo "bench: the registry did not answer on 127.0.0.1:$port: $(tail -n 3 "$work/registry/log")" >&2
	return 1
}

if [ "$only" = registry ]; then
	start_registry
	echo "bench: registry up on 127.0.0.1:$port, pid $registry_pid, work $work"
	exit 0
fi
export MYDOCKER_ROOT=$work/root
results=$cache/results-$(date +%Y%m%d-%H%M%S).md

say() { printf '\n### %s\n\n' "$*" | tee -a "$results"; }
# hf runs hyperfine, then prints its table, each command's median, and the
# ratio of the first command's median to each other's: the figures the
# chapters quote (a few slow outliers move a mean, not a median).
hf() {
	hyperfine -N --style basic --export-markdown "$work/hf.md" --export-json "$work/hf.json" "$@" >&2
	{
		cat "$work/hf.md"
		python3 - "$work/hf.json" <<'MEDIANS'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
unit, scale = ("ms", 1e3) if rs[0]["median"] < 1 else ("s", 1)
print()
for r in rs:
    print(f"median {r['median'] * scale:.{1 if unit == 'ms' else 3}f} {unit}: {r['command']}" +
          (f" (first / this: {rs[0]['median'] / r['median']:.2f}x)" if r is not rs[0] else ""))
MEDIANS
	} | tee -a "$results"
}

echo "mydocker bench on $(uname -r), $(nproc) CPUs, $(date -u +%F)" | tee "$results"

# Chapter 07 needs no large image: it runs first, and alone with `07`.
if [ "$only" = all ] || [ "$only" = 07 ]; then
	# Everything inside a network namespace (and mount namespace, for
	# /run/netns) of its own, playing the host: its bridges, rules and
	# sysctls vanish with it.
	cat >"$work/net07.sh" <<'NET07'
set -euo pipefail
ip link set lo up
mount -t tmpfs tmpfs /run
ip netns add cnibench
export CNI_PATH=/usr/lib/cni CNI_CONTAINERID=bench CNI_NETNS=/run/netns/cnibench CNI_IFNAME=eth0
cat >"$work/cni.json" <<CONF
{"cniVersion": "0.4.0", "name": "benchnet", "type": "bridge", "bridge": "cnibench0", "isGateway": true, "ipMasq": true,
 "ipam": {"type": "host-local", "subnet": "10.99.0.0/16", "dataDir": "$work/cni-ipam"}}
CONF
cat >"$work/cni-adddel.sh" <<'ADDDEL'
CNI_COMMAND=ADD /usr/lib/cni/bridge <"$1" >/dev/null && CNI_COMMAND=DEL /usr/lib/cni/bridge <"$1" >/dev/null
ADDDEL
hyperfine -N --style basic -w 3 -r $((runs * 10)) --export-markdown "$work/hf.md" \
	-n "CNI bridge+host-local+ipMasq ADD+DEL" "sh $work/cni-adddel.sh $work/cni.json" >&2
# mydocker's attach+detach, measured in-process: the whole run's noise
# (start latency, ±20 ms here) would hide a few milliseconds.
MYDOCKER_BENCH_NETNS=1 "$work/network.test" -test.run '^$' -test.bench AttachDetach -test.benchtime $((runs * 20))x -test.count 3 | grep ^Benchmark
NET07
	"${GO:-go}" test -c -o "$work/network.test" ./mydocker/network
	say "chapter 07: attach+detach of a container's network — mydocker (Go benchmark, ns/op) beside CNI bridge ADD+DEL"
	# The default bridge is on here (env -u): in its own namespace it is
	# what is measured; with MYDOCKER_BRIDGE=none, Attach would do nothing
	# and report microseconds.
	work=$work bin=$bin runs=$runs env -u MYDOCKER_BRIDGE unshare --net --mount --propagation private bash "$work/net07.sh" | tee -a "$results"
	cat "$work/hf.md" | tee -a "$results"
	# Throughput: 1 GiB into a container, once to its address directly and
	# once through a published port on the host's address (DNAT), median of
	# three each; again in a namespace of its own playing the host.
	cat >"$work/tp07.sh" <<'TP07'
set -euo pipefail
ip link set lo up
ip link add mydtp0 type veth peer name mydtp1
ip addr add 192.0.2.1/24 dev mydtp0
ip link set mydtp0 up && ip link set mydtp1 up
echo "nameserver 192.0.2.53" >"$work/tp-resolv.conf"
export MYDOCKER_RESOLV_CONF=$work/tp-resolv.conf
"$bin" mkimage busybox >/dev/null
"$bin" run --rm --name tp -p 9099:9000 --ip 172.29.0.77 busybox sh -c 'while true; do nc -l -p 9000 >/dev/null; done' &
python3 - <<'SEND'
import socket, statistics, time
def send(addr, n=1 << 30):
    buf = bytes(1 << 20)
    for _ in range(200):
        try:
            s = socket.create_connection(addr, timeout=5)
            break
        except OSError:
            time.sleep(0.1)
    t0 = time.monotonic()
    for _ in range(n // len(buf)):
        s.sendall(buf)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # the server's close
    s.close()
    return n / (time.monotonic() - t0) / 1e6
direct = statistics.median(send(("172.29.0.77", 9000)) for _ in range(3))
published = statistics.median(send(("192.0.2.1", 9099)) for _ in range(3))
print(f"| 1 GiB to the container's address | {direct:.0f} MB/s |")
print(f"| 1 GiB through -p 9099:9000 on the host's address (DNAT) | {published:.0f} MB/s |")
print(f"| published / direct | {published / direct * 100:.0f}% |")
SEND
"$bin" rm -f tp >/dev/null 2>&1 || true
wait
TP07
	say "chapter 07: throughput into a container — its address directly vs a published port (goal: published ≥ 80% of direct)"
	echo "| path | throughput |" | tee -a "$results"
	echo "|---|---:|" | tee -a "$results"
	work=$work bin=$bin env -u MYDOCKER_BRIDGE unshare --net --mount --propagation private bash "$work/tp07.sh" | tee -a "$results"
	[ "$only" = 07 ] && { echo "bench: results in $results" >&2; exit 0; }
fi

# The large root filesystem, and its layer as a gzipped tar (not for 06, 08).
if [ "$only" != 06 ] && [ "$only" != 08 ]; then
if [ ! -x "$cache/minbase/bin/bash" ]; then
	echo "bench: debootstrap --variant=minbase bookworm (once, into $cache/minbase)" >&2
	rm -rf "$cache/minbase"
	debootstrap --variant=minbase bookworm "$cache/minbase" http://deb.debian.org/debian >&2
fi
if [ "$only" != 08 ] && [ ! -s "$cache/minbase.tar.gz" ]; then
	tar --numeric-owner --xattrs -C "$cache/minbase" -cf - . | gzip -6 > "$cache/minbase.tar.gz"
fi
echo "layer: $(du -h "$cache/minbase.tar.gz" | cut -f1) gzipped, $(du -sh "$cache/minbase" | cut -f1) unpacked, $(find "$cache/minbase" | wc -l) files" | tee -a "$results"
fi

if [ "$only" = all ] || [ "$only" = 04 ]; then
	# Both tools unpack the same blob, from the same OCI layout: mydocker's
	# own image store is one (its index names the image "latest").
	"$bin" import "$cache/minbase.tar.gz" minbase >/dev/null
	say "chapter 04: unpack a $(du -h "$cache/minbase.tar.gz" | cut -f1) gzip layer (Debian minbase) — mydocker vs umoci"
	hf -r "$runs" \
		--prepare "sh -c 'rm -rf $MYDOCKER_ROOT/layers $work/bundle; sync; echo 3 > /proc/sys/vm/drop_caches'" \
		-n "mydocker run --rm minbase true (unpack + run)" "$bin run --rm minbase true" \
		-n "umoci unpack" "umoci unpack --image $MYDOCKER_ROOT/images:latest $work/bundle"

	# Start latency, on the same busybox root filesystem.
	"$bin" mkimage busybox >/dev/null
	"$bin" run --rm busybox true
	mkdir -p "$work/runc/rootfs"
	"$bin" mkimage -o "$work/busybox.tar" busybox
	tar -xf "$work/busybox.tar" -C "$work/runc/rootfs"
	(cd "$work/runc" && runc spec && sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"true"/' config.json)
	say "chapter 04: start latency, busybox \`true\` — mydocker vs runc vs the unshare+chroot floor"
	hf -w 3 -r $((runs * 10)) \
		-n "mydocker run --rm busybox true" "$bin run --rm busybox true" \
		-n "runc run" "runc run -b $work/runc mydocker-bench" \
		-n "unshare -fmuipn chroot" "unshare -fmuipn --mount-proc=$work/runc/rootfs/proc chroot $work/runc/rootfs /bin/true"
fi

if [ "$only" = all ] || [ "$only" = 05 ]; then
	# A registry of our own on loopback, with the minbase image pushed to it.
	start_registry
	ref=127.0.0.1:$port/minbase:1
	"$bin" import "$cache/minbase.tar.gz" minbase >/dev/null
	"$bin" tag minbase "$ref"
	"$bin" push "$ref" >/dev/null
	say "chapter 05: pull and unpack a $(du -h "$cache/minbase.tar.gz" | cut -f1) image from a loopback registry — mydocker vs skopeo copy + umoci unpack"
	hf -r "$runs" \
		--prepare "sh -c 'rm -rf $work/pullroot $work/oci $work/bundle; sync; echo 3 > /proc/sys/vm/drop_caches'" \
		-n "mydocker pull" "env MYDOCKER_ROOT=$work/pullroot $bin pull -q $ref" \
		-n "skopeo copy + umoci unpack" "sh -c 'skopeo copy -q --src-tls-verify=false docker://$ref oci:$work/oci:minbase && umoci unpack --image $work/oci:minbase $work/bundle'" \
		-n "skopeo copy alone" "skopeo copy -q --src-tls-verify=false docker://$ref oci:$work/oci:minbase"
fi

# pss_kb prints the proportional set size of the given PIDs together, in kB.
pss_kb() {
	local total=0 pid kb
	for pid in "$@"; do
		kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
		total=$((total + kb))
	done
	echo "$total"
}

if [ "$only" = all ] || [ "$only" = 06 ]; then
	# Docker on a socket, data root and exec root of its own, networking
	# off (as chapters/harness/dockerd_linux.go starts it), with the same
	# busybox image, loaded from mydocker.
	mkdir -p "$work/docker"
	echo '{"deprecated-key-path": "'"$work"'/docker/key.json"}' > "$work/docker/daemon.json"
	dockerd --config-file "$work/docker/daemon.json" --data-root "$work/docker/data" --exec-root "$work/docker/exec" \
		--pidfile "$work/docker/pid" -H "unix://$work/docker.sock" --bridge none --iptables=false --ip-masq=false \
		--ip-forward=false --exec-opt native.cgroupdriver=cgroupfs >"$work/docker/log" 2>&1 &
	dockerd_pid=$!
	d="docker -H unix://$work/docker.sock"
	for _ in $(seq 100); do $d version >/dev/null 2>&1 && break; sleep 0.1; done
	"$bin" mkimage busybox >/dev/null
	"$bin" save busybox | $d load -q >/dev/null
	say "chapter 06: run -d busybox sleep — mydocker vs docker"
	hf -w 2 -r $((runs * 4)) \
		-n "mydocker run -d" "$bin run -d busybox sleep 1000" \
		-n "docker run -d --network none" "$d run -d --network none busybox sleep 1000"
	for c in $("$bin" ps -aq); do "$bin" rm -f "$c" >/dev/null; done
	for c in $($d ps -aq); do $d rm -f "$c" >/dev/null; done

	"$bin" run -d --name lg busybox sh -c 'for i in $(seq 100); do echo line $i; done; exec sleep 1000' >/dev/null
	$d run -d --network none --name lg busybox sh -c 'for i in $(seq 100); do echo line $i; done; exec sleep 1000' >/dev/null
	sleep 1
	say "chapter 06: logs of a 100-line log — mydocker vs docker"
	hf -w 3 -r $((runs * 6)) -n "mydocker logs" "$bin logs lg" -n "docker logs" "$d logs lg"

	say "chapter 06: exec lg true — mydocker vs docker"
	hf -w 3 -r $((runs * 6)) -n "mydocker exec" "$bin exec lg true" -n "docker exec" "$d exec lg true"

	say "chapter 06: supervisors' memory per running container (PSS, kB): mydocker's monitor + init vs containerd-shim-runc-v2"
	mon=$("$bin" inspect -f '{{.State.Monitor}}' lg)
	init=$("$bin" inspect -f '{{.State.Pid}}' lg)
	shim=$(ps -o ppid= -p "$($d inspect -f '{{.State.Pid}}' lg)" | tr -d ' ')
	printf '| supervisor | PSS kB |\n|---|---|\n| mydocker monitor + init | %s |\n| containerd-shim-runc-v2 | %s |\n' \
		"$(pss_kb "$mon" "$init")" "$(pss_kb "$shim")" | tee -a "$results"

	# A shell that ends on SIGTERM at once, even as Docker's PID 1 (which
	# ignores the signals it has no handler for): its wait is interrupted.
	for tool in "$bin" "$d"; do
		net=""; [ "$tool" = "$d" ] && net="--network none"
		cat > "$work/st-$(basename "${tool%% *}").sh" <<SCRIPT
#!/bin/sh
$tool rm -f st >/dev/null 2>&1
exec $tool run -d $net --name st busybox sh -c 'trap "exit 0" TERM; while :; do sleep 1 & wait \$!; done' >/dev/null
SCRIPT
		chmod +x "$work/st-$(basename "${tool%% *}").sh"
	done
	say "chapter 06: stop of a command that honours SIGTERM — mydocker vs docker"
	hf -r $((runs * 2)) \
		--prepare "$work/st-mydocker.sh" -n "mydocker stop" "$bin stop st" \
		--prepare "$work/st-docker.sh" -n "docker stop" "$d stop st"
fi

if [ "$only" = all ] || [ "$only" = 08 ]; then
	# One image for both engines: busybox plus /data holding 10,000 small
	# files, imported into mydocker and `mydocker save`d into Docker.
	"$bin" mkimage -o "$work/busybox.tar" busybox
	mkdir -p "$work/img10k/data"
	tar -xf "$work/busybox.tar" -C "$work/img10k"
	for d in $(seq 100); do
		mkdir "$work/img10k/data/d$d"
		(cd "$work/img10k/data/d$d" && for f in $(seq 100); do echo "$d $f" > "f$f"; done)
	done
	tar --numeric-owner -C "$work/img10k" -cf "$work/img10k.tar" .
	"$bin" import "$work/img10k.tar" img10k >/dev/null
	"$bin" save -o "$work/img10k-save.tar" img10k
	# Docker, on a socket, data root and exec root of this run's own, with
	# networking off: it touches nothing of the host's (the one chapter
	# 06 started, if it ran).
	if [ -z "${dockerd_pid:-}" ]; then
		mkdir -p "$work/docker"
		echo '{"deprecated-key-path": "'"$work"'/docker/key.json"}' > "$work/docker/daemon.json"
		dockerd --config-file "$work/docker/daemon.json" --data-root "$work/docker/data" --exec-root "$work/docker/exec" \
			--pidfile "$work/docker/pid" -H "unix://$work/docker.sock" --bridge none --iptables=false --ip-masq=false \
			--ip-forward=false --exec-opt native.cgroupdriver=cgroupfs >"$work/docker/log" 2>&1 &
		dockerd_pid=$!
	fi
	docker=(docker -H "unix://$work/docker.sock")
	for _ in $(seq 300); do "${docker[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
	"${docker[@]}" load -q -i "$work/img10k-save.tar" >/dev/null
	"$bin" run --rm img10k true
	"${docker[@]}" run --rm --network none img10k true
	say "chapter 08: a new named volume's first mount, copy-up of 10,000 files (100 dirs) — mydocker vs Docker $("${docker[@]}" version --format '{{.Server.Version}}')"
	hf -w 2 -r $((runs * 2)) \
		--prepare "sh -c '$bin volume rm -f v10k >/dev/null; ${docker[*]} volume rm -f v10k >/dev/null'" \
		-n "mydocker run --rm img10k true (no volume)" "$bin run --rm img10k true" \
		-n "mydocker run --rm -v v10k:/data img10k true (create + copy-up)" "$bin run --rm -v v10k:/data img10k true" \
		-n "docker run --rm img10k true (no volume)" "${docker[*]} run --rm --network none img10k true" \
		-n "docker run --rm -v v10k:/data img10k true (create + copy-up)" "${docker[*]} run --rm --network none -v v10k:/data img10k true"
	"$bin" volume rm -f v10k >/dev/null
fi

if [ "$only" = all ] || [ "$only" = 09 ]; then
	# Docker as chapters 06 and 08 start it (unless one of them did), and
	# mydocker's daemon on a socket of this run's own: the same client,
	# Debian's docker 20.10, drives both.
	if [ -z "${dockerd_pid:-}" ]; then
		mkdir -p "$work/docker"
		echo '{"deprecated-key-path": "'"$work"'/docker/key.json"}' > "$work/docker/daemon.json"
		dockerd --config-file "$work/docker/daemon.json" --data-root "$work/docker/data" --exec-root "$work/docker/exec" \
			--pidfile "$work/docker/pid" -H "unix://$work/docker.sock" --bridge none --iptables=false --ip-masq=false \
			--ip-forward=false --exec-opt native.cgroupdriver=cgroupfs >"$work/docker/log" 2>&1 &
		dockerd_pid=$!
	fi
	client=/usr/bin/docker
	d="$client -H unix://$work/docker.sock"
	m="$client -H unix://$work/mydocker.sock"
	for _ in $(seq 300); do $d version >/dev/null 2>&1 && break; sleep 0.1; done
	"$bin" mkimage busybox >/dev/null
	$d image inspect busybox >/dev/null 2>&1 || "$bin" save busybox | $d load -q >/dev/null
	"$bin" daemon -H "unix://$work/mydocker.sock" >"$work/mydockerd.log" 2>&1 &
	mydockerd_pid=$!
	for _ in $(seq 100); do $m version >/dev/null 2>&1 && break; sleep 0.1; done
	say "chapter 09: docker run --rm busybox true — through mydocker's daemon vs Docker $($d version --format '{{.Server.Version}}') (goal ≤ 0.3x)"
	hf -w 2 -r $((runs * 4)) \
		-n "docker run --rm (mydocker daemon)" "$m run --rm --network none busybox true" \
		-n "docker run --rm (dockerd)" "$d run --rm --network none busybox true"
	for c in $($d ps -aq); do $d rm -f "$c" >/dev/null; done
	for _ in $(seq 100); do
		$m create --network none busybox true >/dev/null
		$d create --network none busybox true >/dev/null
	done
	# The docker client's own floor: the same client against a daemon that
	# answers at once, HEAD /_ping and the list recorded from mydocker's
	# daemon, replayed (python, on a socket of its own).
	curl -s --unix-socket "$work/mydocker.sock" -o "$work/list.json" "http://docker/v1.41/containers/json?all=1"
	cat >"$work/instant.py" <<'INSTANT'
import socket, sys, threading
path, body = sys.argv[1], open(sys.argv[2], "rb").read()
head = b"Api-Version: 1.41\r\nOstype: linux\r\nServer: instant\r\n"
ping = b"HTTP/1.1 200 OK\r\n" + head + b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n"
listed = (b"HTTP/1.1 200 OK\r\n" + head + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
def serve(c):
    buf = b""
    with c:
        while True:
            while b"\r\n\r\n" not in buf:
                data = c.recv(65536)
                if not data:
                    return
                buf += data
            req, buf = buf.split(b"\r\n\r\n", 1)
            c.sendall(ping if req.startswith(b"HEAD ") else listed)
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(64)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
INSTANT
	python3 "$work/instant.py" "$work/instant.sock" "$work/list.json" &
	instant_pid=$!
	for _ in $(seq 50); do [ -S "$work/instant.sock" ] && break; sleep 0.1; done
	say "chapter 09: docker ps -a with 100 containers — mydocker's daemon vs Docker (goal ≤ 0.5x)"
	hf -w 3 -r $((runs * 6)) -n "docker ps -a (mydocker daemon)" "$m ps -a" -n "docker ps -a (dockerd)" "$d ps -a" \
		-n "docker ps -a (a daemon that answers at once: the client's own floor)" "$client -H unix://$work/instant.sock ps -a" \
		-n "docker version (mydocker daemon)" "$m version"
	cp "$work/hf.json" "$work/ps.json"
	kill "$instant_pid"
	wait "$instant_pid" 2>/dev/null || true
	instant_pid=
	# The daemons' own share, without the docker client: curl asks what the
	# client asks (HEAD /_ping, then the list, on one connection); curl
	# asking /_ping alone is curl's floor. --next forgets every option, the
	# socket too: it is given again (the connection is reused all the same).
	raw() { echo "curl -s -o /dev/null --unix-socket $1 -I http://docker/_ping${2:+ --next -s -o /dev/null --unix-socket $1 http://docker$2}"; }
	say "chapter 09: the same exchange, HEAD /_ping + GET /v1.41/containers/json?all=1 (100 containers), with curl — each daemon's own share"
	hf -w 3 -r $((runs * 6)) \
		-n "curl /_ping + list (mydocker daemon)" "$(raw "$work/mydocker.sock" "/v1.41/containers/json?all=1")" \
		-n "curl /_ping + list (dockerd)" "$(raw "$work/docker.sock" "/v1.41/containers/json?all=1")" \
		-n "curl /_ping alone (mydocker daemon): curl's floor" "$(raw "$work/mydocker.sock")" \
		-n "curl /_ping alone (dockerd)" "$(raw "$work/docker.sock")"
	python3 - "$work/ps.json" "$work/hf.json" <<'SHARE' | tee -a "$results"
import json, sys
ps = [r["median"] * 1e3 for r in json.load(open(sys.argv[1]))["results"]]
raw = [r["median"] * 1e3 for r in json.load(open(sys.argv[2]))["results"]]
print(f"\nthe list's own share (curl's exchange - curl's floor): mydocker's daemon {raw[0] - raw[2]:.1f} ms, dockerd {raw[1] - raw[3]:.1f} ms")
print(f"docker ps -a: measured {ps[0] / ps[1]:.2f}x; the lowest any daemon could reach with this client (its floor / dockerd's): {ps[2] / ps[1]:.2f}x")
SHARE
	$m rm $($m ps -aq) >/dev/null
	$d rm $($d ps -aq) >/dev/null
	say "chapter 09: each daemon's memory, idle (PSS, kB)"
	printf '| daemon | PSS kB |\n|---|---|\n| mydocker daemon | %s |\n| dockerd + its containerd | %s |\n' \
		"$(pss_kb "$mydockerd_pid")" "$(pss_kb "$dockerd_pid" $(pgrep -P "$dockerd_pid"))" | tee -a "$results"

	# 100 clients at once, each its own process and connection, as a
	# script's `&` loop makes them: every one must succeed (the chapter's
	# TestHundredConcurrentRuns checks that; here, the time). One round
	# each: a round is tens of seconds.
	hundred() {
		local client=$1 i failed=0 t0 t1
		local pids=()
		t0=$(date +%s.%N)
		for i in $(seq 100); do
			$client run -d --network none busybox sleep 1000 >/dev/null 2>>"$work/hundred.err" &
			pids+=($!)
		done
		for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
		t1=$(date +%s.%N)
		[ "$failed" = 0 ] || { echo "bench: $failed of 100 failed through $2:" >&2; sort "$work/hundred.err" | uniq -c | head -5 >&2; }
		awk -v a="$t0" -v b="$t1" -v n="$2" -v f="$failed" 'BEGIN { printf "| %s | %.1f s | %d of 100 |\n", n, b - a, f }'
		local ids
		ids=$($client ps -aq)
		[ -z "$ids" ] || $client rm -f $ids >/dev/null
	}
	say "chapter 09: 100 \`docker run -d --network none busybox sleep\` at once — mydocker's daemon vs Docker (one round each)"
	{
		printf '| daemon | wall time for the 100 | failed |\n|---|---:|---:|\n'
		hundred "$m" "mydocker daemon"
		hundred "$d" "dockerd"
	} | tee -a "$results"

	# A pull from a registry of our own on loopback (both daemons take
	# 127.0.0.0/8 as an insecure registry), of the minbase image: the
	# image is removed before each pull, its layers with it.
	start_registry
	ref=127.0.0.1:$port/minbase:1
	"$bin" import "$cache/minbase.tar.gz" minbase >/dev/null
	"$bin" tag minbase "$ref"
	"$bin" push "$ref" >/dev/null
	"$bin" rmi "$ref" minbase >/dev/null
	say "chapter 09: docker pull of a $(du -h "$cache/minbase.tar.gz" | cut -f1) image from a loopback registry — mydocker's daemon vs Docker"
	hf -r "$runs" \
		--prepare "sh -c '$m rmi -f $ref >/dev/null 2>&1; true'" -n "docker pull (mydocker daemon)" "$m pull -q $ref" \
		--prepare "sh -c '$d rmi -f $ref >/dev/null 2>&1; true'" -n "docker pull (dockerd)" "$d pull -q $ref"
	say "chapter 09: docker images (busybox and minbase) and docker info — mydocker's daemon vs Docker"
	hf -w 3 -r $((runs * 6)) -n "docker images (mydocker daemon)" "$m images" -n "docker images (dockerd)" "$d images"
	hf -w 3 -r $((runs * 6)) -n "docker info (mydocker daemon)" "$m info" -n "docker info (dockerd)" "$d info"
fi

echo "bench: results in $results" >&2

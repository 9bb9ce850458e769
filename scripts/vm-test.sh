#!/usr/bin/env bash
# vm-test.sh — run a payload inside a throwaway VM with a pure cgroup v2
# hierarchy, stream its output, and exit with the payload's exit status.
#
# Usage:
#   scripts/vm-test.sh [--mem MB] [--cpus N] [--timeout SECONDS] PAYLOAD_DIR [--] CMD [ARG...]
#
# Why: mydocker's cgroup/namespace/overlay code must work on the students'
# machines (Ubuntu 24.04: pure cgroup v2, systemd slices). The development
# and CI machines may run a hybrid v1/v2 layout, so we boot a real (Debian)
# kernel under qemu and reproduce the Ubuntu layout there. See
# scripts/vm/README.md.
#
# What happens:
#   1. The Debian kernel package that `linux-image-amd64` depends on is
#      fetched with `apt-get download` and unpacked (dpkg-deb -x) into a
#      cache dir; nothing is installed on the host.
#   2. An initramfs is built in a temp dir: static busybox, scripts/vm/init
#      as /init, the needed kernel modules (dependency closure computed from
#      the modules' own "depends=" info), PAYLOAD_DIR as /payload, the
#      passed-through environment and the command.
#   3. qemu boots it (KVM if usable, else TCG software emulation) with the
#      serial console on our stdout; we strip the \r the tty adds, forward
#      every line, and catch the marker line carrying the exit status.
#
# Environment passed into the VM: CI (if set) and every variable whose name
# starts with MYDOCKER_ or VMTEST_.
#
# Host-side knobs (also passed into the VM, harmlessly):
#   VMTEST_CACHE        kernel cache dir (default: $REPO/.cache/vm)
#   VMTEST_KERNEL_PKG   kernel package name (default: resolved from
#                       linux-image-amd64), e.g. linux-image-6.1.0-56-amd64
#   VMTEST_MODULES      extra kernel modules to load (space separated)
#   VMTEST_ACCEL        auto (default: kvm if /dev/kvm works, else tcg),
#                       kvm or tcg
#   VMTEST_LOGLEVEL     kernel console loglevel (default 4: errors and worse;
#                       oopses and panics are always shown)
#   VMTEST_VERBOSE      non-empty: init reports what it does
#   VMTEST_QEMU_ARGS    extra qemu arguments (word-split), for debugging
#   VMTEST_SESSION_CONTROLLERS  controllers user.slice and user-1000.slice
#                       enable for their children (default "cpu memory pids")
#
# Exit status: the payload's; 124 if the timeout expired; 125 if the VM
# ended without reporting a status (kernel panic, init crash, qemu error)
# or if this script failed before booting the VM.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO

# Modules the tests need. Their dependencies are added automatically.
# Missing ones (not in this kernel, or built in) only produce a warning.
# The netfilter ones serve iptables in either backend: iptables-nft speaks
# nf_tables (native expressions where it can, nft_compat for the xt_
# matches and targets), iptables-legacy the ip_tables/iptable_* tables.
readonly DEFAULT_MODULES="overlay veth macvlan llc stp bridge br_netfilter
  nf_tables nft_chain_nat nft_nat nft_masq nft_ct nf_nat nf_conntrack nft_compat
  xt_MASQUERADE xt_nat xt_conntrack xt_addrtype xt_tcpudp iptable_nat iptable_filter"

log() { echo "vm-test: $*" >&2; }
die() {
	log "ERROR: $*"
	exit 125
}

# Debian's amd64 kernel under qemu-system-x86_64: an x86_64 host only.
[[ $(uname -m) == x86_64 ]] || die "the cgroup v2 VM boots an amd64 kernel and runs on x86_64 hosts only (this is $(uname -m)); on arm64, run the tests on a pure cgroup v2 host such as the Vagrant VM"

usage() {
	cat >&2 <<'EOF'
usage: scripts/vm-test.sh [--mem MB] [--cpus N] [--timeout SECONDS] PAYLOAD_DIR [--] CMD [ARG...]
Boots a throwaway cgroup-v2 VM, runs CMD in /payload (a copy of PAYLOAD_DIR)
and exits with CMD's exit status (124: timeout, 125: VM/setup failure).
EOF
	exit "${1:-125}"
}

# ------------------------------------------------------------- arguments --
mem=2048 cpus=2 timeout_s=1200
while (($#)); do
	case "$1" in
	--mem) mem=${2:?--mem needs a value}; shift 2 ;;
	--cpus) cpus=${2:?--cpus needs a value}; shift 2 ;;
	--timeout) timeout_s=${2:?--timeout needs a value}; shift 2 ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	-*) log "unknown option: $1"; usage ;;
	*) break ;;
	esac
done
(($# >= 1)) || usage
payload_dir=$1
shift
[[ ${1:-} == -- ]] && shift
(($# >= 1)) || { log "missing CMD"; usage; }
[[ -d $payload_dir ]] || die "payload dir '$payload_dir' is not a directory"
for n in "$mem" "$cpus" "$timeout_s"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a positive integer"
done

# ------------------------------------------------------- host tools -------
# Install what is missing when we can (fresh CI machines); otherwise say
# which package to install.
ensure_tools() {
	local -A pkg_of=([qemu-system-x86_64]=qemu-system-x86 [cpio]=cpio
		[dpkg-deb]=dpkg [apt-get]=apt [xz]=xz-utils [flock]=util-linux
		[timeout]=coreutils [iptables]=iptables)
	local missing=() tool
	for tool in "${!pkg_of[@]}"; do
		command -v "$tool" >/dev/null || missing+=("${pkg_of[$tool]}")
	done
	# The busybox in the VM must be the *static* one: there is no libc there.
	if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
		missing+=(busybox-static)
	fi
	((${#missing[@]})) || return 0
	if ((EUID == 0)); then
		log "installing missing packages: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
			{ apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; } ||
			die "could not install ${missing[*]}"
	else
		die "missing packages: ${missing[*]} (apt-get install them)"
	fi
}
ensure_tools

# ------------------------------------------------------------- the kernel --
cache=${VMTEST_CACHE:-$REPO/.cache/vm}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# Which kernel package? The one the linux-image-amd64 metapackage depends
# on; its "Depends: linux-image-6.1.0-NN-amd64 (= VERSION)" names both in a
# single (slow, ~0.7 s) apt-cache call. Prints "PACKAGE VERSION", or nothing
# if apt knows nothing (no package lists yet).
resolve_kernel() {
	if [[ -n ${VMTEST_KERNEL_PKG:-} ]]; then
		apt-cache show --no-all-versions "$VMTEST_KERNEL_PKG" 2>/dev/null |
			awk -v p="$VMTEST_KERNEL_PKG" '$1 == "Version:" { print p, $2; exit }'
	else
		apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
			sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\) (= \([^)]*\)).*/\1 \2/p' | head -n 1
	fi
	return 0
}

# Serialize concurrent runs while the cache is being filled.
exec 9>"$cache/.lock"
flock 9

kernel_ref=$(resolve_kernel)
if [[ -z $kernel_ref ]]; then
	# Offline or no apt lists: a kernel we already have is good enough.
	kdir=$(find "$cache" -mindepth 2 -maxdepth 2 -path '*/linux-image-*/.complete' | sort -V | tail -n 1)
	kdir=${kdir%/.complete}
	if [[ -z $kdir ]] && ((EUID == 0)); then
		log "apt knows no kernel package yet; running apt-get update"
		apt-get update -qq >&2 || true
		kernel_ref=$(resolve_kernel)
	fi
	[[ -n $kernel_ref || -n $kdir ]] || die "cannot resolve the linux-image-amd64 kernel package (apt-get update?)"
fi
if [[ -n $kernel_ref ]]; then
	read -r kpkg kver_pkg <<<"$kernel_ref"
	kdir=$cache/${kpkg}_${kver_pkg//:/%}
	if [[ ! -e $kdir/.complete ]]; then
		log "fetching kernel $kpkg $kver_pkg into $cache (once)"
		dl=$(mktemp -d "$cache/.download.XXXXXX")
		# _apt cannot write into our dir; download unsandboxed, quietly.
		if ! (cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$kpkg=$kver_pkg" >"$dl/log" 2>&1); then
			cat "$dl/log" >&2
			rm -rf "$dl"
			die "apt-get download $kpkg=$kver_pkg failed"
		fi
		rm -rf "$kdir"
		dpkg-deb -x "$dl"/*.deb "$dl/x" || { rm -rf "$dl"; die "dpkg-deb -x failed"; }
		mv "$dl/x" "$kdir"
		rm -rf "$dl"
		touch "$kdir/.complete"
	fi
fi
kdir=${kdir%/}
exec 9>&- # release the cache lock

kver=$(find "$kdir/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -n 1)
vmlinuz=$kdir/boot/vmlinuz-$kver
[[ -n $kver && -f $vmlinuz ]] || die "no kernel image in $kdir (remove it and retry)"
moddir=$kdir/lib/modules/$kver

# -------------------------------------------------------- work dir, trap --
work=$(mktemp -d "${TMPDIR:-/tmp}/vm-test.XXXXXX")
qemu_pid=
# shellcheck disable=SC2317 # (called by the trap)
cleanup() {
	# Never leave a VM behind (e.g. on Ctrl-C). timeout(1) put itself and
	# qemu into a process group of their own (so the terminal's SIGINT
	# misses them): signal that group, by its id, politely first.
	if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM -- "-$qemu_pid" 2>/dev/null || true
		for _ in {1..50}; do
			kill -0 "$qemu_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,newroot,payload,vmtest}
mkdir -p "$root/lib/modules/$kver"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$SCRIPT_DIR/vm/init" "$root/init"

# ------------------------------------------------- host programs: iptables --
# Chapter 07's engine runs iptables as a program, as Docker does, and
# iptables is not static: it needs glibc, libxtables, libnftnl, libmnl and
# the extensions libxtables dlopens (libxt_*.so). So the host's own is
# copied in, at the same paths: the program, every library `ldd` names, and
# the loader (/lib64/ld-linux-x86-64.so.2, the ELF interpreter). The loader
# finds the libraries in its built-in directories; there is no ld.so.cache.
# The VM gets whichever backend `iptables` is on the host (xtables-nft-multi
# or xtables-legacy-multi): the modules above serve both.
add_program() { # add_program FILE: FILE, its libraries and their loader
	local f lib
	f=$(readlink -f "$1")
	[[ -e $root$f ]] || install -D -m 0755 "$f" "$root$f"
	# A name that is a link keeps it (libxt_DNAT.so -> libxt_NAT.so).
	[[ $1 == "$f" || -e $root$1 ]] || ln -s "$f" "$root$1"
	while read -r lib; do
		[[ -e $root$lib ]] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done < <(ldd "$f" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }')
}
if ipt=$(command -v iptables 2>/dev/null); then
	multi=$(readlink -f "$ipt")
	add_program "$multi"
	# The multi-call binary acts by its name: iptables, -save, -restore.
	for name in iptables iptables-save iptables-restore; do
		ln -sf "$multi" "$root/usr/sbin/$name"
	done
	xtlib=$(ldd "$multi" | awk '$1 ~ /^libxtables/ { print $3 }')
	xtdir=$(dirname "$(readlink -f "$xtlib")")/xtables
	for ext in "$xtdir"/libxt_*.so "$xtdir"/libipt_*.so; do
		[[ -e $ext ]] && add_program "$ext"
	done
else
	log "WARNING: no iptables on this host: chapter 07's tests will fail in the VM (apt-get install iptables)"
fi

# ------------------------------------------------------- kernel modules --
# Debian's package has no modules.dep (depmod runs at install time), so we
# compute the closure from each module's .modinfo section: "depends=a,b"
# and "softdep=pre: x" (e.g. libcrc32c needs the crc32c crypto module,
# named by alias). Post-order DFS gives a valid insmod order.
declare -A mod_path=() mod_seen=()
mod_order=()
while IFS= read -r -d '' f; do
	name=${f##*/}
	name=${name%%.ko*}
	mod_path[${name//-/_}]=${f#"$moddir"/}
done < <(find "$moddir/kernel" -name '*.ko*' -print0)

mod_cat() { # print a module file, decompressed
	case "$1" in
	*.ko.xz) xz -dc "$1" ;;
	*.ko.zst) zstd -dc "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# Modules that provide an alias (for softdeps such as "crc32c").
mod_by_alias() {
	grep -rlaF --include='*.ko*' -e "alias=$1" "$moddir/kernel" 2>/dev/null |
		while IFS= read -r f; do
			mod_cat "$f" | LC_ALL=C grep -aqE "(^|[^a-z])alias=$1(\$|[^-_a-z0-9])" || continue
			n=${f##*/}
			n=${n%%.ko*}
			echo "${n//-/_}"
		done
}

add_module() { # add_module NAME [optional]
	local name=${1//-/_} optional=${2:-} f info deps soft d
	[[ -n ${mod_seen[$name]:-} ]] && return 0
	mod_seen[$name]=1
	if [[ -z ${mod_path[$name]:-} ]]; then
		# Built into the kernel? Then there is nothing to load.
		grep -q "/${name}.ko" "$moddir/modules.builtin" 2>/dev/null ||
			grep -q "/${name//_/-}.ko" "$moddir/modules.builtin" 2>/dev/null ||
			[[ -n $optional ]] ||
			log "WARNING: kernel module $name not found in $kver, skipping"
		return 0
	fi
	f=$moddir/${mod_path[$name]}
	info=$(mod_cat "$f" | LC_ALL=C grep -aoE '(depends|softdep)=[A-Za-z0-9_,: -]*' || true)
	deps=$(sed -n 's/^depends=//p' <<<"$info" | tr ',' ' ')
	soft=$(sed -n 's/^softdep=.*pre:\([^:]*\)\( post:.*\)\{0,1\}$/\1/p' <<<"$info")
	for d in $soft; do
		if [[ -n ${mod_path[${d//-/_}]:-} ]]; then
			add_module "$d" optional
		else
			for a in $(mod_by_alias "$d"); do add_module "$a" optional; done
		fi
	done
	for d in $deps; do add_module "$d"; done
	mod_order+=("$name")
}

for m in $DEFAULT_MODULES ${VMTEST_MODULES:-}; do add_module "$m"; done

for name in "${mod_order[@]}"; do
	rel=${mod_path[$name]}
	dst=$root/lib/modules/$kver/${rel%.ko*}.ko
	mkdir -p "${dst%/*}"
	mod_cat "$moddir/$rel" >"$dst" # busybox insmod cannot read .ko.xz
	echo "${rel%.ko*}.ko" >>"$root/vmtest/modules"
done
cp "$moddir"/modules.builtin* "$moddir"/modules.order "$root/lib/modules/$kver/" 2>/dev/null || true
# modules.dep/alias so that in-VM `modprobe` and kernel auto-loading (e.g.
# iptables asking for a match module) work for the modules we ship.
busybox depmod -b "$root" "$kver" 2>/dev/null || log "WARNING: depmod failed; in-VM modprobe will not work"

# ------------------------------------------------ payload, env, command --
cp -a "$payload_dir/." "$root/payload/"

# Single-quote a string for sh: ' becomes '\''.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

{
	echo "# generated by scripts/vm-test.sh: environment passed in from the host"
	for var in $(compgen -e); do
		case "$var" in
		CI | MYDOCKER_* | VMTEST_*) echo "export $var=$(shq "${!var}")" ;;
		esac
	done
} >"$root/vmtest/env"

# busybox sh runs its own applets in preference to PATH even for `exec`
# (e.g. a payload's own `ip` binary would lose against busybox ip), so
# resolve a bare command name ourselves, with the payload's PATH order.
cmd0=$1
if [[ $cmd0 != */* ]]; then
	for d in payload bin sbin usr/bin usr/sbin; do
		if [[ -f $root/$d/$cmd0 || -L $root/$d/$cmd0 ]]; then
			cmd0=/$d/$cmd0
			break
		fi
	done
	# Applet names (sh, ls, ...) are resolved in the VM: the links do not
	# exist yet on the host side, so keep the bare name then.
fi
{
	echo "# generated by scripts/vm-test.sh: run the payload"
	echo ". /vmtest/env"
	echo "cd /payload || exit 125"
	printf 'exec %s' "$(shq "$cmd0")"
	shift
	for arg in "$@"; do printf ' %s' "$(shq "$arg")"; done
	echo
} >"$root/vmtest/run.sh"

marker=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "$marker" >"$root/vmtest/marker"

# Uncompressed: under TCG, decompressing in the guest is slower than
# having qemu copy a few more megabytes.
(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$work/initrd.cpio"

# ---------------------------------------------------------------- boot it --
# quiet + loglevel: no boot chatter; oops/panic raise the console level by
# themselves, so they still show. oops=panic, panic=-1 and -no-reboot: a
# kernel bug ends the VM at once (instead of a hang until the timeout).
# cgroup_no_v1=all: controllers can only be used through cgroup v2, as on
# Ubuntu. The rest trims boot time under emulation.
append="console=ttyS0 quiet loglevel=${VMTEST_LOGLEVEL:-4} panic=-1 oops=panic
  cgroup_no_v1=all rdinit=/init 8250.nr_uarts=1 i8042.noaux i8042.nokbd
  i8042.nopnp tsc=reliable no_timer_check mitigations=off"
tag="VMTEST-EXIT-STATUS-$marker="
read -r -a qemu_extra <<<"${VMTEST_QEMU_ARGS:-}"
mkfifo "$work/console"

# boot_vm ACCEL: run qemu with accelerator ACCEL (kvm or tcg), forward the
# console to stdout and set: status (payload exit status, empty if none
# came), panicked, printed (lines forwarded), qemu_rc, elapsed.
boot_vm() {
	local accel_opt=$1 line start
	[[ $1 == tcg ]] && accel_opt=tcg,thread=multi # use all host cores
	status='' panicked='' printed=0 qemu_rc=0
	start=$(date +%s.%N)
	# The console goes through a FIFO so that qemu runs in the background
	# (we need its pid for cleanup) while we filter its output here.
	# stdin is /dev/null: qemu must not touch the terminal.
	timeout -k 10 "$timeout_s" qemu-system-x86_64 \
		-accel "$accel_opt" -cpu max -m "$mem" -smp "$cpus" \
		-nodefaults -no-user-config -display none -no-reboot \
		-chardev stdio,id=con0,signal=off -serial chardev:con0 \
		-kernel "$vmlinuz" -initrd "$work/initrd.cpio" -append "${append//$'\n'/ }" \
		"${qemu_extra[@]}" \
		</dev/null >"$work/console" 2>"$work/qemu.err" &
	qemu_pid=$!

	while IFS= read -r line || [[ -n $line ]]; do
		line=${line//$'\r'/} # the serial tty turns \n into \r\n
		if [[ $line == *"$tag"* ]]; then
			# The payload may not have ended its output with a newline.
			[[ -n ${line%%"$tag"*} ]] && printf '%s\n' "${line%%"$tag"*}"
			status=${line##*"$tag"}
			status=${status%%[!0-9]*}
			continue
		fi
		[[ $line == *"Kernel panic - not syncing"* ]] && panicked=1
		# The kernel's own goodbye after the marker is noise.
		[[ -n $status && $line =~ ^\[\ *[0-9.]+\]\ reboot:\ Power\ down$ ]] && continue
		printf '%s\n' "$line"
		printed=$((printed + 1))
	done <"$work/console"

	# (bash would report "Aborted" etc. for a qemu that crashed: we do that.)
	wait "$qemu_pid" 2>/dev/null || qemu_rc=$?
	qemu_pid=
	elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
}

case "${VMTEST_ACCEL:-auto}" in
auto)
	# /dev/kvm can exist and still be unusable (nested/sandboxed hosts:
	# qemu aborts at once). Then quietly retry under TCG.
	if [[ -r /dev/kvm && -w /dev/kvm ]]; then
		boot_vm kvm
		if [[ -z $status ]] && ((printed == 0 && qemu_rc != 124)); then
			log "KVM unusable ($(head -n 1 "$work/qemu.err")); using TCG emulation"
			boot_vm tcg
		fi
	else
		boot_vm tcg
	fi
	;;
kvm | tcg) boot_vm "$VMTEST_ACCEL" ;;
*) die "VMTEST_ACCEL must be auto, kvm or tcg" ;;
esac

if [[ -n $status ]]; then
	log "payload exit status $status (VM ran ${elapsed}s)"
	exit "$status"
fi
if ((qemu_rc == 124 || qemu_rc == 137)); then
	log "TIMEOUT: the VM did not report an exit status within ${timeout_s}s; killed it"
	exit 124
fi
[[ -s $work/qemu.err ]] && sed 's/^/qemu: /' "$work/qemu.err" >&2
if [[ -n $panicked ]]; then
	log "the VM kernel panicked before the payload reported an exit status (after ${elapsed}s)"
else
	log "the VM stopped without reporting the payload's exit status (qemu exit status $qemu_rc, after ${elapsed}s)"
fi
exit 125

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
readonly SCRIPT_DIR
# shellcheck source-path=SCRIPTDIR source=vm/lib.sh
. "$SCRIPT_DIR/vm/lib.sh" # REPO, log, die, vm_*

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
# shellcheck disable=SC2119 # (no extra tools)
vm_ensure_tools

# ------------------------------------------------- the kernel, work dir --
vm_kernel # sets cache, kdir, kver, vmlinuz, moddir
vm_workdir

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,newroot,payload,vmtest}
mkdir -p "$root/lib/modules/$kver"
vm_busybox_root "$root" "$SCRIPT_DIR/vm/init"

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
# shellcheck disable=SC2086 # (word lists)
vm_modules "$root" $VM_MODULES ${VMTEST_MODULES:-}

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

vm_initramfs "$root" "$root/vmtest" # sets marker, tag

# ---------------------------------------------------------------- boot it --
# quiet + loglevel: no boot chatter; oops/panic raise the console level by
# themselves, so they still show. oops=panic, panic=-1 and -no-reboot: a
# kernel bug ends the VM at once (instead of a hang until the timeout).
# cgroup_no_v1=all: controllers can only be used through cgroup v2, as on
# Ubuntu. The rest trims boot time under emulation.
append="console=ttyS0 quiet loglevel=${VMTEST_LOGLEVEL:-4} panic=-1 oops=panic
  cgroup_no_v1=all rdinit=/init 8250.nr_uarts=1 i8042.noaux i8042.nokbd
  i8042.nopnp tsc=reliable no_timer_check mitigations=off"
read -r -a qemu_extra <<<"${VMTEST_QEMU_ARGS:-}"
vm_boot
vm_report

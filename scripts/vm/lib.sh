# shellcheck shell=bash disable=SC2154 # (the caller sets mem, cpus, timeout_s, append...)
# lib.sh — what the two VM scripts share: scripts/vm-test.sh (a busybox
# initramfs that plays a cgroup v2 host) and scripts/vm-systemd.sh (a Debian
# root booted with systemd as PID 1). Sourced first thing, not run: it sets
# REPO and defines log and die (messages named after the script, exit 125).
#
#   vm_ensure_tools [TOOL=PACKAGE...]   install (as root) or name what is missing
#   vm_kernel                           fetch/unpack Debian's kernel once into
#                                       $cache; sets kdir kver vmlinuz moddir
#   vm_workdir                          make $work, removed (and the VM stopped)
#                                       however the script ends
#   vm_busybox_root ROOT INIT           static busybox and INIT as ROOT's /init
#   vm_modules ROOT MODULE...           copy MODULEs and their dependencies into
#                                       ROOT/lib/modules, listed in load order in
#                                       ROOT/vmtest/modules
#   vm_initramfs ROOT MARKER_DIR        a fresh marker, and ROOT packed into
#                                       $work/initrd.cpio; sets marker, tag
#   vm_boot                             boot qemu, forward the console, catch the
#                                       exit-status line; sets status, elapsed...
#   vm_report                           the last line, and the exit status

# ------------------------------------------------------------ prologue --
# The script's name in its messages (vm-test: ..., vm-systemd: ...).
vm_name=$(basename "$0" .sh)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly vm_name REPO

log() { echo "$vm_name: $*" >&2; }
die() {
	log "ERROR: $*"
	exit 125
}

# Modules the tests need. Their dependencies are added automatically.
# Missing ones (not in this kernel, or built in) only produce a warning.
# The netfilter ones serve iptables in either backend: iptables-nft speaks
# nf_tables (native expressions where it can, nft_compat for the xt_
# matches and targets), iptables-legacy the ip_tables/iptable_* tables.
# shellcheck disable=SC2034 # (used by the callers)
readonly VM_MODULES="overlay veth macvlan llc stp bridge br_netfilter
  nf_tables nft_chain_nat nft_nat nft_masq nft_ct nf_nat nf_conntrack nft_compat
  xt_MASQUERADE xt_nat xt_conntrack xt_addrtype xt_tcpudp iptable_nat iptable_filter"

# ------------------------------------------------------- host tools -------
# Install what is missing when we can (fresh CI machines); otherwise say
# which package to install. Arguments add TOOL=PACKAGE pairs.
vm_ensure_tools() {
	local -A pkg_of=([qemu-system-x86_64]=qemu-system-x86 [cpio]=cpio
		[dpkg-deb]=dpkg [apt-get]=apt [xz]=xz-utils [flock]=util-linux
		[timeout]=coreutils [iptables]=iptables)
	local missing=() tool pair
	for pair in "$@"; do pkg_of[${pair%%=*}]=${pair#*=}; done
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

# ------------------------------------------------------------- the kernel --
# Which kernel package? The one the linux-image-amd64 metapackage depends
# on; its "Depends: linux-image-6.1.0-NN-amd64 (= VERSION)" names both in a
# single (slow, ~0.7 s) apt-cache call. Prints "PACKAGE VERSION", or nothing
# if apt knows nothing (no package lists yet).
vm_resolve_kernel() {
	if [[ -n ${VMTEST_KERNEL_PKG:-} ]]; then
		apt-cache show --no-all-versions "$VMTEST_KERNEL_PKG" 2>/dev/null |
			awk -v p="$VMTEST_KERNEL_PKG" '$1 == "Version:" { print p, $2; exit }'
	else
		apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
			sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\) (= \([^)]*\)).*/\1 \2/p' | head -n 1
	fi
	return 0
}

# vm_kernel: the kernel package, unpacked in $cache (once; VMTEST_CACHE,
# default .cache/vm, shared by both scripts); sets cache, kdir, kver,
# vmlinuz and moddir.
vm_kernel() {
	local kernel_ref kpkg kver_pkg dl
	cache=${VMTEST_CACHE:-$REPO/.cache/vm}
	mkdir -p "$cache"
	cache=$(cd "$cache" && pwd)
	# Serialize concurrent runs while the cache is being filled.
	exec 9>"$cache/.lock"
	flock 9

	kernel_ref=$(vm_resolve_kernel)
	kdir=
	if [[ -z $kernel_ref ]]; then
		# Offline or no apt lists: a kernel we already have is good enough.
		kdir=$(find "$cache" -mindepth 2 -maxdepth 2 -path '*/linux-image-*/.complete' | sort -V | tail -n 1)
		kdir=${kdir%/.complete}
		if [[ -z $kdir ]] && ((EUID == 0)); then
			log "apt knows no kernel package yet; running apt-get update"
			apt-get update -qq >&2 || true
			kernel_ref=$(vm_resolve_kernel)
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
}

# ----------------------------------------------------- work dir, initramfs --
# vm_workdir: $work, the run's temp dir; the traps remove it, and stop a
# VM still running, however the script ends (Ctrl-C included).
vm_workdir() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/$vm_name.XXXXXX")
	qemu_pid=
	trap vm_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# shellcheck disable=SC2317 # (called by the trap)
vm_cleanup() {
	vm_stop_qemu
	rm -rf "$work"
}

# vm_busybox_root ROOT INIT: the initramfs's one program, the static
# busybox (there is no libc in it), with sh, and INIT as its /init.
vm_busybox_root() {
	mkdir -p "$1/bin"
	cp /bin/busybox "$1/bin/busybox"
	ln -s busybox "$1/bin/sh"
	install -m 0755 "$2" "$1/init"
}

# vm_initramfs ROOT MARKER_DIR: a fresh random marker in MARKER_DIR/marker
# (the guest prints its status after "$tag", a line no payload prints by
# chance), then ROOT packed into $work/initrd.cpio. Uncompressed: under
# TCG, decompressing in the guest is slower than having qemu copy a few
# more megabytes. Sets marker and tag.
vm_initramfs() {
	marker=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	echo "$marker" >"$2/marker"
	tag="VMTEST-EXIT-STATUS-$marker="
	(cd "$1" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$work/initrd.cpio"
}

# ------------------------------------------------------- kernel modules --
# Debian's package has no modules.dep (depmod runs at install time), so we
# compute the closure from each module's .modinfo section: "depends=a,b"
# and "softdep=pre: x" (e.g. libcrc32c needs the crc32c crypto module,
# named by alias). Post-order DFS gives a valid insmod order.
vm_mod_cat() { # print a module file, decompressed
	case "$1" in
	*.ko.xz) xz -dc "$1" ;;
	*.ko.zst) zstd -dc "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# Modules that provide an alias (for softdeps such as "crc32c").
vm_mod_by_alias() {
	grep -rlaF --include='*.ko*' -e "alias=$1" "$moddir/kernel" 2>/dev/null |
		while IFS= read -r f; do
			vm_mod_cat "$f" | LC_ALL=C grep -aqE "(^|[^a-z])alias=$1(\$|[^-_a-z0-9])" || continue
			n=${f##*/}
			n=${n%%.ko*}
			echo "${n//-/_}"
		done
}

vm_add_module() { # vm_add_module NAME [optional]
	local name=${1//-/_} optional=${2:-} f info deps soft d a
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
	info=$(vm_mod_cat "$f" | LC_ALL=C grep -aoE '(depends|softdep)=[A-Za-z0-9_,: -]*' || true)
	deps=$(sed -n 's/^depends=//p' <<<"$info" | tr ',' ' ')
	soft=$(sed -n 's/^softdep=.*pre:\([^:]*\)\( post:.*\)\{0,1\}$/\1/p' <<<"$info")
	for d in $soft; do
		if [[ -n ${mod_path[${d//-/_}]:-} ]]; then
			vm_add_module "$d" optional
		else
			for a in $(vm_mod_by_alias "$d"); do vm_add_module "$a" optional; done
		fi
	done
	for d in $deps; do vm_add_module "$d"; done
	mod_order+=("$name")
}

# vm_modules ROOT MODULE...: the modules and their closure, uncompressed
# (busybox insmod cannot read .ko.xz), under ROOT/lib/modules/$kver, and
# their load order in ROOT/vmtest/modules.
vm_modules() {
	local root=$1 f name rel dst
	shift
	declare -gA mod_path=() mod_seen=()
	mod_order=()
	while IFS= read -r -d '' f; do
		name=${f##*/}
		name=${name%%.ko*}
		mod_path[${name//-/_}]=${f#"$moddir"/}
	done < <(find "$moddir/kernel" -name '*.ko*' -print0)

	for name in "$@"; do vm_add_module "$name"; done

	mkdir -p "$root/lib/modules/$kver" "$root/vmtest"
	for name in "${mod_order[@]}"; do
		rel=${mod_path[$name]}
		dst=$root/lib/modules/$kver/${rel%.ko*}.ko
		mkdir -p "${dst%/*}"
		vm_mod_cat "$moddir/$rel" >"$dst"
		echo "${rel%.ko*}.ko" >>"$root/vmtest/modules"
	done
	cp "$moddir"/modules.builtin* "$moddir"/modules.order "$root/lib/modules/$kver/" 2>/dev/null || true
	# modules.dep/alias so that in-VM `modprobe` and kernel auto-loading (e.g.
	# iptables asking for a match module) work for the modules we ship.
	busybox depmod -b "$root" "$kver" 2>/dev/null || log "WARNING: depmod failed; in-VM modprobe will not work"
}

# ---------------------------------------------------------------- boot it --
# vm_boot: boot qemu on $vmlinuz with $work/initrd.cpio, the kernel command
# line $append, $mem MB, $cpus CPUs, the extra arguments in the array
# qemu_extra, at most $timeout_s seconds; forward the console to stdout
# and catch the line "$tag<status>". Sets status (empty if none came),
# panicked, printed (lines forwarded), qemu_rc and elapsed. VMTEST_ACCEL
# chooses the accelerator: auto (KVM if it works, else TCG), kvm or tcg.
vm_boot() {
	mkfifo "$work/console"
	case "${VMTEST_ACCEL:-auto}" in
	auto)
		# /dev/kvm can exist and still be unusable (nested/sandboxed hosts:
		# qemu aborts at once). Then quietly retry under TCG.
		if [[ -r /dev/kvm && -w /dev/kvm ]]; then
			vm_boot_accel kvm
			if [[ -z $status ]] && ((printed == 0 && qemu_rc != 124)); then
				log "KVM unusable ($(head -n 1 "$work/qemu.err")); using TCG emulation"
				vm_boot_accel tcg
			fi
		else
			vm_boot_accel tcg
		fi
		;;
	kvm | tcg) vm_boot_accel "$VMTEST_ACCEL" ;;
	*) die "VMTEST_ACCEL must be auto, kvm or tcg" ;;
	esac
}

vm_boot_accel() {
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

	# Once the status came, the VM has a minute to power off: a guest
	# that hangs on its way down must not hold the run (and the VM lock)
	# until the timeout.
	local wait_more=() read_rc hung=''
	while :; do
		read_rc=0
		IFS= read -r "${wait_more[@]}" line || read_rc=$?
		if ((read_rc > 128)); then
			hung=1 # read -t timed out
			break
		fi
		((read_rc == 0)) || [[ -n $line ]] || break # end of the console
		line=${line//$'\r'/} # the serial tty turns \n into \r\n
		if [[ $line == *"$tag"* ]]; then
			# The payload may not have ended its output with a newline.
			[[ -n ${line%%"$tag"*} ]] && printf '%s\n' "${line%%"$tag"*}"
			status=${line##*"$tag"}
			status=${status%%[!0-9]*}
			wait_more=(-t 60)
			continue
		fi
		[[ $line == *"Kernel panic - not syncing"* ]] && panicked=1
		# The kernel's own goodbye after the marker is noise.
		[[ -n $status && $line =~ ^\[\ *[0-9.]+\]\ reboot:\ Power\ down$ ]] && continue
		printf '%s\n' "$line"
		printed=$((printed + 1))
	done <"$work/console"

	if [[ -n $hung ]]; then
		log "WARNING: the VM did not power off within 60 s of reporting its status; stopping it"
		vm_stop_qemu
	fi
	# (bash would report "Aborted" etc. for a qemu that crashed: we do that.)
	wait "$qemu_pid" 2>/dev/null || qemu_rc=$?
	qemu_pid=
	elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
}

# vm_stop_qemu: never leave a VM behind (e.g. on Ctrl-C). timeout(1) put
# itself and qemu into a process group of their own (so the terminal's
# SIGINT misses them): signal that group, by its id, politely first.
vm_stop_qemu() {
	if [[ -n ${qemu_pid:-} ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM -- "-$qemu_pid" 2>/dev/null || true
		for _ in {1..50}; do
			kill -0 "$qemu_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	fi
}

# vm_report: the one line that says how the VM ended, and the exit
# status that goes with it (the payload's; 124 timeout; 125 no status).
vm_report() {
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
}

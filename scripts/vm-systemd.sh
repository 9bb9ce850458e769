#!/usr/bin/env bash
# vm-systemd.sh — prove chapter 09's systemd units and provision-daemon.sh
# under a real systemd: boot a Debian root with systemd as PID 1 in a
# throwaway qemu VM, install the daemon there as the Vagrant VM's
# provisioning does, and check that `docker` and `mydocker` work without -H.
#
# Usage:
#   scripts/vm-systemd.sh [--timeout SECONDS] MYDOCKER_BINARY
#   (make test-vm-systemd builds the binary and runs it)
#
# What happens:
#   1. The kernel: Debian's, as scripts/vm-test.sh fetches it (same cache,
#      scripts/vm/lib.sh).
#   2. The root: `debootstrap --variant=minbase` of Debian bookworm with
#      systemd, docker.io (the docker client, and a docker.socket that wants
#      /run/docker.sock as on a Docker host), iptables, busybox-static,
#      iproute2 and kmod, plus a user "vagrant"; made once into an ext4
#      image (mkfs.ext4 -d) cached in .cache/vm-systemd/. The VM boots it
#      as a virtio disk in qemu's snapshot mode: every run starts from the
#      same fresh root and writes nothing back.
#   3. A busybox initramfs (scripts/vm/systemd-init) loads the modules,
#      mounts the disk, copies in what the run brings — the repository's
#      scripts/ at /vagrant/scripts (as Vagrant's synced folder), the
#      binary, a unit that runs scripts/vm/systemd-check.sh once
#      multi-user.target is reached — and switch_root's to /sbin/init.
#   4. systemd-check.sh runs provision-daemon.sh, then the checks, one
#      PASS/FAIL line each on the console, and powers the VM off; this
#      script exits with its status.
#
# The VM has no network but its loopback (qemu -nodefaults: no NIC).
# It holds /tmp/mydocker-vm.lock (flock) while the VM runs.
#
# Knobs: VMTEST_CACHE (kernel cache, default .cache/vm), VMSYSTEMD_CACHE
# (root images, default .cache/vm-systemd), VMSYSTEMD_MIRROR (default
# http://deb.debian.org/debian), VMTEST_ACCEL, VMTEST_KERNEL_PKG,
# VMTEST_QEMU_ARGS as for vm-test.sh; VMSYSTEMD_VERBOSE=1 keeps the console's
# systemd status messages (debugging a boot).
#
# Exit status: the checks' (0: all passed, 1: a check failed); 124 if the
# timeout expired; 125 if the VM ended without a status or the setup failed.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
# shellcheck source-path=SCRIPTDIR source=vm/lib.sh
. "$SCRIPT_DIR/vm/lib.sh" # REPO, log, die, vm_*
[[ $(uname -m) == x86_64 ]] || die "the VM boots an amd64 kernel and runs on x86_64 hosts only (this is $(uname -m))"
((EUID == 0)) || die "run it as root (debootstrap and mkfs.ext4 -d need it): sudo make test-vm-systemd"

usage() {
	echo "usage: scripts/vm-systemd.sh [--timeout SECONDS] MYDOCKER_BINARY" >&2
	exit 125
}
mem=2048 cpus=2 timeout_s=600
while (($#)); do
	case "$1" in
	--timeout) timeout_s=${2:?--timeout needs a value}; shift 2 ;;
	-h | --help) usage ;;
	-*) log "unknown option: $1"; usage ;;
	*) break ;;
	esac
done
(($# == 1)) || usage
binary=$1
[[ -f $binary && -x $binary ]] || die "$binary is not an executable file (build one: CGO_ENABLED=0 go build -o bin/mydocker ./mydocker)"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "--timeout $timeout_s is not a positive integer"

vm_ensure_tools debootstrap=debootstrap mkfs.ext4=e2fsprogs
vm_kernel # sets cache, kdir, kver, vmlinuz, moddir

# ------------------------------------------------------ the Debian root --
# What the root holds, and so its cache key: change any and a new image is
# built. docker.io is bookworm's docker (20.10): client, dockerd,
# containerd; there is no docker-cli package in bookworm.
suite=bookworm
packages=systemd,systemd-sysv,docker.io,iptables,busybox-static,iproute2,kmod
mirror=${VMSYSTEMD_MIRROR:-http://deb.debian.org/debian}
recipe=3 # bump when customize() changes
key=$(printf '%s\n' "$suite" "$packages" "$recipe" | sha256sum | cut -c1-12)
images=${VMSYSTEMD_CACHE:-$REPO/.cache/vm-systemd}
mkdir -p "$images"
images=$(cd "$images" && pwd)
image=$images/$suite-$key.img

# customize DIR: what the Vagrant box has and minbase lacks, and what
# provision.sh leaves behind when it installs docker.io.
customize() {
	local d=$1
	echo vagrant-systemd >"$d/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tvagrant-systemd\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$d/etc/hosts"
	: >"$d/etc/fstab"
	# systemd makes a fresh machine-id at each boot of an empty file.
	: >"$d/etc/machine-id"
	# The Vagrant box's user, whom provision adds to the docker group.
	chroot "$d" useradd --create-home --shell /bin/bash vagrant
	# provision.sh stops docker.io's dockerd and containerd when it
	# installs docker.io. Its docker.socket stays enabled here on purpose:
	# provision-daemon.sh must take /run/docker.sock over from it (a
	# docker.io upgrade enables it again).
	rm -f "$d/etc/systemd/system/multi-user.target.wants/docker.service" \
		"$d/etc/systemd/system/multi-user.target.wants/containerd.service"
	# Nothing the checks need, and slow under emulation.
	rm -f "$d"/etc/systemd/system/timers.target.wants/* \
		"$d/etc/systemd/system/multi-user.target.wants/e2scrub_reap.service"
	# The packages' download cache, docs and translations: not needed.
	rm -rf "$d"/var/cache/apt/archives/*.deb "$d"/var/lib/apt/lists/* \
		"$d"/usr/share/doc/* "$d"/usr/share/man/* "$d"/usr/share/locale/*
}

# drop_build DIR: removes a build directory, first unmounting what a
# debootstrap that failed or was killed may have left mounted in it (its
# /proc, /sys, a bind of /dev), deepest first, so that rm never walks into
# the host's; --one-file-system makes sure of it.
drop_build() {
	local m
	awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
		umount -l "$m" || true
	done
	rm -rf --one-file-system "$1"
}

build_image() {
	local tmp d size
	tmp=$(mktemp -d "$images/.build.XXXXXX")
	d=$tmp/root
	# A build killed halfway leaves no mount behind, and no half root.
	# shellcheck disable=SC2064 # (tmp is expanded now, on purpose)
	trap "drop_build '$tmp'" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	log "building the Debian root $image (once; debootstrap from $mirror, a few minutes)"
	if ! debootstrap --variant=minbase --include="$packages" "$suite" "$d" "$mirror" >"$tmp/log" 2>&1; then
		tail -n 20 "$tmp/log" >&2
		drop_build "$tmp"
		die "debootstrap failed (log above)"
	fi
	customize "$d"
	# Room for the images and containers the checks make: 1 GiB free.
	size=$(($(du -sm "$d" | cut -f1) + 1024))
	if ! mkfs.ext4 -q -L vagrant-root -d "$d" "$tmp/img" "${size}M" >&2; then
		drop_build "$tmp"
		die "mkfs.ext4 -d failed"
	fi
	mv "$tmp/img" "$image"
	drop_build "$tmp"
	trap - EXIT
}

exec 8>"$images/.lock"
flock 8
[[ -f $image ]] || build_image
exec 8>&-

# ------------------------------------------------------------ initramfs --
vm_workdir
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,newroot,vmtest}
vm_busybox_root "$root" "$SCRIPT_DIR/vm/systemd-init"
# The disk's driver and file system, then what the engine uses.
# shellcheck disable=SC2086 # (a word list)
vm_modules "$root" virtio_pci virtio_blk ext4 autofs4 $VM_MODULES

# What init copies onto the root: /overlay/. becomes /.
o=$root/overlay
mkdir -p "$o/vagrant/bin" "$o/etc/systemd/system/multi-user.target.wants" "$o/vmtest"
cp -a "$SCRIPT_DIR" "$o/vagrant/scripts"
rm -rf "$o/vagrant/scripts/vm/testdata"
install -m 0755 "$binary" "$o/vagrant/bin/mydocker"
mkdir -p "$o/usr/lib" # (/lib is a link to usr/lib in bookworm)
cp -a "$root/lib/modules" "$o/usr/lib/" # modprobe in the VM finds what is loaded
cat >"$o/etc/systemd/system/vm-systemd-check.service" <<'EOF'
# Generated by scripts/vm-systemd.sh: the checks, once the machine is up.
[Unit]
Description=mydocker under systemd: the checks of scripts/vm/systemd-check.sh
After=multi-user.target
# However it ends, the VM ends (the host has its line, or knows it has none).
SuccessAction=poweroff
FailureAction=poweroff

[Service]
Type=oneshot
ExecStart=/bin/bash /vagrant/scripts/vm/systemd-check.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
EOF
ln -s ../vm-systemd-check.service "$o/etc/systemd/system/multi-user.target.wants/"

vm_initramfs "$root" "$o/vmtest" # sets marker, tag

# ---------------------------------------------------------------- boot it --
# quiet, loglevel and systemd.show_status=error: only the checks' lines and
# real trouble on the console. systemd.mask: no login prompt on it.
status_opt=systemd.show_status=error
[[ -n ${VMSYSTEMD_VERBOSE:-} ]] && status_opt=systemd.show_status=1
append="console=ttyS0 quiet loglevel=${VMTEST_LOGLEVEL:-4} panic=-1 oops=panic
  rdinit=/init 8250.nr_uarts=1 i8042.noaux i8042.nokbd i8042.nopnp tsc=reliable
  no_timer_check mitigations=off $status_opt systemd.unified_cgroup_hierarchy=1
  systemd.mask=serial-getty@ttyS0.service systemd.mask=getty@tty1.service"
read -r -a qemu_extra <<<"${VMTEST_QEMU_ARGS:-}"
qemu_extra+=(-drive "file=$image,if=virtio,format=raw,snapshot=on")

# One VM at a time on this machine: other engineers' VMs hold the same
# lock, for the VM's run only. A caller that holds it already (`flock
# /tmp/mydocker-vm.lock make test-vm-systemd`) passed us its descriptor:
# then taking it again on a descriptor of our own would wait for ever.
lock=/tmp/mydocker-vm.lock
held=
for fd in "/proc/$$/fd"/*; do
	[[ $(readlink "$fd" 2>/dev/null) == "$lock" ]] && held=1
done
if [[ -z $held ]]; then
	exec 7>>"$lock"
	flock 7 || die "flock $lock"
fi
vm_boot
[[ -n $held ]] || exec 7>&-
vm_report

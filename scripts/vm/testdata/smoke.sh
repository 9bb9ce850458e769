#!/bin/sh
# Payload of scripts/vm/smoke-test.sh: runs inside the VM (busybox sh),
# prints what the VM looks like and exits 3 on purpose.
echo "== cat /proc/self/cgroup"
cat /proc/self/cgroup
echo "== root cgroup.subtree_control"
cat /sys/fs/cgroup/cgroup.subtree_control
echo "== user-1000.slice cgroup.subtree_control"
cat /sys/fs/cgroup/user.slice/user-1000.slice/cgroup.subtree_control
echo "== stat -f -c '%T %t' /sys/fs/cgroup"
stat -f -c "%T %t" /sys/fs/cgroup   # busybox: UNKNOWN 63677270 (CGROUP2_SUPER_MAGIC)
echo "== uname -r"
uname -r
echo "== hostname"
hostname
echo "== /proc/modules"
cut -d' ' -f1 /proc/modules | sort | tr '\n' ' '
echo
echo "== environment from the host"
env | grep -E '^(CI|MYDOCKER_[A-Z_]*|VMTEST_SMOKE[A-Z_]*)=' | sort

echo "== overlay mount in /tmp"
o=/tmp/ovl
mkdir -p $o/lower $o/upper $o/work $o/merged
echo lower >$o/lower/a
if mount -t overlay overlay -o lowerdir=$o/lower,upperdir=$o/upper,workdir=$o/work $o/merged; then
	echo upper >$o/merged/b
	echo "overlay ok: $(cat $o/merged/a) $(ls $o/upper)"
	umount $o/merged
else
	echo "overlay FAILED"
fi

echo "== pivot_root in a new mount namespace"
# Works only because /init switch_root'ed away from the initramfs, and
# only after making the (systemd-like, shared) mounts private.
r=/tmp/newroot
mkdir -p $r
unshare -m /bin/sh -c "
	mount --make-rprivate / &&
	mount -t tmpfs tmpfs $r && mkdir -p $r/bin $r/old &&
	cp /bin/busybox $r/bin/ && ln -s busybox $r/bin/sh &&
	cd $r && pivot_root . old && exec /bin/busybox sh -c 'umount -l /old && echo pivot_root ok: \$(ls /)'
" || echo "pivot_root FAILED"

echo "== static Go binary"
./hello
echo "== Go: clone flags + clone3 CLONE_INTO_CGROUP"
./nsprobe
echo "nsprobe exit status $?"

echo "== last line without a newline, then exit 3"
printf 'no newline here'
exit 3

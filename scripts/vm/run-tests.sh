#!/bin/sh
# Runs inside the cgroup v2 VM (see vm-test.sh): every test binary in
# /payload (chapters, the engine packages and lab references that need
# cgroup v2), against the static mydocker beside them. Busybox sh, no bash.
# Runs them all, and exits non-zero if any failed.
export MYDOCKER_BIN=/payload/mydocker
# The READMEs' console blocks written for cgroup v2 (transcripts.test): the
# VM has the READMEs, not the source tree, and busybox, not a student's tools.
export MYDOCKER_TRANSCRIPT_TREE=/payload/tree MYDOCKER_TRANSCRIPT_ONLY="cgroup v2"
echo "vm: kernel $(uname -r); caller's cgroup $(cat /proc/self/cgroup); root controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
failed=""
for t in /payload/*.test; do
	name=$(basename "$t" .test)
	echo "=== $name, on cgroup v2"
	if ! "$t" -test.count=1 -test.v -test.timeout=15m; then
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "vm: FAILED on cgroup v2:$failed"
	exit 1
fi
echo "vm: every test passed on cgroup v2"

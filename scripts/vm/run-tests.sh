#!/bin/sh
# Runs inside the cgroup v2 VM (see vm-test.sh): every test binary in
# /payload (chapters, the engine packages and lab references that need
# cgroup v2), against the static mydocker beside them; then the labs' stubs,
# which must fail, and the labs built into the engine. Busybox sh, no bash.
# Runs them all, and exits non-zero if any failed.
export MYDOCKER_BIN=/payload/mydocker
# No Docker in here: tests that compare with Docker skip (harness.InVMEnv).
export MYDOCKER_IN_VM=1
# The READMEs' console blocks written for cgroup v2 (transcripts.test): the
# VM has the READMEs, not the source tree, and busybox, not a student's tools.
export MYDOCKER_TRANSCRIPT_TREE=/payload/tree MYDOCKER_TRANSCRIPT_ONLY="cgroup v2"
echo "vm: kernel $(uname -r); caller's cgroup $(cat /proc/self/cgroup); root controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
failed=""
# -test.short: a test whose cost has nothing to do with the cgroup version
# (200 containers in a row, a 50 MB layer, hostile archives) runs smaller
# here, or skips saying so (harness.NotShort): `make chapters` ran it at
# full size natively in the same make test, and under emulation it would
# cost minutes.
for t in /payload/*.test; do
	name=$(basename "$t" .test)
	echo "=== $name, on cgroup v2"
	if ! "$t" -test.count=1 -test.v -test.short -test.timeout=15m; then
		failed="$failed $name"
	fi
done
# A lab's stub checker that needs cgroup v2 (labNN-stub.mustfail) must fail,
# on the checker's verdict: the student's code is held to it here too.
for t in /payload/*.mustfail; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .mustfail)
	echo "=== $name, on cgroup v2: must fail"
	out=$("$t" -test.count=1 -test.timeout=15m 2>&1)
	if [ $? -eq 0 ] || ! echo "$out" | grep -q -- '--- FAIL'; then
		echo "$out"
		failed="$failed $name(passed)"
	else
		echo "ok: $name fails: $(echo "$out" | grep -m1 -A1 -- '--- FAIL: Test' | tail -1)"
	fi
done
# A lab built into the engine (mydocker-labNN-reference and -stub, and the
# chapter's tests to run in labNN.run): the chapter's tests pass with the
# reference inside, and fail with the stub.
for r in /payload/lab*.run; do
	[ -e "$r" ] || continue
	n=$(basename "$r" .run); n=${n#lab}
	run=$(cat "$r")
	echo "=== chapter $n against the engine with lab $n's reference, on cgroup v2"
	if ! MYDOCKER_BIN=/payload/mydocker-lab$n-reference /payload/chapter$n.test -test.count=1 -test.v -test.timeout=15m -test.run "$run"; then
		failed="$failed lab$n-engine-reference"
	fi
	echo "=== chapter $n against the engine with lab $n's stub, on cgroup v2: must fail"
	out=$(MYDOCKER_BIN=/payload/mydocker-lab$n-stub /payload/chapter$n.test -test.count=1 -test.timeout=15m -test.run "$run" 2>&1)
	if [ $? -eq 0 ] || ! echo "$out" | grep -q -- '--- FAIL'; then
		echo "$out"
		failed="$failed lab$n-engine-stub(passed)"
	else
		echo "ok: the engine with lab $n's stub fails: $(echo "$out" | grep -m1 -A1 -- '--- FAIL: Test' | tail -1)"
	fi
done
if [ -n "$failed" ]; then
	echo "vm: FAILED on cgroup v2:$failed"
	exit 1
fi
echo "vm: every test passed on cgroup v2"

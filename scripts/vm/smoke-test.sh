#!/usr/bin/env bash
# smoke-test.sh — checks that scripts/vm-test.sh itself works: builds a
# payload (testdata/smoke.sh plus two static Go programs), runs it in the VM
# and verifies the output and that the payload's exit status (3) comes back.
#
# Usage: scripts/vm/smoke-test.sh        (extra args go to vm-test.sh)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
go=$(command -v go || echo /usr/local/go/bin/go)

work=$(mktemp -d "${TMPDIR:-/tmp}/vm-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Build outside the repo's module so that its go.mod/vendor do not matter.
mkdir -p "$work/src" "$work/payload"
cp -r "$here/testdata/hello" "$here/testdata/nsprobe" "$work/src/"
(
	cd "$work/src"
	"$go" mod init vmsmoke >/dev/null 2>&1
	CGO_ENABLED=0 "$go" build -o "$work/payload/hello" ./hello
	CGO_ENABLED=0 "$go" build -o "$work/payload/nsprobe" ./nsprobe
)
cp "$here/testdata/smoke.sh" "$work/payload/"

rc=0
CI=true MYDOCKER_SMOKE="two words 'quoted' \$notexpanded" VMTEST_SMOKE=1 \
	"$here/../vm-test.sh" "$@" "$work/payload" -- sh ./smoke.sh | tee "$work/out" || rc=$?

fail=0
expect() {
	if grep -qF -- "$1" "$work/out"; then
		echo "smoke: ok   $1"
	else
		echo "smoke: MISSING $1"
		fail=1
	fi
}
expect "0::/user.slice/user-1000.slice/session-1.scope"
expect "63677270"
expect "memory"
expect "overlay ok: lower b"
expect "pivot_root ok:"
expect "hello from Go"
expect "nsprobe exit status 0"
expect "CI=true"
expect "MYDOCKER_SMOKE=two words 'quoted' \$notexpanded"
expect "no newline here"
if ((rc != 3)); then
	echo "smoke: exit status $rc, want 3"
	fail=1
fi
((fail == 0)) && echo "smoke: PASS" || echo "smoke: FAIL"
exit "$fail"

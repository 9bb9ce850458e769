#!/usr/bin/env bash
# Prints the tests of one part of a chapter as a `go test -run` pattern:
# the names on the "Tests:" line under "### Part P:" in the chapter's README.
#   scripts/part-tests.sh 04 2   =>   ^(TestA|TestB)$
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 CHAPTER PART (e.g. 04 2)" >&2; exit 2; }
readme=$(ls "$(dirname "$0")"/../chapters/"$1"-*/README.md 2>/dev/null | head -1)
[ -n "$readme" ] || { echo "$0: no chapter $1" >&2; exit 2; }
names=$(awk -v part="$2" '
	/^### Part [0-9]+:/ { split($3, n, ":"); in_part = (n[1] == part); next }
	/^## / { in_part = 0 }
	in_part && /^Tests: / { print; exit }
' "$readme" | { grep -o '`Test[A-Za-z0-9_]*`' || true; } | tr -d '`' | paste -sd '|' -)
[ -n "$names" ] || { echo "$0: chapter $1 has no part $2 (see its Sessions table)" >&2; exit 2; }
echo "^($names)\$"

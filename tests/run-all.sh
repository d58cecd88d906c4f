#!/bin/sh
# Runs every test: the cmocka unit test binaries, then the integration
# scripts.  Prints each runner's own summary and a closing line
# "total: N passed, N failed" counting test programs and scripts.
# Environment: BUILD (build folder), VLEVAL_SHARED (default ../shared).
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export VLEVAL_SHARED=${VLEVAL_SHARED:-$ROOT/../shared}
case $BUILD in
/*) export VLEVAL_BUILD=$BUILD ;;
*) export VLEVAL_BUILD=$ROOT/$BUILD ;;
esac
export VLEVAL_BIN=${VLEVAL_BIN:-$VLEVAL_BUILD/vleval}
export VLEVAL_ROOT=$ROOT
cd "$ROOT" || exit 2
pass=0; fail=0; failed=""
for t in "$BUILD"/tests/unit/*/test_* "$BUILD"/tests/unit/*/*/test_*; do
	[ -x "$t" ] || continue
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
for s in tests/integration/*.sh; do
	[ -f "$s" ] || continue
	echo "[ RUN      ] $s"
	if sh "$s"; then
		echo "[       OK ] $s"; pass=$((pass + 1))
	else
		echo "[  FAILED  ] $s"; fail=$((fail + 1)); failed="$failed $s"
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# make valgrind: every integration script with the vleval binary run under
# valgrind (tests/valgrind/vleval-vg).  Passes when every script passes and
# no valgrind log holds an error or a leak.  Environment: BUILD.
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export VLEVAL_BUILD=$BUILD VLEVAL_ROOT=$ROOT
export VLEVAL_SHARED=${VLEVAL_SHARED:-$ROOT/../shared}
export VLEVAL_VG_REAL=$BUILD/vleval
export VLEVAL_BIN=$ROOT/tests/valgrind/vleval-vg
export VLEVAL_VG_LOGS=$BUILD/valgrind-logs
# scripts that time the binary (a stop within a second) say so and relax
export VLEVAL_UNDER_VALGRIND=1
rm -rf "$VLEVAL_VG_LOGS"
mkdir -p "$VLEVAL_VG_LOGS"
pass=0; fail=0; failed=""
for s in ${VG_SCRIPTS:-tests/integration/*.sh}; do
	echo "[ RUN      ] $s (valgrind)"
	if sh "$s"; then
		echo "[       OK ] $s"; pass=$((pass + 1))
	else
		echo "[  FAILED  ] $s"; fail=$((fail + 1)); failed="$failed $s"
	fi
done
nlogs=$(ls "$VLEVAL_VG_LOGS" | wc -l)
bad=$(find "$VLEVAL_VG_LOGS" -type f -size +0 | sort)
if [ -n "$bad" ]; then
	echo "valgrind reports (first lines of each):"
	for f in $bad; do echo "== $f"; head -n 30 "$f"; done
	fail=$((fail + 1)); failed="$failed valgrind-reports"
fi
echo "valgrind: $nlogs vleval processes checked, $(echo "$bad" | grep -c .) with a report"
[ -n "$failed" ] && echo "failed:$failed"
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

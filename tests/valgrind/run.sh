#!/bin/sh
# make valgrind: every integration script with vleval, and the pixels
# worker it starts, run under valgrind (tests/valgrind/vg-exec).  Passes when
# every script passes and no valgrind log holds an error or a leak.
# Environment: BUILD; VG_SCRIPTS (the scripts, default all of
# tests/integration/*.sh); VLEVAL_VG_DIR (default $BUILD/valgrind, emptied
# first: the logs go to its logs/, the binaries it runs to its bin/; two
# passes at once need two).
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export VLEVAL_BUILD=$BUILD VLEVAL_ROOT=$ROOT
export VLEVAL_SHARED=${VLEVAL_SHARED:-$ROOT/../shared}
VLEVAL_VALGRIND=$(command -v valgrind) ||
	{ echo "valgrind is not installed (make valgrind installs it)"; exit 2; }
export VLEVAL_VALGRIND
vgdir=${VLEVAL_VG_DIR:-$BUILD/valgrind}
export VLEVAL_VG_LOGS=$vgdir/logs
# vleval looks for vleval-pixels beside itself (vleval demo): a copy of the
# binary sits beside a vleval-pixels that runs the real one under valgrind
vgbin=$vgdir/bin
rm -rf "$vgdir" && mkdir -p "$vgbin" "$VLEVAL_VG_LOGS" || exit 2
cp "$BUILD/vleval" "$vgbin/vleval" || exit 2
printf '#!/bin/sh\nexec "%s/tests/valgrind/vg-exec" "%s/vleval-pixels" "$@"\n' "$ROOT" "$BUILD" \
	>"$vgbin/vleval-pixels" && chmod +x "$vgbin/vleval-pixels" || exit 2
export VLEVAL_VG_REAL=$vgbin/vleval
export VLEVAL_BIN=$ROOT/tests/valgrind/vleval-vg
export VLEVAL_PIXELS=$vgbin/vleval-pixels
# scripts that time the binary (a stop within a second) say so and relax
export VLEVAL_UNDER_VALGRIND=1
t0=$(date +%s)
pass=0; fail=0; failed=""
for s in ${VG_SCRIPTS:-tests/integration/*.sh}; do
	echo "[ RUN      ] $s (valgrind)"
	s0=$(date +%s)
	if sh "$s"; then
		echo "[       OK ] $s ($(($(date +%s) - s0)) s)"; pass=$((pass + 1))
	else
		echo "[  FAILED  ] $s ($(($(date +%s) - s0)) s)"; fail=$((fail + 1)); failed="$failed $s"
	fi
done
nv=$(find "$VLEVAL_VG_LOGS" -name 'vleval.*.log' | wc -l)
np=$(find "$VLEVAL_VG_LOGS" -name 'vleval-pixels.*.log' | wc -l)
bad=$(find "$VLEVAL_VG_LOGS" -type f -size +0 | sort)
if [ -n "$bad" ]; then
	echo "valgrind reports (first lines of each):"
	for f in $bad; do echo "== $f"; head -n 30 "$f"; done
	fail=$((fail + 1)); failed="$failed valgrind-reports"
fi
echo "valgrind: $nv vleval and $np vleval-pixels processes checked, $(echo "$bad" | grep -c .) with a report"
echo "valgrind: wall $(($(date +%s) - t0)) s; CPU (user, system) of this shell, then of its children:"
times
[ -n "$failed" ] && echo "failed:$failed"
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

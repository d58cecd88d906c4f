#!/bin/sh
# Runs every benchmark tests/perf/*.sh in turn (each prints its own figures
# and ratios against a baseline measured in the same run).  Environment:
# BUILD (build folder).  Exit status: the number of benchmarks that failed
# to run (figures are reported, not asserted).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
fail=0
for s in tests/perf/*.sh; do
	[ "$s" = tests/perf/run-all.sh ] && continue
	echo "== $s"
	sh "$s" || fail=$((fail + 1))
done
exit $fail

#!/bin/sh
# Runs every benchmark in tests/perf/ (each prints its own figures).
cd "$(dirname "$0")/../.." || exit 2
rc=0
for s in tests/perf/*.sh; do
	[ "$s" = tests/perf/run-all.sh ] && continue
	echo "== $s"
	sh "$s" || rc=1
done
exit $rc

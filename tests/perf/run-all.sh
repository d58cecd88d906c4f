#!/bin/sh
# Runs every benchmark in tests/perf/*.sh (each prints its figures and a
# ratio against a baseline measured in the same run).  Exit status: the
# number of benchmarks that failed to run.
cd "$(dirname "$0")" || exit 2
fail=0
for b in ./*.sh; do
	[ "$b" = ./run-all.sh ] && continue
	echo "== $b"
	sh "$b" || fail=$((fail + 1))
done
exit $fail

#!/bin/sh
# Runs every benchmark in tests/perf/ (each prints its own figures and its
# ratio against a baseline measured in the same run); exits non-zero if one
# of them failed to run.
cd "$(dirname "$0")" || exit 2
rc=0
for s in ./*.sh; do
	[ "$s" = ./run-all.sh ] && continue
	echo "== $s"
	sh "$s" || rc=1
done
exit $rc

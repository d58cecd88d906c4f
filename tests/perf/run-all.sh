#!/bin/sh
# run-all.sh - runs every benchmark script in tests/perf/ (each prints its
# own figures and a ratio against a baseline measured in the same run).
cd "$(dirname "$0")" || exit 2
fail=0
for s in *.sh; do
	[ "$s" = run-all.sh ] && continue
	echo "== $s"
	sh "./$s" || fail=1
done
exit $fail

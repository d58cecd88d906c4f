#!/bin/sh
# Runs the libFuzzer targets built by `make fuzz` (build-fuzz/tests/fuzz/).
#   tests/fuzz/run.sh --smoke SECONDS      every target for SECONDS (CI)
#   tests/fuzz/run.sh TARGET SECONDS       one target, e.g. fuzz_task 600
# Each run starts from the seed corpus tests/fuzz/corpus/<target>/ (read
# only: new inputs go to build-fuzz/corpus/<target>/), stops at the first
# crash, leak, sanitizer report or input slower than 1 s (-timeout=1), and
# prints its last status line (executions, exec/s, cov:).  A crash input is
# left as build-fuzz/crash-<target>-*; turn it into a regression test.
# Needs /dev/shm or /tmp writable; runs from the repository root (fixtures by path).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
B=build-fuzz/tests/fuzz
run_one() {
	t=$1 secs=$2
	[ -x "$B/$t" ] || { echo "$t: not built (make fuzz)"; return 1; }
	mkdir -p "build-fuzz/corpus/$t" "build-fuzz/logs"
	seeds=tests/fuzz/corpus/$t
	[ -d "$seeds" ] || seeds=
	log=build-fuzz/logs/$t.log
	"$B/$t" -max_total_time="$secs" -timeout=1 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="build-fuzz/crash-$t-" \
		"build-fuzz/corpus/$t" $seeds >"$log" 2>&1 &
	pid=$!
	wait $pid
	rc=$?
	# only this target's temporary files and folder (a crashed score target
	# leaves its folder): targets may run side by side
	rm -rf /tmp/vleval-fuzz-$pid-* /dev/shm/vleval-fuzz-$pid-*
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	persec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	if [ $rc -eq 0 ]; then
		echo "$t: ok  ${secs}s  execs $execs  exec/s $persec  cov $cov  ft $ft"
	else
		echo "$t: FAILED (exit $rc) after $execs execs; log $log:"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 8
	fi
	return $rc
}
if [ "$1" = --smoke ]; then
	secs=${2:-10}
	pass=0 fail=0
	for f in $B/fuzz_*; do
		case $f in *.d) continue ;; esac
		[ -x "$f" ] || continue
		if run_one "$(basename "$f")" "$secs"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done
	echo "fuzz: $pass passed, $fail failed"
	[ $fail -eq 0 ] && [ $pass -gt 0 ]
else
	run_one "$1" "${2:-600}"
	exit $?
fi

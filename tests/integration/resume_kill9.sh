#!/bin/sh
# Kills runs with SIGKILL at random moments (and once more during the
# resume), resumes them, and checks that every sample is present exactly
# once, nothing failed, and the metrics equal an uninterrupted run's to the
# last bit.  Also: SIGINT stops cleanly with exit 3 and a resume hint, and
# the quick mode of the soak (tests/perf/soak_kill9.sh).
. "$(dirname "$0")/helpers.shlib"
N=1500
mkdir -p "$T/data/pope"
make_pope "$T/data/pope/coco_pope_random.json" $N
export VLEVAL_DATA="$T/data"
RUN="--task pope_coco_random --backend random --set seed=7 --concurrency 16 --quiet"

# reference: uninterrupted, no delay
$V run $RUN --db "$T/ref.db" >/dev/null 2>&1 || fail "reference run"
ref=$(sq "$T/ref.db" "select metric||'/'||name||'/'||subset||'='||quote(value)||quote(ci_low)||quote(ci_high)||n from metrics order by 1")
[ -n "$ref" ] || fail "reference has metrics"

# random kill points from /dev/urandom: 20..700 ms into a run of ~1.5 s;
# under valgrind, whose start alone takes seconds, counted from the moment
# the run row exists, and twice as late
slow=1
[ -n "${VLEVAL_UNDER_VALGRIND:-}" ] && slow=2
rand_ms() { echo $(( ($(od -An -N2 -tu2 /dev/urandom) % 680 + 20) * slow )); }
round=1
while [ $round -le 5 ]; do
	db="$T/k$round.db"
	$V run $RUN --set delay_ms=8 --db "$db" >/dev/null 2>&1 &
	pid=$!
	ms=$(rand_ms)
	i=0
	while [ $slow -gt 1 ] && [ $i -lt 600 ] &&
	      [ "$(sq "$db" "select count(*) from runs" 2>/dev/null || echo 0)" = 0 ]; do
		sleep 0.1; i=$((i + 1))
	done
	sleep "$(awk -v m="$ms" 'BEGIN { printf("%.3f", m / 1000) }')"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	before=$(sq "$db" "select count(*) from samples" 2>/dev/null || echo 0)
	# show and runs count what the killed run committed (they printed the
	# counts of its run row, written only at the end: 0 answered)
	# (a run that ended before the kill came says so rightly)
	if [ "$before" -gt 0 ] && [ "$(sq "$db" "select status from runs")" = running ]; then
		got=$($V show 1 --json --db "$db" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["status"], d["n_done"])')
		[ "$got" = "running $before" ] || fail "round $round: show after the kill says '$got', the log holds $before"
		$V runs --db "$db" | grep -q " $before/? " || fail "round $round: runs after the kill: $($V runs --db "$db" | tail -n 1)"
	fi
	# odd rounds: kill the resume too, then resume again
	if [ $((round % 2)) -eq 1 ]; then
		$V run --resume last --db "$db" --set delay_ms=8 --quiet >/dev/null 2>&1 &
		pid=$!
		sleep 0.1
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
	fi
	# killed before its run row existed (a very early kill on a slow machine):
	# nothing to resume, the run starts again
	if [ "$(sq "$db" "select count(*) from runs" 2>/dev/null || echo 0)" = 0 ]; then
		$V run $RUN --db "$db" >/dev/null 2>"$T/err"
	else
		$V run --resume last --db "$db" --quiet >/dev/null 2>"$T/err"
	fi
	rc=$?
	[ $rc -eq 0 ] || { fail "round $round: resume exit $rc"; cat "$T/err" >&2; }
	total=$(sq "$db" "select count(*) || ' ' || count(distinct sample_id) || ' ' || sum(error is not null) from samples")
	[ "$total" = "$N $N 0" ] || fail "round $round (killed at ${ms} ms, $before rows): rows/distinct/errors = $total"
	runs=$(sq "$db" "select count(*) || ' ' || status from runs")
	[ "$runs" = "1 finished" ] || fail "round $round: runs = $runs"
	got=$(sq "$db" "select metric||'/'||name||'/'||subset||'='||quote(value)||quote(ci_low)||quote(ci_high)||n from metrics order by 1")
	[ "$got" = "$ref" ] || fail "round $round: metrics differ from the uninterrupted run"
	echo "round $round: killed after ${ms} ms with $before of $N samples logged; resumed: $N distinct, 0 errors, metrics identical"
	round=$((round + 1))
done

# SIGINT: clean stop, exit 3, status interrupted, a resume hint
db="$T/int.db"
$V run $RUN --set delay_ms=8 --db "$db" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.3
# SIGINT is ignored in a background job until vleval installs its handler:
# wait for its first committed batch (a loaded machine, make asan or make
# valgrind may take seconds)
wait_rows() {
	i=0
	while [ $i -lt 600 ] && [ "$(sq "$1" "select count(*) from samples" 2>/dev/null || echo 0)" = 0 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
wait_rows "$db"
kill -INT $pid
wait $pid
rc=$?
check "SIGINT exit code 3 (got $rc)" [ $rc -eq 3 ]
check "status interrupted" [ "$(sq "$db" "select status from runs")" = interrupted ]
# (make valgrind: the binary valgrind runs, VLEVAL_VG_REAL, is what was invoked)
check "resume hint printed, as invoked, with --db" grep -qF "resume with: ${VLEVAL_VG_REAL:-$V} run --resume 1 --db $db" "$T/err"
done_rows=$(sq "$db" "select count(*) from samples")
check "completed work kept ($done_rows rows)" [ "$done_rows" -gt 0 ]
# resumed from another directory without VLEVAL_DATA: the run knows its data root
(cd / && env -u VLEVAL_DATA $V run --resume 1 --db "$db" --quiet >/dev/null 2>"$T/err") ||
	{ fail "resume after SIGINT from another directory"; cat "$T/err" >&2; }
got=$(sq "$db" "select metric||'/'||name||'/'||subset||'='||quote(value)||quote(ci_low)||quote(ci_high)||n from metrics order by 1")
check "metrics after SIGINT + resume identical" [ "$got" = "$ref" ]

# a run interrupted by a vleval before run log schema 2 (rows without
# question and reference): the resume fills them in as it reads the dataset
# again, and the metrics, finished from the stored rows, are the same
db="$T/old.db"
$V run $RUN --set delay_ms=8 --db "$db" >/dev/null 2>&1 &
pid=$!
sleep 0.3
wait_rows "$db"
kill -INT $pid
wait $pid
sq "$db" "ALTER TABLE samples DROP COLUMN question; ALTER TABLE samples DROP COLUMN reference;
	ALTER TABLE samples DROP COLUMN finish_reason; ALTER TABLE cache DROP COLUMN finish_reason;
	PRAGMA user_version = 1" || fail "downgrade to schema 1"
$V run --resume 1 --db "$db" --quiet >/dev/null 2>"$T/err" ||
	{ fail "resume of a schema-1 run"; cat "$T/err" >&2; }
check "schema-1 run: every row has its reference now" \
	[ "$(sq "$db" "select count(*) from samples where reference is null or question is null")" = 0 ]
got=$(sq "$db" "select metric||'/'||name||'/'||subset||'='||quote(value)||quote(ci_low)||quote(ci_high)||n from metrics order by 1")
check "schema-1 run resumed: metrics identical" [ "$got" = "$ref" ]

# the crash-and-resume soak (tests/perf/soak_kill9.sh) in its quick mode:
# 3 kills at concurrency 32 of runs of the openai backend against fake
# servers injecting faults (retries in flight), integrity after each kill,
# a full disk and a read-only log; every final log equal, field by field,
# to an uninterrupted run's.  Its full mode (50 kills) is a perf script.
# Not under valgrind: minutes there, and the kills land in its start-up.
if [ -z "${VLEVAL_UNDER_VALGRIND:-}" ]; then
	CYCLES=3 IMAGES=80 sh "$(dirname "$0")/../perf/soak_kill9.sh" >"$T/soak.out" 2>&1 ||
		{ fail "soak_kill9.sh quick mode"; sed 's/^/    /' "$T/soak.out" >&2; }
	grep '^soak: seed' "$T/soak.out"
fi
finish

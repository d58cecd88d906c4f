#!/bin/sh
# The fault matrix (issue 13): `vleval run --backend openai` against the
# loopback fake server (tests/tools/fakeserver) with one fault kind per run,
# SAMPLES samples each (default 500).  Every sample's question carries its
# directive FAULT:<kind>...:tag=<sample id>, so the server's --log counts the
# requests of each sample.  A transient fault (times=N) fails the first N
# attempts and then answers; a permanent one fails every attempt.
#
# For each kind the script checks, and prints as a table:
#   - every sample ends answered or recorded with its error (rows = SAMPLES,
#     answered and errors as expected for the kind);
#   - no sample duplicated (rows = distinct sample ids);
#   - retry counts exact: the attempts recorded per sample (retries + 1)
#     equal the requests the server logged for that sample's tag, sample by
#     sample, and equal the kind's expected count;
#   - wall and CPU seconds and peak RSS of the run as vleval records them
#     (runs.wall_s, cpu_s, peak_rss_mb: the vleval process's own; CPU is the
#     figure load inflates least).
# Exits 1 when a check fails.  Environment: SAMPLES (500), CONC (32),
# RETRIES (3), BIG_MB (50: the huge answer), TMO (1: the --timeout of the
# timeout kind, whose first answer comes after 3 x TMO), KINDS (a
# space-separated subset), BUILD (build), VLEVAL_BIN.
#   sh tests/perf/fault_matrix.sh                   # the README table
#   SAMPLES=20 BIG_MB=9 sh tests/perf/fault_matrix.sh   # seconds (make test)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-${VLEVAL_BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export VLEVAL_BUILD=$BUILD
export VLEVAL_BIN=${VLEVAL_BIN:-$BUILD/vleval}
. "$ROOT/tests/integration/helpers.shlib"
SAMPLES=${SAMPLES:-500}
CONC=${CONC:-32}
RETRIES=${RETRIES:-3}
BIG_MB=${BIG_MB:-50}
TMO=${TMO:-1}
[ -x "$V" ] && [ -x "$BUILD/tests/tools/fakeserver" ] ||
	{ echo "fault_matrix: build first (make vleval and the test tools)"; exit 2; }
command -v sqlite3 >/dev/null || { echo "fault_matrix: needs the sqlite3 CLI"; exit 2; }
MAX=$((RETRIES + 1))
# the openai backend reads at most 8 MB of a response (VL_OPENAI_MAX_BODY);
# a smaller answer is read whole and its output refused by the runner
if [ "$BIG_MB" -ge 8 ]; then HUGE_ERR="body over 8 MB"; else HUGE_ERR="over limit"; fi

# kind | directive (- none) | transient or permanent | extra run options |
# answered (all or 0) | attempts per sample | error class of the failures
# (- none; "+output" also wants an errors row of kind output per sample)
cat >"$T/kinds" <<EOF
refused|-|permanent|--base-url http://127.0.0.1:9/v1 --no-preflight --breaker 0|0|$MAX|refused
timeout|slow=$((TMO * 3000)):times=1|transient|--timeout $TMO|all|2|-
slow_drip|slowstream=300|permanent|--stream --timeout 10|all|1|-
429_retry_after|429:retry_after=1:times=2|transient||all|3|-
429_no_retry_after|429:times=2|transient||all|3|-
500|500:times=2|transient||all|3|-
502|502:times=$RETRIES|transient||all|$MAX|-
503|503|permanent||0|$MAX|http 503
reset_mid_body|reset:times=1|transient||all|2|-
drop_before_answer|drop:times=1|transient||all|2|-
truncated_body|truncated:times=1|transient||all|2|-
malformed_json|malformed|permanent||0|$MAX|bad json
invalid_utf8|badutf8|permanent||all|1|+output
empty_choices|empty_choices|permanent||0|$MAX|bad json
huge_${BIG_MB}mb|huge=$BIG_MB|permanent||0|1|$HUGE_ERR
huge_${BIG_MB}mb_stream|huge=$BIG_MB|permanent|--stream|0|1|over limit
stream_cut|stream_cut:times=1|transient|--stream|all|2|-
EOF

vqa_task fm
DB=$T/fm.db
TAB=$(printf '\t')
# an error message's class: what the table counts
classify='function cls(e) {
	if (e ~ /over the limit/) return "over limit"
	if (e ~ /is over [0-9]+ MB/) { match(e, /over [0-9]+ MB/); return "body " substr(e, RSTART, RLENGTH) }
	if (e ~ /timed out/) return "timeout"
	if (e ~ /http [0-9][0-9][0-9]/) { match(e, /http [0-9][0-9][0-9]/); return substr(e, RSTART, RLENGTH) }
	if (e ~ /[Cc]ouldn.t connect|[Cc]onnection refused/) return "refused"
	if (e ~ /malformed response|not valid JSON|no choices/) return "bad json"
	if (e ~ /stopped before/) return "stream cut"
	if (e ~ /failed: /) { sub(/.*failed: /, "", e); sub(/ \(after.*/, "", e); return e }
	return substr(e, 1, 30)
}'

printf '%s samples a kind, concurrency %s, --retries %s (at most %s attempts), backoff 10 ms\n' \
	"$SAMPLES" "$CONC" "$RETRIES" "$MAX"
FMT='| %-22s | %-9s | %7s | %8s | %-17s | %4s | %-13s | %-8s | %6s | %6s | %6s | %-3s |\n'
printf "$FMT" kind fault samples answered "errors by kind" dups "attempts/seen" expected "wall s" "CPU s" "RSS MB" ok
printf "$FMT" ---------------------- --------- ------- -------- ----------------- ---- ------------- -------- ------ ------ ------ ---
run=0
bad=0
while IFS='|' read -r kind dir mode extra want_ans want_att want_err; do
	case " ${KINDS:-$kind} " in *" $kind "*) ;; *) continue ;; esac
	awk -v n="$SAMPLES" -v d="$dir" 'BEGIN { for (i = 1; i <= n; i++)
		printf("{\"id\": \"q%d\", \"image\": \"a.jpg\", \"question\": \"q%d%s\", \"answer\": \"x\"}\n",
		       i, i, d == "-" ? "" : sprintf(" FAULT:%s:tag=q%d", d, i)) }' >"$T/data/fm.jsonl"
	log=$T/$kind.log
	: >"$log"
	if [ "$dir" = - ]; then
		url=
	else
		start_fakeserver --echo --log "$log" --lifetime 900 ||
			{ echo "fault_matrix: the fake server did not start"; exit 2; }
		url="--base-url $URL"
	fi
	# shellcheck disable=SC2086
	timeout 600 "$V" run --task fm --tasks-dir "$T/tasks" --data-dir "$T/data" --backend openai \
		--concurrency "$CONC" --retries "$RETRIES" --set backoff_ms=10 --no-cache --quiet \
		--db "$DB" $url $extra >"$T/run.out" 2>"$T/run.err"
	rc=$?
	[ "$dir" = - ] || stop_fakeserver
	run=$((run + 1))
	got=$(sq "$DB" "select id from runs order by id desc limit 1")
	if [ "$got" != "$run" ]; then
		printf '%s: no run recorded (exit %s): %s\n' "$kind" "$rc" "$(head -c 300 "$T/run.err")"
		bad=$((bad + 1)); run=$((run - 1)); continue
	fi
	# per sample: id, attempts recorded, error class; then requests per tag
	sq -separator "$TAB" "$DB" "select sample_id, retries + 1, coalesce(error, '') from samples where run_id = $run" \
		>"$T/rows"
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^tag=/) print substr($i, 5) }' "$log" | sort | uniq -c |
		awk '{ print $2 "\t" $1 }' >"$T/seen"
	set -- $(awk -F"$TAB" -v want_att="$want_att" -v nolog="$([ "$dir" = - ] && echo 1)" "$classify"'
		FILENAME == ARGV[1] { seen[$1] = $2; next }
		{ rows++; if (ids[$1]++) dup++; att += $2; s += seen[$1]
		  if (!nolog && $2 != seen[$1]) mism++
		  if ($2 != want_att) off++
		  if ($3 == "") ans++; else { c = cls($3); gsub(/ /, "_", c); ec[c]++ } }
		END { e = ""; for (c in ec) e = e (e == "" ? "" : ",") c "=" ec[c]
		      for (t in seen) if (!(t in ids)) { s += seen[t]; stray++ }
		      printf("%d %d %d %d %d %d %d %s\n", rows, ans + 0, dup + 0, att, s, mism + 0,
			     off + 0 + stray, e == "" ? "-" : e) }' "$T/seen" "$T/rows")
	rows=$1 ans=$2 dup=$3 att=$4 seen=$5 mism=$6 off=$7 errs=$8
	nout=$(sq "$DB" "select count(distinct sample_id) from errors where run_id = $run and kind = 'output'")
	set -- $(sq -separator ' ' "$DB" "select printf('%.1f', wall_s), printf('%.2f', cpu_s),
		printf('%.0f', peak_rss_mb) from runs where id = $run")
	wall=$1 cpu=$2 rss=$3
	[ "$dir" = - ] && seen_s="$att/-" || seen_s="$att/$seen"
	# the kind's expectations
	why=
	[ "$rows" = "$SAMPLES" ] || why="$why rows=$rows"
	[ "$dup" = 0 ] || why="$why duplicates=$dup"
	[ "$mism" = 0 ] || why="$why attempts!=requests:$mism"
	[ "$off" = 0 ] || why="$why attempts!=$want_att:$off"
	if [ "$want_ans" = all ]; then
		[ "$ans" = "$SAMPLES" ] || why="$why answered=$ans"
		[ "$rc" = 0 ] || why="$why exit=$rc"
	else
		[ "$ans" = 0 ] || why="$why answered=$ans"
		[ "$errs" = "$(echo "$want_err" | tr ' ' _)=$SAMPLES" ] || why="$why errors=$errs"
		[ "$rc" = 1 ] || why="$why exit=$rc"
	fi
	[ "$want_err" != +output ] || [ "$nout" = "$SAMPLES" ] || why="$why output-errors=$nout"
	[ "$want_err" = +output ] && errs="output=$nout"
	[ "$want_ans" = all ] && exp="ok x$want_att" || exp="err x$want_att"
	ok=yes
	[ -z "$why" ] || { ok=NO; bad=$((bad + 1)); }
	printf "$FMT" "$kind" "$mode" "$rows" "$ans" "$errs" "$dup" "$seen_s" "$exp" "$wall" "$cpu" "$rss" "$ok"
	[ -z "$why" ] || { echo "    $kind:$why (exit $rc)"; head -c 400 "$T/run.err" | sed 's/^/    /'; }
done <"$T/kinds"
echo "expected: ok xN = every sample answered after N attempts; err xN = every sample recorded with its error after N attempts"
echo "attempts/seen: attempts vleval recorded (retries + 1, summed) / requests the server logged for the samples' tags"
[ "$bad" = 0 ] || { echo "fault_matrix: $bad kinds failed"; exit 1; }

#!/bin/sh
# Allocation-failure injection (core/alloc.c, VLEVAL_ALLOC_FAIL_AFTER=N:
# every allocation after the first N fails) across a small run, a score and
# a report: for each N the command ends cleanly (its usual exit status, or
# 2 or 4 with an error message: never a signal or a sanitizer report), and
# the run log stays intact (PRAGMA integrity_check).  make test tries every
# N up to 40, then N growing by 15% until the command no longer fails;
# VLEVAL_ALLOC_FULL=1 tries every N (slow: a few thousand processes).
. "$(dirname "$0")/helpers.shlib"
# Out of memory ends the process (exit 4) with score caption's reader
# thread unjoined: that is the exit, not a leak to report
export TSAN_OPTIONS="report_thread_leaks=0 ${TSAN_OPTIONS:-}"
mkdir -p "$T/tasks" "$T/data"
cat >"$T/tasks/af.json" <<JSON
{ "name": "af", "family": "vqa", "version": 1,
  "dataset": { "format": "jsonl", "path": "af.jsonl" },
  "prompt": "{question}", "generation": { "max_tokens": 8 },
  "extract": "short", "metrics": ["exact_match"] }
JSON
i=1
while [ $i -le 6 ]; do
	printf '{"id": "s%d", "question": "what is %d?", "answer": "a%d"}\n' $i $i $((i % 3))
	printf '{"id": "s%d", "output": "a%d"}\n' $i $((i % 2)) >&3
	i=$((i + 1))
done >"$T/data/af.jsonl" 3>"$T/preds.jsonl"
echo '{"1": ["a cat on a mat", "a cat"], "2": ["two dogs"]}' >"$T/refs.json"
echo '{"1": "a cat", "2": "a dog"}' >"$T/cands.json"

NTRIED=0
# sweep NAME DB CMD...: runs CMD with every N of the schedule
sweep() {
	name=$1 db=$2; shift 2
	"$@" >/dev/null 2>&1; want=$?
	n=0
	while :; do
		[ -n "$db" ] && rm -f "$db" "$db-wal" "$db-shm" && cp "$T/base.db" "$db"
		VLEVAL_ALLOC_FAIL_AFTER=$n "$@" >"$T/af.out" 2>"$T/af.err"; rc=$?
		NTRIED=$((NTRIED + 1))
		case $rc in
		"$want") ;;
		2|4) grep -q . "$T/af.err" || fail "$name N=$n: exit $rc with no message" ;;
		*) fail "$name N=$n: exit $rc"; sed 's/^/    /' "$T/af.err" | head -n 5 >&2 ;;
		esac
		if grep -q 'Sanitizer\|runtime error' "$T/af.err"; then
			fail "$name N=$n: sanitizer report"; head -n 5 "$T/af.err" >&2
		fi
		if [ -n "$db" ] && [ -s "$db" ]; then
			ic=$(sqlite3 "$db" "pragma integrity_check" 2>&1)
			[ "$ic" = ok ] || fail "$name N=$n: integrity_check: $ic"
		fi
		# past the last allocation the command no longer fails
		[ $rc = "$want" ] && [ $n -gt 40 ] && ! grep -q 'out of memory' "$T/af.err" && break
		[ $n -gt 200000 ] && { fail "$name: no end in sight"; break; }
		if [ -n "${VLEVAL_ALLOC_FULL:-}" ] || [ $n -lt 40 ]; then
			n=$((n + 1))
		else
			n=$((n + n * 15 / 100))
		fi
	done
	echo "$name: $NTRIED injected runs so far, last N $n"
}

RUN="$V run --task af --tasks-dir $T/tasks --data-dir $T/data --backend replay --set predictions=$T/preds.jsonl --quiet"

$RUN --db "$T/base.db" >/dev/null 2>&1
# the run starts from an empty log; report and score from the finished one
cp "$T/base.db" "$T/full.db"
rm -f "$T/base.db"
: >"$T/base.db"
sweep run "$T/r.db" $RUN --db "$T/r.db"
cp "$T/full.db" "$T/base.db"
sweep report "$T/p.db" $V report --db "$T/p.db" --format md --out "$T/rep"
sweep score "" $V score caption --refs "$T/refs.json" --preds "$T/cands.json" --json
finish

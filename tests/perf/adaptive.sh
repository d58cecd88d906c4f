#!/bin/sh
# Adaptive concurrency against a server of limited capacity: the fake
# server with CAP parallel slots of SERVICE_MS each (more in flight only
# queue), N samples per run, fixed concurrency 2..64 and then
# --concurrency auto:64.  Prints each run's answers per second over its
# second half (after settling) and median latency, and auto's throughput as
# a ratio of the best fixed concurrency measured in the same run (target:
# >= 0.9).
#   CAP=8 SERVICE_MS=5 N=6000 sh tests/perf/adaptive.sh
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
V=${VLEVAL_BIN:-$BUILD/vleval}
SERVER=$BUILD/tests/tools/fakeserver
CAP=${CAP:-8}
SERVICE_MS=${SERVICE_MS:-5}
N=${N:-6000}
[ -x "$V" ] && [ -x "$SERVER" ] || { echo "adaptive: build first (make vleval and the test tools)"; exit 2; }
T=$(mktemp -d)
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

"$SERVER" --capacity "$CAP" --service-ms "$SERVICE_MS" --lifetime 900 >"$T/port" &
SPID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
URL=http://127.0.0.1:$(cat "$T/port")/v1
mkdir -p "$T/tasks" "$T/data/img"
{ printf '\377\330\377\340'; head -c 512 /dev/urandom; } >"$T/data/img/a.jpg"
printf '%s\n' '{ "name": "p", "family": "vqa", "version": 1,' \
	'  "dataset": { "format": "jsonl", "path": "p.jsonl", "images": "img" },' \
	'  "prompt": "{question}", "generation": { "max_tokens": 8, "temperature": 0 },' \
	'  "extract": "short", "metrics": ["exact_match"] }' >"$T/tasks/p.json"
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
	printf("{\"id\": \"s%d\", \"image\": \"a.jpg\", \"question\": \"q %d\", \"answer\": \"yes\"}\n", i, i) }' \
	>"$T/data/p.jsonl"
DB=$T/a.db
# answers/s and median latency (ms) over the second half of run $1
stats() {
	sqlite3 -batch -noheader "$DB" "with s as (select created, latency_s,
	  row_number() over (order by created) r, count(*) over () n
	  from samples where run_id = $1 and error is null), h as (select * from s where r > n / 2)
	  select printf('%.0f %.1f', (max(r) - min(r)) / (max(created) - min(created)),
	  (select latency_s * 1000 from h order by latency_s limit 1 offset (select count(*) / 2 from h)))
	  from h"
}
echo "server: $CAP slots x $SERVICE_MS ms (at most $((CAP * 1000 / SERVICE_MS)) answers/s); $N samples a run"
printf '%-14s %12s %14s\n' concurrency answers/s "p50 latency ms"
best=0
run=0
for c in 2 4 8 16 32 64 auto:64; do
	"$V" run --task p --tasks-dir "$T/tasks" --data-dir "$T/data" --backend openai \
		--base-url "$URL" --no-cache --quiet --concurrency "$c" --db "$DB" >/dev/null 2>&1 ||
		{ echo "adaptive: the run at concurrency $c failed"; exit 1; }
	run=$((run + 1))
	set -- $(stats $run)
	printf '%-14s %12s %14s\n' "$c" "$1" "$2"
	case $c in
	auto*) auto=$1 ;;
	*) best=$(awk -v a="$best" -v b="$1" 'BEGIN { print (b > a) ? b : a }') ;;
	esac
done
awk -v a="$auto" -v b="$best" 'BEGIN { printf("auto / best fixed: %.2f (target >= 0.90)\n", a / b) }'

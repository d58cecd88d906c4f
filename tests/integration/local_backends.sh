#!/bin/sh
# The worker and plugin backends through `vleval run`, and the response
# cache: a rerun of a finished deterministic evaluation sends no request.
. "$(dirname "$0")/helpers.shlib"
ROOT=${VLEVAL_ROOT:-.}
BUILD=${VLEVAL_BUILD:-$ROOT/build}
cd "$T" || exit 1
$V synth --out "$T/demo/data" --images 40 --quiet || fail "synthetic data"
export VLEVAL_DATA="$T/demo/data"
DB="$T/w.db"
W="python3 $ROOT/tests/fixtures/workers/echo_worker.py --word green --gpu 1234"

# worker: answers "yes" when the prompt names green; two processes
expect_exit 0 "worker run" $V run --task synth_vqa --backend worker --set command="$W" \
	--workers 2 --db "$DB" --quiet
N=$(sq "$DB" "select count(*) from samples where run_id=1")
check "a hundred samples or more" [ "$N" -ge 100 ]
check "all answered" [ "$(sq "$DB" "select count(*) from samples where run_id=1 and error is null")" = "$N" ]
check "answers follow the prompt" [ "$(sq "$DB" "select count(*) from samples where run_id=1 and (prompt like '%green%') = (output = 'yes')")" = "$N" ]
check "gpu peak reported" grep -q "accelerator memory peak 1234 MB" "$T/out"
check "worker cpu reported" grep -q "engine (workers): cpu" "$T/out"
check "latency p99 reported" grep -q "latency p50 .* p99 " "$T/out"
check "not cached first time" [ "$(sq "$DB" "select sum(cached) from samples where run_id=1")" = 0 ]
m1=$(sq "$DB" "select quote(value) from metrics where run_id=1 and name='overall' and subset=''")

# the same evaluation again: every answer from the cache, same metrics
expect_exit 0 "cached rerun" $V run --task synth_vqa --backend worker --set command="$W" \
	--workers 2 --db "$DB" --quiet
check "rerun fully cached" [ "$(sq "$DB" "select sum(cached) from samples where run_id=2")" = "$N" ]
check "cached metrics equal" [ "$(sq "$DB" "select quote(value) from metrics where run_id=2 and name='overall' and subset=''")" = "$m1" ]
check "summary says the run came from the cache" grep -q "cached: $N of $N answers came from the response cache" "$T/out"
check "summary: no latency from the cache, errors by kind" sh -c "grep -q 'latency: not measured (every answer came from the cache)' '$T/out' && grep -q 'errors by kind: none' '$T/out'"
# the report marks the cached run (the latest of this model and task)
expect_exit 0 "report of the worker runs" $V report --db "$DB" --out "$T/rep" --format md,json --no-charts
check "report marks cached" grep -q '| worker \*cached\* |' "$T/rep/report.md"
check "report json: cached, engine memory" python3 -c "
import json; d=json.load(open('$T/rep/report.json')); r=[r for r in d['runs'] if r['run']==2][0]
assert r['cached'] and r['cost']['cached'] == $N and r['cost']['latency_p50_s'] is None, r['cost']
r1=[m for m in d['models'] if m['model']=='worker'][0]
assert r1['cached'], r1"
# speed knobs are not in the cache key (the worker's option table says which
# keys change answers): other worker counts and timeouts still hit the cache
cp "$DB" "$T/knobs.db"
expect_exit 0 "rerun with other speed knobs" $V run --task synth_vqa --backend worker \
	--set command="$W" --workers 1 --set timeout=300 --set max_inflight=2 --concurrency 3 \
	--db "$T/knobs.db" --quiet
check "speed knobs keep the cache" [ "$(sq "$T/knobs.db" "select sum(cached) from samples where run_id=3")" = "$N" ]
# the command is part of the cache key (another engine, other answers), and
# --no-cache bypasses the cache: a worker that exits at start fails the run
expect_exit 4 "no-cache reaches the broken worker" $V run --task synth_pope --backend worker \
	--set command="$W --exit-at-start 9" --no-cache --db "$DB" --quiet
check "fatal message names the command" grep -qi "exit\|status 9" "$T/err"

# a crash on one sample is recorded for that sample only
expect_exit 0 "worker with per-sample errors" $V run --task synth_vqa --backend worker \
	--set command="python3 $ROOT/tests/fixtures/workers/echo_worker.py --mode echo" --db "$DB" --quiet --limit 20

# the template plugin in-process
expect_exit 0 "plugin run" $V run --task synth_pope --backend plugin \
	--set path="$BUILD/libvl_plugin_template.so" --set word=red --db "$DB" --quiet
check "plugin answered all" grep -Eq "samples ([0-9]+)  answered \1  errors 0" "$T/out"
expect_exit 2 "wrong plugin version refused" $V run --task synth_pope --backend plugin \
	--set path="$BUILD/tests/plugins/bad_version.so" --db "$DB" --quiet
check "version named" grep -q "backend API" "$T/err"
finish

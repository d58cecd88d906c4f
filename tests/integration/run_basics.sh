#!/bin/sh
# The run loop as a user meets it: tasks from files, baselines, replay,
# errors that name what is wrong, exit codes, secrets kept out of the log.
. "$(dirname "$0")/helpers.shlib"
mkdir -p "$T/data/pope" "$T/data/coco/val2014" "$T/tasks"
make_pope "$T/data/pope/coco_pope_random.json" 120
DB="$T/r.db"
export VLEVAL_DATA="$T/data"

# oracle: perfect scores, labelled a baseline
expect_exit 0 "oracle run" $V run --task pope_coco_random --backend oracle --db "$DB" --quiet
check "oracle acc is 1" grep -q 'pope/acc .* 1.0000' "$T/out"
check "baseline labelled" grep -q 'BASELINE' "$T/out"
check "120 rows" [ "$(sq "$DB" "select count(*) from samples where run_id=1")" = 120 ]
check "WAL mode" [ "$(sq "$DB" "pragma journal_mode")" = wal ]
check "schema version" [ "$(sq "$DB" "pragma user_version")" -ge 2 ]
check "question stored" [ "$(sq "$DB" "select count(*) from samples where run_id=1 and question like 'Is there a%'")" = 120 ]
check "reference stored" python3 -c "
import json, sqlite3
rows = sqlite3.connect('$DB').execute('select reference from samples where run_id=1').fetchall()
refs = [json.loads(r[0]) for r in rows]
assert len(refs) == 120 and all(r['label'] in ('yes', 'no') for r in refs), refs[:3]"

# constant yes: recall 1, yes ratio 1
expect_exit 0 "constant run" $V run --task pope_coco_random --backend constant --set answer=yes --db "$DB" --quiet --json
check "constant recall" python3 -c "
import json,sys; r=json.load(open('$T/out'))[0]
m={x['name']:x['value'] for x in r['metrics'] if x['subset']==''}
assert m['recall']==1 and m['yes_ratio']==1 and r['baseline'], m"

# replay: re-scores outputs from elsewhere; a missing id is an error, not a wrong answer
awk 'NR <= 100 { printf("{\"id\": \"%d\", \"output\": \"%s\"}\n", NR, (NR % 3) ? "Yes, there is." : "No.") }
     NR == 101 { print "{not json" }' /dev/null > /dev/null
i=1; : > "$T/preds.jsonl"
while [ $i -le 100 ]; do
	if [ $((i % 3)) -eq 0 ]; then a="No."; else a="Yes, there is."; fi
	echo "{\"id\": \"$i\", \"output\": \"$a\"}" >> "$T/preds.jsonl"; i=$((i + 1))
done
echo '{not json' >> "$T/preds.jsonl"
expect_exit 1 "replay with missing predictions exits 1" \
	$V run --task pope_coco_random --backend replay --set predictions="$T/preds.jsonl" --db "$DB" --quiet
check "20 errors recorded" [ "$(sq "$DB" "select count(*) from samples where run_id=3 and error is not null")" = 20 ]
check "error names sample and file" sh -c "sqlite3 '$DB' \"select error from samples where run_id=3 and sample_id='101'\" | grep -q \"no prediction for sample '101'\""
check "bad line named" sh -c "sqlite3 '$DB' \"select error from samples where run_id=3 and sample_id='101'\" | grep -q 'line 101'"
check "errors are not scored" [ "$(sq "$DB" "select n from metrics where run_id=3 and name='acc' and subset=''")" = 100 ]

# backend configuration errors: a clear message and exit 2, never a crash
expect_exit 2 "openai without a server" env -u OPENAI_BASE_URL $V run --task pope_coco_random --backend openai --db "$DB"
check "no-server message" grep -q "no server: give --base-url" "$T/err"
expect_exit 2 "openai with an unset key variable" $V run --task pope_coco_random --backend openai \
	--base-url http://127.0.0.1:9/v1 --api-key-env VLEVAL_NO_SUCH_KEY_VAR --db "$DB"
check "unset key variable named" grep -q "VLEVAL_NO_SUCH_KEY_VAR" "$T/err"
expect_exit 2 "worker without a command" $V run --task pope_coco_random --backend worker --db "$DB"
expect_exit 2 "plugin without a path" $V run --task pope_coco_random --backend plugin --db "$DB"
expect_exit 2 "replay without predictions" $V run --task pope_coco_random --backend replay --db "$DB"
check "replay message" grep -q "predictions=FILE" "$T/err"

# unknown task and backend: exit 2 with suggestions
expect_exit 2 "unknown task" $V run --task pope_coco_randon --backend oracle --db "$DB"
check "did you mean task" grep -q "did you mean 'pope_coco_random'" "$T/err"
expect_exit 2 "unknown backend" $V run --task pope_coco_random --backend oracel --db "$DB"
check "did you mean backend" grep -q "did you mean 'oracle'" "$T/err"

# a missing data file names the expected path
expect_exit 2 "missing data" $V run --task pope_coco_popular --backend oracle --db "$DB" --quiet
check "expected path named" grep -q "coco_pope_popular.json" "$T/err"

# a malformed dataset line is skipped and reported; --strict stops
cat > "$T/tasks/mini.json" <<'JSON'
{ "name": "mini", "family": "vqa", "version": 1,
  "dataset": { "format": "jsonl", "path": "mini.jsonl" },
  "prompt": "{question}", "extract": "short", "metrics": ["exact_match"] }
JSON
printf '%s\n' '{"id": "a", "question": "2+2?", "answers": ["4"]}' '{"id": "b", "question": 5}' \
	'{"id": "c", "question": "capital of France?", "answer": "Paris"}' '{"id": "a", "question": "dup"}' > "$T/data/mini.jsonl"
expect_exit 1 "bad records exit 1" $V run --task mini --tasks-dir "$T/tasks" --backend oracle --db "$DB" --quiet
check "bad line named" grep -q "mini.jsonl' line 2: missing or invalid \"question\"" "$T/err"
check "duplicate named" grep -q "duplicate sample id 'a'" "$T/err"
check "two good samples" grep -q "answered 2 " "$T/out"
expect_exit 4 "strict stops" $V run --task mini --tasks-dir "$T/tasks" --backend oracle --db "$DB" --quiet --strict

# a malformed task file names the file and key
echo '{ "name": "broken", "family": "vqa", "prompt": "{questoin}", "extract": "short", "metrics": ["exact_match"], "dataset": {"format": "jsonl", "path": "x"} }' > "$T/tasks/broken.json"
expect_exit 0 "tasks lists with a warning" $V tasks --tasks-dir "$T/tasks"
check "broken task named" grep -q "broken.json.*unknown placeholder '{questoin}'" "$T/err"

# secrets never accepted on the command line, never stored
expect_exit 2 "api key refused in --set" $V run --task mini --tasks-dir "$T/tasks" --backend oracle --set api_key=sk-secret123 --db "$DB"
check "secret not in db" sh -c "! grep -q 'sk-secret123' '$DB'"

# runs / show / --version / help
expect_exit 0 "runs" $V runs --db "$DB"
check "runs lists 6" [ "$(grep -c pope_coco_random "$T/out")" -ge 3 ]
expect_exit 0 "show errors" $V show 3 --errors --db "$DB"
check "show lists failed" grep -q "ERROR no prediction" "$T/out"
expect_exit 0 "version" $V --version
expect_exit 0 "help run" $V help run
check "help lists --resume" grep -q -- "--resume" "$T/out"
expect_exit 2 "unknown command" $V rnu
check "did you mean run" grep -q "did you mean 'run'" "$T/err"
# the three splits pooled in one run: per-split breakdown plus the pooled overall
make_pope "$T/data/pope/coco_pope_popular.json" 60
make_pope "$T/data/pope/coco_pope_adversarial.json" 30
expect_exit 0 "pooled POPE" $V run --task pope_coco --backend constant --db "$DB" --quiet --json
check "pooled n" python3 -c "
import json; r=json.load(open('$T/out'))[0]
m={(x['name'], x['subset']): x for x in r['metrics']}
assert m[('acc', '')]['n'] == 210 and m[('acc', 'split=popular')]['n'] == 60, m
assert m[('acc', 'split=adversarial')]['n'] == 30"
check "ids carry the split" [ "$(sq "$DB" "select count(*) from samples where sample_id like 'popular/%'")" = 60 ]

finish

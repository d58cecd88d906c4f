#!/bin/sh
# The command line as a user meets it: task groups, globs and any-case
# names; patterns that select nothing; options given twice; data checked
# before a run row exists; the same command line resumed; exit codes in
# every --help.
. "$(dirname "$0")/helpers.shlib"
mkdir -p "$T/data/pope"
for s in random popular adversarial; do make_pope "$T/data/pope/coco_pope_$s.json" 30; done
DB="$T/c.db"

# groups, globs, any case
expect_exit 0 "tasks pope" $V tasks pope
check "pope group is the three COCO splits" [ "$(grep -c '^pope_coco_' "$T/out")" = 3 ]
check "pope group has no other POPE task" sh -c "! grep -q '^pope_\(aokvqa\|gqa\)\|^pope_coco ' '$T/out'"
expect_exit 0 "tasks glob" $V tasks 'refcoco*'
check "glob selects refcoco, refcoco+ and refcocog" [ "$(grep -c '^refcoco' "$T/out")" -ge 8 ]
expect_exit 0 "tasks any case" $V tasks POPE_COCO_RANDOM
check "any-case name" grep -q '^pope_coco_random ' "$T/out"
expect_exit 0 "tasks family prefix" $V tasks mmbench
check "prefix selects mmbench_dev_en" grep -q '^mmbench_dev_en ' "$T/out"
expect_exit 2 "a pattern selecting nothing" $V tasks synth_pop
check "nothing-selected message" grep -q "no task, group or glob matches 'synth_pop'" "$T/err"
check "suggestion" grep -q "did you mean" "$T/err"

# a task present only when every file it names is there (nested lists too)
expect_exit 0 "tasks with data" $V tasks pope_coco --data-dir "$T/data"
check "images missing: not present" grep -q 'missing' "$T/out"
check "missing image folder named" grep -q "coco/val2014" "$T/out"

# run: groups expand, repeated --task merges
expect_exit 0 "run a group" $V run --task pope --backend oracle --data-dir "$T/data" --db "$DB" --quiet
check "three runs" [ "$(sq "$DB" "select count(*) from runs")" = 3 ]
expect_exit 0 "repeated --task merges" $V run --task pope_coco_random --task 'pope_coco_pop*' \
	--task pope_coco_random --backend oracle --data-dir "$T/data" --db "$DB" --quiet
check "two more runs, no repeat" [ "$(sq "$DB" "select count(*) from runs")" = 5 ]

# single-valued options given twice
expect_exit 2 "backend given twice" $V run --task pope --backend oracle --backend random --data-dir "$T/data" --db "$DB"
check "twice message" grep -q -- "--backend given twice ('oracle' and 'random')" "$T/err"
expect_exit 0 "same value twice is fine" $V run --task pope_coco_random --backend oracle --backend oracle \
	--data-dir "$T/data" --db "$DB" --quiet

# missing data: refused before any run row, with a hint
n=$(sq "$DB" "select count(*) from runs")
expect_exit 2 "missing data refused" env -u VLEVAL_DATA $V run --task pope_gqa_random --backend oracle --db "$DB"
check "missing file named" grep -q "pope/output/seem/gqa" "$T/err"
check "data root hint" grep -q "VLEVAL_DATA is not set" "$T/err"
check "no run row for missing data" [ "$(sq "$DB" "select count(*) from runs")" = "$n" ]

# the same command line with --resume appended
expect_exit 0 "resume with the same command line" $V run --task pope_coco_random --backend oracle \
	--data-dir "$T/data" --db "$DB" --quiet --resume last
expect_exit 2 "resume naming another task" $V run --task pope_coco_popular --backend oracle \
	--data-dir "$T/data" --db "$DB" --quiet --resume last
check "resume task mismatch named" grep -q "drop --task to resume it" "$T/err"
expect_exit 2 "resume naming another backend" $V run --task pope_coco_random --backend random \
	--data-dir "$T/data" --db "$DB" --quiet --resume last
check "resume backend mismatch named" grep -q "drop --backend to resume it" "$T/err"

# a resume keeps every setting of the run: intervals and price as before
R="$T/r.db"
mkdir -p "$T/data/coco/val2014"
expect_exit 0 "run with settings" $V run --task pope_coco_random --backend random --set seed=5 \
	--data-dir "$T/data" --db "$R" --ci-level 0.5 --resamples 200 --seed 3 --concurrency 3 \
	--quiet
check "header names the 50% level" grep -q "50% CI" "$T/out"
before=$(sq "$R" "select group_concat(metric||name||subset||quote(value)||quote(ci_low)||quote(ci_high), ';') from metrics")
sq "$R" "delete from metrics; delete from samples where idx % 3 = 0; update runs set status='interrupted'"
expect_exit 0 "resume without the settings" $V run --resume last --db "$R" --quiet --concurrency 2
after=$(sq "$R" "select group_concat(metric||name||subset||quote(value)||quote(ci_low)||quote(ci_high), ';') from metrics")
check "resumed intervals equal the original's" [ "$before" = "$after" ]
check "resumed header keeps the level" grep -q "50% CI" "$T/out"
expect_exit 2 "resume changing the seed" $V run --resume last --db "$R" --seed 4
check "seed change named" grep -q -- "--seed 3; a resume keeps it" "$T/err"
expect_exit 2 "resume changing an answer-changing key" $V run --resume last --db "$R" --set seed=6
check "set change named" grep -q -- "--set seed=" "$T/err"
expect_exit 2 "resume changing --max-image-side" $V run --resume last --db "$R" --max-image-side 64
check "dedicated flag change named" grep -q -- "--set max_image_side=" "$T/err"
expect_exit 0 "resume with the stored values given again" $V run --resume last --db "$R" \
	--seed 3 --resamples 200 --ci-level 0.5 --set seed=5 --quiet

# show --samples: question and reference beside the output; --wrong
expect_exit 0 "show --samples --wrong" $V show last --db "$R" --samples --wrong
check "question shown" grep -q "question:  Is there a thing" "$T/out"
check "reference shown" grep -q 'reference: {"label":' "$T/out"
$V show last --db "$R" --samples --json > "$T/all.json"
$V show last --db "$R" --samples --wrong --json > "$T/wrong.json"
check "--wrong keeps exactly the samples scored below the best" python3 - "$T/all.json" "$T/wrong.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["samples"]; w = json.load(open(sys.argv[2]))["samples"]
best = max(s["score"] for s in a if s["score"] is not None)
want = sorted(s["id"] for s in a if s["error"] or not s["parse_ok"] or (s["score"] is not None and s["score"] < best))
assert 0 < len(want) < len(a), (len(want), len(a))
assert sorted(s["id"] for s in w) == want
assert all("reference" in s and "question" in s for s in w)
PY

# an unwritable submission path is refused before the first request
n=$(sq "$DB" "select count(*) from runs")
expect_exit 2 "submission into a missing folder" $V run --task pope_coco_random --backend oracle \
	--data-dir "$T/data" --db "$DB" --submission "$T/nothere/sub.json"
check "submission error named" grep -q "sub.json' cannot be written: its folder does not exist" "$T/err"
check "no run for an unwritable submission" [ "$(sq "$DB" "select count(*) from runs")" = "$n" ]

# --json failures print a JSON error object, never nothing or []
expect_exit 2 "run --json with missing data" env -u VLEVAL_DATA $V run --task pope_gqa_random --backend oracle --db "$DB" --json
check "run --json error object" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['exit_code']==2 and 'missing' in d['error']" "$T/out"
expect_exit 2 "validate --json unknown task" $V validate --task nope --json
check "validate --json error object" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert 'unknown task' in d['error']" "$T/out"

# every --help states the exit codes
# a run log that holds no run yet (a resume of a run it does not have
# creates the log): show last says the log is empty, runs lists nothing
expect_exit 2 "resume of a run a new log lacks" $V run --resume 1 --db "$T/empty.db"
check "the new log exists" [ -s "$T/empty.db" ]
expect_exit 2 "show last on an empty log" $V show last --db "$T/empty.db"
check "show last: the log is empty" grep -q "run log '$T/empty.db' is empty: it holds no run yet" "$T/err"
expect_exit 0 "runs on an empty log" $V runs --db "$T/empty.db"

for c in run score runs show tasks backends validate demo; do
	expect_exit 0 "$c --help" $V $c --help
	check "$c --help states exit codes" grep -q "exit status: 0 success" "$T/out"
done
finish

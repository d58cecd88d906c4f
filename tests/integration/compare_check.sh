#!/bin/sh
# `vleval compare` and `vleval check` on crafted pairs of runs: McNemar's
# counts and p-value against the rows themselves, determinism, refusals
# (different sample sets, task versions), corpus metrics, and check's exit
# codes 0 / 1 / 2 against a baseline run and a report JSON file.
. "$(dirname "$0")/helpers.shlib"
mkdir -p "$T/data/pope" "$T/tasks"
make_pope "$T/data/pope/coco_pope_random.json" 300
export VLEVAL_DATA="$T/data" VLEVAL_DB="$T/c.db"
$V run --task pope_coco_random --backend random --set seed=1 --quiet >/dev/null   # run 1
$V run --task pope_coco_random --backend oracle --quiet >/dev/null                # run 2
$V run --task pope_coco_random --backend random --set seed=2 --quiet >/dev/null   # run 3
$V run --task pope_coco_random --backend random --set seed=1 --limit 100 --quiet >/dev/null  # run 4

expect_exit 0 "compare random with random" $V compare 1 3 --json
cp "$T/out" "$T/c13.json"
# the discordant pairs counted from the rows, and McNemar's exact p of them
b=$(sq "$T/c.db" "select count(*) from samples x join samples y on x.sample_id = y.sample_id where x.run_id = 1 and y.run_id = 3 and x.score = 1 and y.score = 0")
c=$(sq "$T/c.db" "select count(*) from samples x join samples y on x.sample_id = y.sample_id where x.run_id = 1 and y.run_id = 3 and x.score = 0 and y.score = 1")
check "McNemar counts and exact p" python3 - "$T/c13.json" "$b" "$c" <<'PY'
import json, sys
from fractions import Fraction
from math import comb
r = json.load(open(sys.argv[1])); b, c = int(sys.argv[2]), int(sys.argv[3])
acc = [m for m in r["metrics"] if m["name"] == "acc"][0]
assert acc["test"] == "mcnemar", acc
assert acc["discordant"] == {"right_only_a": b, "right_only_b": c}, (acc, b, c)
n, k = b + c, min(b, c)
p = min(1.0, float(2 * Fraction(sum(comb(n, i) for i in range(k + 1)), 2 ** n)))
assert abs(acc["p"] - p) <= 1e-12 * p, (acc["p"], p)
assert abs(acc["diff"] - (acc["b"] - acc["a"])) < 1e-15
assert acc["ci_low"] < acc["diff"] < acc["ci_high"]
f1 = [m for m in r["metrics"] if m["name"] == "f1"][0]
assert f1["test"] == "bootstrap" and 0 < f1["p"] <= 1, f1
assert r["pairs"] == 300 and r["flips"]["right_to_wrong"]["count"] == b
assert r["flips"]["wrong_to_right"]["count"] == c
s = r["flips"]["right_to_wrong"]["samples"][0]
assert s["question"].startswith("Is there") and s["reference"]["label"] in ("yes", "no")
PY
expect_exit 0 "compare again" $V compare 1 3 --json
check "same seed, same numbers" cmp -s "$T/out" "$T/c13.json"
expect_exit 0 "another seed" $V compare 1 3 --json --seed 5
check "another seed, other intervals" sh -c "! cmp -s '$T/out' '$T/c13.json'"
expect_exit 0 "compare text" $V compare 1 2 --metric acc
check "text names the test" grep -q "McNemar exact (0 vs 143 discordant)" "$T/out"
check "--metric keeps one value" [ "$(grep -c '^  pope/' "$T/out")" = 1 ]
check "flips listed with outputs" grep -q "wrong in run 1, right in run 2 (pope): 143" "$T/out"

expect_exit 2 "different sample sets refused" $V compare 1 4
check "refusal says how many and --intersect" grep -q "200 only in run 1 (e.g. '101').*--intersect" "$T/err"
expect_exit 0 "--intersect compares the shared samples" $V compare 1 4 --intersect --json
check "100 pairs" python3 -c "import json; r = json.load(open('$T/out')); assert r['pairs'] == 100 and r['only_a'] == 200, r"

# a task definition of another version under the same name
python3 - "$T" <<'PY'
import json, sys
t = {"name": "pope_coco_random", "family": "hallucination", "version": 2,
     "dataset": {"format": "pope", "questions": "pope/coco_pope_random.json", "images": "coco/val2014"},
     "prompt": "{question} Answer yes or no.", "extract": "yesno", "metrics": ["pope"]}
json.dump(t, open(sys.argv[1] + "/tasks/pope_v2.json", "w"))
PY
VLEVAL_TASKS="$T/tasks" $V run --task pope_coco_random --backend oracle --quiet >/dev/null  # run 5
expect_exit 2 "different task versions refused" $V compare 2 5
check "versions named" grep -q "versions 1 and 2" "$T/err"
expect_exit 2 "one run id" $V compare 1
expect_exit 2 "unknown run" $V compare 1 99

# a corpus metric: CIDEr and BLEU re-finished on each resample
mkdir -p "$T/data/cap"
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
with open(t + "/data/cap/cap.jsonl", "w") as f:
    for i in range(40):
        f.write(json.dumps({"id": "c%d" % i, "image": "%d.png" % i, "question": "caption",
                            "captions": ["a red square on white", "a square", "red shape %d" % (i % 4)]}) + "\n")
json.dump({"name": "cap_small", "family": "caption", "version": 1,
           "dataset": {"format": "jsonl", "path": "cap/cap.jsonl", "images": "cap"},
           "prompt": "Caption.", "extract": "none", "metrics": ["caption"],
           "choices": ["a red square", "a blue circle", "red shape 1", "a square on white"]},
          open(t + "/tasks/cap_small.json", "w"))
PY
VLEVAL_TASKS="$T/tasks" $V run --task cap_small --backend random --set seed=1 --quiet >/dev/null  # run 6
VLEVAL_TASKS="$T/tasks" $V run --task cap_small --backend random --set seed=2 --quiet >/dev/null  # run 7
expect_exit 0 "compare captions" $V compare 6 7 --json
check "CIDEr by the paired bootstrap" python3 -c "
import json; r = json.load(open('$T/out'))
m = {x['name']: x for x in r['metrics']}
assert m['CIDEr']['test'] == 'bootstrap' and m['CIDEr']['ci_low'] <= m['CIDEr']['diff'] <= m['CIDEr']['ci_high'], m
assert r['flips'] is None"

# check: 0 pass, 1 regression, 2 usage
expect_exit 0 "oracle checked against random: passes" $V check --baseline 1 --run 2
check "table printed" grep -q "pope/f1 .* ok" "$T/out"
expect_exit 1 "random checked against oracle: regression" $V check --baseline 2 --run 1
check "regression shown" grep -q "pope/f1 .* REGRESSION" "$T/out"
expect_exit 0 "random vs random: not significant" $V check --baseline 1 --run 3
# of the two random runs, hi has the higher F1
set -- $(python3 -c "
import json; m = {x['name']: x for x in json.load(open('$T/c13.json'))['metrics']}
print('1 3' if m['f1']['a'] > m['f1']['b'] else '3 1')")
hi=$1 lo=$2
expect_exit 1 "any F1 drop with --max-drop 0" $V check --baseline $hi --run $lo --max-drop 0 --metric f1
expect_exit 0 "a rise with --max-drop 0" $V check --baseline $lo --run $hi --max-drop 0 --metric f1
expect_exit 0 "a drop within --max-drop" $V check --baseline $hi --run $lo --max-drop 0.2
expect_exit 1 "--format md" $V check --baseline 2 --run 1 --format md
check "markdown table" grep -q '^| pope/f1 | 1.0000 | ' "$T/out"
check "markdown verdict" grep -q '\*\*regression\*\*' "$T/out"
expect_exit 2 "no --baseline" $V check --run 1
expect_exit 2 "baseline neither file nor run" $V check --baseline nothere.json
expect_exit 2 "baseline of another task" $V check --baseline 6 --run 1
expect_exit 2 "bad --alpha" $V check --baseline 1 --alpha 2

# a baseline run kept in a run log of its own
cp "$T/c.db" "$T/base.db"
VLEVAL_DB="$T/new.db" $V run --task pope_coco_random --backend random --set seed=1 --quiet >/dev/null
expect_exit 1 "--baseline-db: worse than the oracle kept apart" \
	$V check --baseline 2 --baseline-db "$T/base.db" --db "$T/new.db"
expect_exit 0 "--baseline-db: same as the random run kept apart" \
	$V check --baseline 1 --baseline-db "$T/base.db" --db "$T/new.db"
expect_exit 0 "compare --db-a" $V compare --db-a "$T/base.db" --db "$T/new.db" 3 1 --json
check "runs of two logs compared" python3 -c "
import json; r = json.load(open('$T/out')); assert r['pairs'] == 300 and r['a']['run'] == 3 and r['b']['run'] == 1, r"

# a baseline file as `vleval report --format json` writes it
$V report --runs 1 --format json --out "$T/rep" --quiet --no-charts
expect_exit 0 "file baseline: better run passes" $V check --baseline "$T/rep/report.json" --run 2
expect_exit 1 "file baseline: worse run fails" $V check --baseline "$T/rep/report.json" --run 3 --max-drop 0.001
expect_exit 2 "file baseline takes no --alpha" $V check --baseline "$T/rep/report.json" --run 2 --alpha 0.05
expect_exit 2 "file baseline of another task" $V check --baseline "$T/rep/report.json" --run 6
echo '{"runs": 3}' > "$T/bad.json"
expect_exit 2 "not a report" $V check --baseline "$T/bad.json" --run 2
finish

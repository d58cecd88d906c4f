#!/bin/sh
# vleval report: ranking, refusal to rank runs that are not comparable,
# escaping of model output and names, every format, the run selector, and a
# report without gnuplot.
. "$(dirname "$0")/helpers.shlib"
mkdir -p "$T/data/pope" "$T/v2" "$T/p2"
make_pope "$T/data/pope/coco_pope_random.json" 120
DB="$T/r.db"
export VLEVAL_DATA="$T/data"
R="$V run --task pope_coco_random --db $DB --quiet"

# predictions: right on every id but those divisible by k; two wrong ones carry markup
preds() { # FILE K
	awk -v k="$2" 'BEGIN { for (i = 1; i <= 120; i++) {
		right = (i % 2) ? "Yes" : "No"; wrong = (i % 2) ? "No" : "Yes"
		out = (i % k == 0) ? wrong : right
		if (i == 4) out = "<script>alert(1)</script> Yes"
		if (i == 8) out = "\\\"><img src=x onerror=alert(2)> Yes"
		printf("{\"id\": \"%d\", \"output\": \"%s\"}\n", i, out) } }' > "$1"
}
preds "$T/good.jsonl" 10     # 90% right
preds "$T/bad.jsonl" 3       # 67% right
$R --backend oracle >/dev/null
$R --backend random --set seed=1 >/dev/null
$R --backend replay --model good-model --set predictions="$T/good.jsonl" >/dev/null
$R --backend replay --model 'bad<b>model</b>' --set predictions="$T/bad.jsonl" >/dev/null
# the same model again, older run first: only the latest counts (this one
# with a measurable latency, for the latency chart)
$R --backend replay --model good-model --set predictions="$T/good.jsonl" --set delay_ms=1 >/dev/null
# a new task version, and another prompt: not comparable with the others
sed 's/"version": 1/"version": 2/' "${VLEVAL_ROOT:-.}/bench/tasks/pope_coco_random.json" > "$T/v2/pope_coco_random.json"
sed 's/Answer yes or no\./Reply with one word./' "${VLEVAL_ROOT:-.}/bench/tasks/pope_coco_random.json" > "$T/p2/pope_coco_random.json"
$R --backend replay --model v2-model --set predictions="$T/good.jsonl" --tasks-dir "$T/v2" >/dev/null
$R --backend replay --model prompt-model --set predictions="$T/good.jsonl" --tasks-dir "$T/p2" >/dev/null

expect_exit 0 "report in every format" $V report --db "$DB" --out "$T/rep" --format md,html,csv,json
for f in report.md report.html report.csv report.json; do
	check "$f written" [ -s "$T/rep/$f" ]
done
MD="$T/rep/report.md"
check "stdout lists the files" grep -q "report.html" "$T/out"

# ranking: good-model (f1 ~0.9) above bad model; baselines marked and not ranked
check "good-model ranked 1" grep -q '^| 1 | good-model |' "$MD"
check "bad model ranked 2, escaped" grep -q '^| 2 | bad&lt;b&gt;model&lt;/b&gt; |' "$MD"
check "oracle marked baseline, no rank" grep -q '^| - | oracle \*baseline\* |' "$MD"
check "random marked baseline" grep -q '^| - | random \*baseline\* |' "$MD"
check "one row for good-model (latest run only)" [ "$(grep -c '^| [0-9-]* | good-model |' "$MD")" = 1 ]
check "latest good-model run (5) shown" python3 - "$T/rep/report.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
runs = {r["model"]: r for r in d["runs"]}
assert runs["good-model"]["run"] == 5, runs["good-model"]
assert 3 not in [r["run"] for r in d["runs"]]
EOF
# refusal to rank mismatched runs, with the reason
check "v2 run not ranked: task version" grep -q '^| v2-model | pope\\_coco\\_random | 6 | .* | task version 2; the ranked runs have 1 |' "$MD"
check "prompt run not ranked: prompt" grep -q '^| prompt-model | pope\\_coco\\_random | 7 | .* | another prompt than the ranked runs |' "$MD"
check "unranked runs not in the leaderboard" sh -c "! grep -q '^| [0-9-]* | v2-model |' '$MD'"

# the JSON baseline shape: headline value, interval, n, task version, metric
check "json shape" python3 - "$T/rep/report.json" "$DB" <<'EOF'
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
assert d["vleval_report"] == 1
assert [t["task"] for t in d["tasks"]] == ["pope_coco_random"]
assert d["tasks"][0]["metric"] == "pope" and d["tasks"][0]["name"] == "f1"
for r in d["runs"]:
    for k in ("run", "task", "task_version", "model", "metric", "name", "value", "ci_low", "ci_high", "n", "ranked", "reason"):
        assert k in r, (k, r)
    v, lo, hi, n = db.execute("select value, ci_low, ci_high, n from metrics where run_id=? and metric='pope' and name='f1' and subset=''", (r["run"],)).fetchone()
    assert (r["value"], r["ci_low"], r["ci_high"], r["n"]) == (v, lo, hi, n), (r, v, lo, hi, n)
byname = {r["model"]: r for r in d["runs"]}
assert byname["v2-model"]["task_version"] == 2 and not byname["v2-model"]["ranked"]
assert byname["good-model"]["ranked"] and byname["good-model"]["reason"] is None
models = [m["model"] for m in d["models"]]
assert models.index("good-model") < models.index("bad<b>model</b>"), models
assert d["models"][models.index("good-model")]["rank"] == 1
assert d["models"][models.index("oracle")]["rank"] is None and d["models"][models.index("oracle")]["baseline"]
EOF

# CSV: one row per run, RFC 4180 quoting keeps the markup as data
check "csv rows" python3 - "$T/rep/report.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 6, len(rows)
names = {r["model"] for r in rows}
assert "bad<b>model</b>" in names, names
good = [r for r in rows if r["model"] == "good-model"][0]
assert good["rank"] == "1" and good["ranked"] == "1" and good["run"] == "5"
v2 = [r for r in rows if r["model"] == "v2-model"][0]
assert v2["ranked"] == "0" and "task version 2" in v2["reason"]
EOF

# escaping: model output with markup shows as text in HTML and Markdown
H="$T/rep/report.html"
check "html has no raw script from a prediction" sh -c "! grep -q '<script>alert' '$H'"
check "html has no raw img from a prediction" sh -c "! grep -q '<img src=x' '$H'"
check "html shows the script as text" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$H"
check "html shows the img as text" grep -q '&quot;&gt;&lt;img src=x onerror=alert(2)&gt;' "$H"
check "html escapes the model name" grep -q 'bad&lt;b&gt;model&lt;/b&gt;' "$H"
check "html has no <b>model" sh -c "! grep -q 'bad<b>model' '$H'"
check "html has no script element at all" sh -c "! grep -qi '<script' '$H'"
check "md shows the script as text" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$MD"
check "md has no raw script" sh -c "! grep -q '<script>' '$MD'"

# charts: PNGs beside the Markdown, SVG inline in the HTML (when gnuplot is here)
if command -v gnuplot >/dev/null 2>&1; then
	check "score chart png" [ -s "$T/rep/chart-scores.png" ]
	check "latency chart png" [ -s "$T/rep/chart-latency.png" ]
	check "png is a PNG" sh -c "head -c 8 '$T/rep/chart-scores.png' | od -An -c | grep -q 'P   N   G'"
	check "md links the chart" grep -q '](chart-scores.png)' "$MD"
	check "html inlines svg" grep -q '<svg' "$H"
	check "html links no chart file" sh -c "! grep -q 'chart-scores.png' '$H'"
fi

# without gnuplot: the report is written and says why there are no charts
expect_exit 0 "report without gnuplot" env VLEVAL_GNUPLOT=/nonexistent/gnuplot $V report --db "$DB" --out "$T/nog" --format md,html
check "md says no charts" grep -q 'Charts not drawn: gnuplot was not found' "$T/nog/report.md"
check "html says no charts" grep -q 'id=no-charts' "$T/nog/report.html"
check "no png without gnuplot" sh -c "! ls '$T/nog'/*.png >/dev/null 2>&1"
check "warning names gnuplot" grep -q 'no charts: gnuplot was not found' "$T/err"
mkdir -p "$T/bin"; for p in sh env awk; do ln -s "$(command -v $p)" "$T/bin/$p"; done
expect_exit 0 "report with gnuplot off PATH" env PATH="$T/bin" $V report --db "$DB" --out "$T/nog2" --format md
check "PATH without gnuplot: said" grep -q 'gnuplot was not found on PATH' "$T/nog2/report.md"
check "leaderboard still there" grep -q '^| 1 | good-model |' "$T/nog2/report.md"

# the selector
expect_exit 0 "select by model glob" $V report --db "$DB" --out "$T/sel" --runs 'model=good*' --format json --no-charts
check "only good-model" python3 -c "
import json; d=json.load(open('$T/sel/report.json')); assert [r['model'] for r in d['runs']] == ['good-model'], d['runs']"
expect_exit 0 "select by ids" $V report --db "$DB" --out "$T/sel2" --runs '1-3' --format json --no-charts
check "ids 1-3, run 3 is good-model's latest there" python3 -c "
import json; d=json.load(open('$T/sel2/report.json')); assert sorted(r['run'] for r in d['runs']) == [1, 2, 3], d['runs']"
expect_exit 0 "select by date" $V report --db "$DB" --out "$T/sel3" --runs 'until=2000-01-01' --format md --no-charts
check "nothing before 2000" grep -q 'No finished runs matched' "$T/sel3/report.md"
expect_exit 2 "bad selector" $V report --db "$DB" --out "$T/x" --runs 'foo'
check "bad selector message" grep -q "unknown run selector 'foo'" "$T/err"
expect_exit 2 "bad format" $V report --db "$DB" --out "$T/x" --format pdf
check "bad format message" grep -q "unknown report format 'pdf'" "$T/err"

# prices: a prices.json fills in the price of runs that logged none, marked as an estimate
printf '{"good-model": {"input": 1.0, "output": 2.0}}\n' > "$T/prices.json"
sqlite3 "$DB" "update runs set prompt_tokens = 1000000, completion_tokens = 500000 where id = 5"
expect_exit 0 "report with prices" $V report --db "$DB" --out "$T/pr" --format json --prices "$T/prices.json" --no-charts
check "price from prices.json" python3 -c "
import json; d=json.load(open('$T/pr/report.json')); r=[r for r in d['runs'] if r['run']==5][0]
assert r['cost']['price_estimate'] == 2.0 and r['cost']['price_source'] == 'prices.json', r['cost']"
printf '{"good-model": {"input": "x"}}\n' > "$T/badprices.json"
expect_exit 2 "bad prices file" $V report --db "$DB" --out "$T/x" --prices "$T/badprices.json"
finish

#!/bin/sh
# `vleval score ocrbench` on the file OCRBench's example.py saves: every
# number of tests/fixtures/reference/published/ocrbench/official/expected.json
# (the ten type scores, Text Recognition, the final score, each item's
# result) and the printed text byte for byte; then a file with fewer items
# prints per-dataset accuracies, as example.py does.
V=${VLEVAL_BIN:-./vleval}
R=${VLEVAL_ROOT:-.}/tests/fixtures/reference/published/ocrbench/official
T=$(mktemp -d "${TMPDIR:-/tmp}/vleval-ocr.XXXXXX")
trap 'rm -rf "$T"' EXIT
NFAIL=0
fail() { echo "FAIL: $*" >&2; NFAIL=$((NFAIL + 1)); }

"$V" score ocrbench --results "$R/synthetic.json" --json >"$T/a.json" || fail "json run"
python3 - "$R/expected.json" "$T/a.json" <<'PY' || fail "numbers differ"
import json, sys
exp, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = [k for k, v in exp["category_scores"].items() if got.get(k) != v]
if got["Text Recognition"] != exp["text_recognition"]: bad.append("Text Recognition")
if got["Final Score"] != exp["final_score"]: bad.append("Final Score")
if got["per_item_result"] != exp["per_item_result"]: bad.append("per_item_result")
print("differ:", bad, file=sys.stderr) if bad else None
sys.exit(1 if bad else 0)
PY
"$V" score ocrbench --results "$R/synthetic.json" >"$T/text" || fail "text run"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["stdout"] != open(sys.argv[2]).read())' \
	"$R/expected.json" "$T/text" || fail "printed text differs from example.py's"

"$V" score ocrbench --results "$R/synthetic.json" --json --resamples 200 >"$T/ci.json" || fail "ci run"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); lo,hi=d["ci"]["Final Score"]; sys.exit(not lo <= d["Final Score"] == 666 <= hi)' \
	"$T/ci.json" || fail "interval around the final score"

# 3 items, one without predict: per-dataset accuracy over all 3 (example.py
# counts unscored items in num_all)
python3 - "$R/synthetic.json" "$T/small.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))[:3]
del d[2]["predict"]
json.dump(d, open(sys.argv[2], "w"))
PY
"$V" score ocrbench --results "$T/small.json" >"$T/small" 2>"$T/err" || fail "small run"
grep -q '^IIIT5K: 0.6666666666666666$' "$T/small" || fail "per-dataset line: $(cat "$T/small")"
grep -q '1 of 3 items have no "predict"' "$T/err" || fail "skipped item not reported"
echo '{"a": 1}' >"$T/bad.json"
"$V" score ocrbench --results "$T/bad.json" 2>"$T/err" && fail "object accepted"
grep -q "bad.json' is not a JSON array" "$T/err" || fail "bad file error: $(cat "$T/err")"

[ "$NFAIL" -eq 0 ] && echo "ok" || { echo "$NFAIL checks failed"; exit 1; }

#!/bin/sh
# `vleval score mmmu` on the official layouts: every number of
# tests/fixtures/reference/published/mmmu/expected.json (per-subject result,
# print_results.py's table and its text, the unrounded domain and overall
# values, each item's parsed prediction and judgement, the seeded random
# fallback draws), main_eval_only.py's results from total_output.json, and
# the parse-failure report; --fallback wrong never draws.
V=${VLEVAL_BIN:-./vleval}
R=${VLEVAL_ROOT:-.}/tests/fixtures/reference/published/mmmu
T=$(mktemp -d "${TMPDIR:-/tmp}/vleval-mmmu.XXXXXX")
trap 'rm -rf "$T"' EXIT
NFAIL=0
fail() { echo "FAIL: $*" >&2; NFAIL=$((NFAIL + 1)); }

"$V" score mmmu --outputs "$R/outputs" --json --per-sample >"$T/a.json" 2>"$T/a.err" || fail "outputs run"
grep -q "parse failures: 51 of 180 multiple-choice answers" "$T/a.err" || fail "parse failures not reported"
"$V" score mmmu --total "$R/total_output.json" --answers "$R/answer_dict.json" --json >"$T/b.json" 2>/dev/null ||
	fail "eval-only run"
"$V" score mmmu --outputs "$R/outputs" --fallback wrong --json >"$T/c.json" 2>/dev/null || fail "wrong run"
python3 - "$R/expected.json" "$T/a.json" "$T/b.json" "$T/c.json" <<'PY' || fail "numbers differ"
import json, sys
e, a, b, c = (json.load(open(p)) for p in sys.argv[1:5])
bad = []
if a["per_category"] != e["per_category"]: bad.append("per_category")
if a["printable_results"] != e["print_results_table"]: bad.append("print_results_table")
if b["printable_results"] != e["eval_only_printable_results"]: bad.append("eval_only")
if a["random_fallback_draws"] != e["random_fallback_draws"]: bad.append("draws")
u = e["unrounded"]
for k, v in u.items():
    if a["unrounded"][k.split(" (")[0]] != v: bad.append(k)
def norm(p):
    if not isinstance(p, list): return p
    return sorted(repr(float(x)) if isinstance(x, (int, float)) else x for x in p)
for k, v in e["per_item"].items():
    w = a["per_item"][k]
    if norm(v["parsed_pred"]) != norm(w["parsed_pred"]) or v["judge"] != w["judge"] or \
       v.get("random_fallback", False) != w.get("random_fallback", False):
        bad.append(k)
if a["parse_failures"] != 51 or a["n"] != 243: bad.append("parse_failures")
if c["random_fallback_draws"] or c["parse_failures"] != 51: bad.append("fallback wrong")
if bad: print("differ:", bad[:10], file=sys.stderr)
sys.exit(1 if bad else 0)
PY
"$V" score mmmu --outputs "$R/outputs" >"$T/text" || fail "text run"
python3 -c 'import json,sys; t=open(sys.argv[2]).read(); s=json.load(open(sys.argv[1]))["print_results_stdout"]; sys.exit(not t.startswith(s) or "parse failures: 51" not in t[len(s):])' \
	"$R/expected.json" "$T/text" || fail "table differs from print_results.py's, or no parse-failure line"

# the same items through the "mmmu" metric: bootstrap interval around the
# official overall
"$V" score mmmu --outputs "$R/outputs" --json --resamples 200 >"$T/ci.json" 2>/dev/null || fail "ci run"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); lo,hi=d["ci"]["acc"]; sys.exit(not lo <= d["unrounded"]["Overall"] <= hi)' \
	"$T/ci.json" || fail "interval around the overall accuracy"
"$V" score mmmu --total "$R/total_output.json" --answers "$R/answer_dict.json" --resamples 10 2>"$T/err" &&
	fail "--resamples with --total accepted"

"$V" score mmmu --total "$R/total_output.json" 2>"$T/err" && fail "--total without --answers"
grep -q "with --answers" "$T/err" || fail "usage error: $(cat "$T/err")"
"$V" score mmmu --outputs "$R/outputs" --fallback coin 2>"$T/err" && fail "bad fallback accepted"

# fuzz_score_mmmu: a list where an object of ids (--total) or of option
# letters (index2ans) belongs crashed (its members have no names); now an
# error naming the file (and the item)
printf '[1, 2]' >"$T/total_list.json"
"$V" score mmmu --total "$T/total_list.json" --answers "$R/answer_dict.json" 2>"$T/err"
[ $? -eq 2 ] || fail "--total list: exit $?"
grep -q "total_list.json': expected an object of id" "$T/err" || fail "--total list: $(cat "$T/err")"
mkdir -p "$T/o/Art"
printf '[{"id": "validation_Art_1", "question_type": "multiple-choice", "answer": "A",
  "all_choices": ["A", "B"], "index2ans": ["cat", "dog"], "response": "the dog"}]' >"$T/o/Art/output.json"
"$V" score mmmu --outputs "$T/o" 2>"$T/err"
[ $? -eq 2 ] || fail "index2ans list: exit $?"
grep -q "output.json' item 1: \"index2ans\" must be an object" "$T/err" || fail "index2ans list: $(cat "$T/err")"
[ "$NFAIL" -eq 0 ] && echo "ok" || { echo "$NFAIL checks failed"; exit 1; }

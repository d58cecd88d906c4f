#!/bin/sh
# `vleval score vqa` on the reference fixtures: every number of
# expected.json (a013f00) and expected_pre2021_a4f1afd.json (--revision 2017)
# reproduced exactly, then bad inputs: each gets a clear error naming the
# file and item, and --lenient scores the rest and lists what it skipped.
V=${VLEVAL_BIN:-./vleval}
R=${VLEVAL_ROOT:-.}/tests/fixtures/reference/vqa
T=$(mktemp -d "${TMPDIR:-/tmp}/vleval-vqa.XXXXXX")
trap 'rm -rf "$T"' EXIT
NFAIL=0
fail() { echo "FAIL: $*" >&2; NFAIL=$((NFAIL + 1)); }
# expect CODE PATTERN DESC ARGS...: exit code CODE and PATTERN (grep -F) in stderr
expect() {
	code=$1; pat=$2; desc=$3; shift 3
	"$V" score vqa "$@" >"$T/out" 2>"$T/err"; got=$?
	[ "$got" -eq "$code" ] || { fail "$desc: exit $got, wanted $code"; sed 's/^/    /' "$T/err" >&2; return; }
	[ -z "$pat" ] || grep -qF -- "$pat" "$T/err" || { fail "$desc: stderr lacks '$pat'"; sed 's/^/    /' "$T/err" >&2; }
}
# same_as EXPECTED OUT: every official key equal, exactly
same_as() {
	python3 - "$1" "$2" <<'PY' || fail "numbers differ from $1"
import json, sys
exp, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = 0
for k in ("overall", "perAnswerType", "perQuestionType", "unrounded", "perQuestion", "perQuestionUnrounded"):
    if exp[k] != got.get(k):
        bad += 1
        print("key %s differs" % k, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
Q="--questions $R/questions.json --annotations $R/annotations.json"

"$V" score vqa $Q --results "$R/results.json" --per-sample --json >"$T/a.json" || fail "2021 run"
same_as "$R/expected.json" "$T/a.json"
"$V" score vqa $Q --results "$R/results.json" --per-sample --json --revision 2017 >"$T/b.json" || fail "2017 run"
same_as "$R/expected_pre2021_a4f1afd.json" "$T/b.json"
"$V" score vqa $Q --results "$R/results.json" >"$T/table" || fail "table run"
grep -q '^overall  *50\.32$' "$T/table" || fail "table shows overall 50.32"
grep -q 'how many people are in  *53\.12 ' "$T/table" || fail "table shows the half-even tie 53.12"

# bad inputs
python3 - "$R" "$T" <<'PY'
import json, sys
R, T = sys.argv[1], sys.argv[2]
res = json.load(open(R + "/results.json"))
def dump(name, obj):
    with open(T + "/" + name, "w") as f:
        json.dump(obj, f)
dump("missing.json", res[1:])
dump("unknown.json", res + [{"question_id": 42, "answer": "yes"}])
bad = [dict(r) for r in res]; bad[3]["answer"] = 7
dump("nonstring.json", bad)
nokey = [dict(r) for r in res]; del nokey[5]["question_id"]
dump("nokey.json", nokey)
dump("dup.json", res + [res[0]])
with open(T + "/badutf8.json", "wb") as f:
    f.write(b'[{"question_id": 1, "answer": "caf\xe9"}]')
with open(T + "/truncated.json", "w") as f:
    f.write(json.dumps(res)[:5000])
dump("notlist.json", {"question_id": 1})
ann = json.load(open(R + "/annotations.json"))
del ann["annotations"][2]["answer_type"]
ann["annotations"][4]["answers"][0]["answer"] = None
dump("ann_bad.json", ann)
PY
first=$(python3 -c "import json; print(json.load(open('$R/results.json'))[0]['question_id'])")
expect 2 "has no result for question_id $first" "missing result" $Q --results "$T/missing.json"
expect 0 "skipped: '$T/missing.json' has no result for question_id $first" "missing result, lenient" $Q --results "$T/missing.json" --lenient --json
python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(0 if d['skipped_count']==1 and d['n']==1999 else 1)" || fail "lenient JSON lists one skipped item"
expect 2 "question_id 42 has no usable annotation in" "unknown question id" $Q --results "$T/unknown.json"
expect 2 "result 4 (line 1" "non-string answer" $Q --results "$T/nonstring.json"
grep -qF 'missing or invalid "answer (not a string)"' "$T/err" || fail "non-string answer names the key"
expect 2 'result 6 (line 1): missing or invalid "question_id"' "missing question_id" $Q --results "$T/nokey.json"
expect 2 "duplicate question_id $first" "duplicate result" $Q --results "$T/dup.json"
expect 2 "cannot parse '$T/badutf8.json' line 1 column 36: invalid UTF-8 in string" "invalid UTF-8" $Q --results "$T/badutf8.json"
expect 2 "unexpected end of file" "truncated results" $Q --results "$T/truncated.json"
expect 2 "expected an array" "results not a list" $Q --results "$T/notlist.json"
expect 2 "annotation 3 (line 1, question_id" "annotation without answer_type" --questions "$R/questions.json" --annotations "$T/ann_bad.json" --results "$R/results.json"
grep -qF 'missing or invalid "answer_type"' "$T/err" || fail "annotation error names answer_type"
grep -qF 'missing or invalid "answers[].answer (not a string)"' "$T/err" || fail "annotation error names answers[].answer"
expect 0 "" "bad annotations, lenient" --questions "$R/questions.json" --annotations "$T/ann_bad.json" --results "$R/results.json" --lenient --json
expect 2 "cannot open '$T/nope.json'" "missing file" $Q --results "$T/nope.json"
expect 2 "unknown --revision '2019'" "bad revision" $Q --results "$R/results.json" --revision 2019
expect 2 "are required" "missing option" --results "$R/results.json"

[ "$NFAIL" -eq 0 ] && echo "ok" || { echo "$NFAIL checks failed"; exit 1; }

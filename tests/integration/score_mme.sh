#!/bin/sh
# `vleval score mme` on the official Your_Results layout: every number the
# official calculation.py computed (tests/fixtures/reference/published/mme/
# official/expected.json), its printed text byte for byte, and clear errors
# on a file calculation.py cannot read.
V=${VLEVAL_BIN:-./vleval}
R=${VLEVAL_ROOT:-.}/tests/fixtures/reference/published/mme/official
T=$(mktemp -d "${TMPDIR:-/tmp}/vleval-mme.XXXXXX")
trap 'rm -rf "$T"' EXIT
NFAIL=0
fail() { echo "FAIL: $*" >&2; NFAIL=$((NFAIL + 1)); }

"$V" score mme --results "$R/Your_Results" --json --per-sample >"$T/a.json" || fail "json run"
python3 - "$R/expected.json" "$T/a.json" <<'PY' || fail "numbers differ"
import json, sys
exp, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = [k for k in ("Perception", "Cognition", "per_line_parsed") if exp[k] != got.get(k)]
for k in bad:
    print("key %s differs" % k, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
"$V" score mme --results "$R/Your_Results" >"$T/text" || fail "text run"
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["stdout"] != open(sys.argv[2]).read())' \
	"$R/expected.json" "$T/text" || fail "printed text differs from calculation.py's"

# bootstrap intervals through the one scoring path: around the totals,
# the same for the same seed
"$V" score mme --results "$R/Your_Results" --json --resamples 200 --seed 3 >"$T/c1.json" || fail "ci run"
"$V" score mme --results "$R/Your_Results" --json --resamples 200 --seed 3 >"$T/c2.json" || fail "ci run 2"
cmp -s "$T/c1.json" "$T/c2.json" || fail "same seed, different intervals"
python3 - "$T/c1.json" <<'PY' || fail "intervals"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("Perception", "Cognition"):
    lo, hi = d["ci"][k]
    assert lo <= d[k]["total_score"] <= hi, k
assert d["Perception"]["total_score"] == 954.5959595959595
PY

# an odd number of lines, a line with 3 fields, a GT that is not yes/no
cp -r "$R/Your_Results" "$T/odd"; head -n 3 "$R/Your_Results/OCR.txt" >"$T/odd/OCR.txt"
"$V" score mme --results "$T/odd" 2>"$T/err" >/dev/null && fail "odd line count accepted"
grep -q "OCR.txt': 3 lines" "$T/err" || fail "odd count error: $(cat "$T/err")"
cp -r "$R/Your_Results" "$T/three"; printf 'a.jpg\tq?\tYes\n' >"$T/three/scene.txt"
"$V" score mme --results "$T/three" 2>"$T/err" >/dev/null && fail "3 fields accepted"
grep -q "scene.txt' line 1: 3 tab-separated fields" "$T/err" || fail "fields error: $(cat "$T/err")"
rm "$T/three/scene.txt"
"$V" score mme --results "$T/three" 2>"$T/err" >/dev/null && fail "missing file accepted"
grep -q "scene.txt" "$T/err" || fail "missing file error: $(cat "$T/err")"

[ "$NFAIL" -eq 0 ] && echo "ok" || { echo "$NFAIL checks failed"; exit 1; }

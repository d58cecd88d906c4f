#!/bin/sh
# vleval score caption reads {"id": [refs]} / {"id": "caption"} files with a
# fast path that decodes strings in place (bench/score-caption.c) and falls
# back to cJSON for anything else.  The same captions written with escapes
# (\u00e9, \ud83d\ude00, \", \\, \/, \t), as raw UTF-8, and in the COCO
# shapes (always cJSON) must give byte-identical output, and inputs the
# fast path refuses (numbers, \u0000, lone surrogates, control characters,
# syntax errors) must still get cJSON's handling and messages.
set -u
BIN=${VLEVAL_BIN:-./vleval}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "score_caption_json.sh: $*" >&2; exit 1; }

python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
refs = {
    "1": ["a caf\u00e9 with a \"red\" door", "a caf\u00e9 door \\ red / blue", "tab\there"],
    "2": ["a man \U0001F600 riding a horse", "man riding horse", "a man on a horse"],
    "3": ["na\u00efve \u4e2d\u6587 words", "plain words here", "words"],
    "4": ["x\ty"],
}
cands = {"1": "a red caf\u00e9 door", "2": "a man riding a \U0001F600 horse", "3": "na\u00efve words",
         "4": "x y"}
json.dump(refs, open(t + "/ra.json", "w"))                        # escapes
json.dump(cands, open(t + "/ca.json", "w"))
json.dump(refs, open(t + "/ru.json", "w", encoding="utf-8"), ensure_ascii=False, indent=1)
json.dump({k: [v] for k, v in cands.items()}, open(t + "/cu.json", "w", encoding="utf-8"),
          ensure_ascii=False)
json.dump({"annotations": [{"image_id": int(i), "caption": c} for i in refs for c in refs[i]]},
          open(t + "/rc.json", "w"))
json.dump([{"image_id": int(i), "caption": c} for i, c in cands.items()], open(t + "/cc.json", "w"))
PY
for s in a u c; do
	"$BIN" score caption --refs "$T/r$s.json" --preds "$T/c$s.json" --pretokenized --json \
		--per-sample > "$T/o$s.json" || fail "run on shape $s failed"
done
cmp -s "$T/oa.json" "$T/ou.json" || fail "escaped and raw UTF-8 input differ"
cmp -s "$T/oa.json" "$T/oc.json" || fail "fast path and cJSON (COCO shapes) differ"
grep -q '"n": 4' "$T/oa.json" || fail "not all four images scored"
# ROUGE-L splits on " " only: the reference "x<tab>y" is one token
python3 -c "
import json,sys
sys.exit(0 if json.load(open('$T/oa.json'))['per_image']['4']['ROUGE_L'] == 0 else 1)" \
	|| fail "tab escape not decoded as a tab"

# refused by the fast path, handled by cJSON as before
printf '{"1": ["a dog", 5], "2": ["a \\u0000cat"], "3": ["x"]}' > "$T/r1.json"
printf '{"1": "a dog", "2": "a cat", "3": "x", "4": "y"}' > "$T/p1.json"
"$BIN" score caption --refs "$T/r1.json" --preds "$T/p1.json" --json > /dev/null 2> "$T/err" \
	&& fail "bad input accepted"
grep -q "image '1': reference 2 is not a string" "$T/err" || fail "no message for a number"
grep -q "image '4': not in" "$T/err" || fail "no message for an extra prediction"
printf '{"1": ["a \\ud83d dog"]}' > "$T/r2.json"
printf '{"1": "a dog"' > "$T/p2.json"
"$BIN" score caption --refs "$T/r2.json" --preds "$T/p2.json" --json > /dev/null 2> "$T/err" \
	&& fail "lone surrogate accepted"
grep -q "cannot parse '$T/r2.json' line 1: invalid JSON" "$T/err" || fail "no parse error for a lone surrogate"
printf '{"1": ["a dog"]}' > "$T/r3.json"
"$BIN" score caption --refs "$T/r3.json" --preds "$T/p2.json" --json > /dev/null 2> "$T/err" \
	&& fail "unterminated preds accepted"
grep -q "cannot parse '$T/p2.json' line 1: invalid JSON" "$T/err" || fail "no parse error for unterminated preds"
# the run's length limits hold in score caption too (ROUGE-L is quadratic:
# a 100,000-token caption took seconds a sample): an over-long prediction or
# reference is that image's problem, named with its size; --lenient scores
# the rest at once
python3 -c "
import json
big = ' '.join('w%d' % i for i in range(12000))
json.dump({'1': ['a dog'], '2': ['a cat', big], '3': ['x y']}, open('$T/r4.json', 'w'))
json.dump({'1': big, '2': 'a cat', '3': 'x y'}, open('$T/p4.json', 'w'))"
"$BIN" score caption --refs "$T/r4.json" --preds "$T/p4.json" --json > /dev/null 2> "$T/err" \
	&& fail "over-long caption accepted"
grep -q "image '1': prediction is [0-9]* bytes, over the limit of 65536 bytes" "$T/err" || fail "no message for a long prediction"
grep -q "image '2': reference 2 is [0-9]* bytes, over the limit of 8192 bytes" "$T/err" || fail "no message for a long reference"
"$BIN" score caption --refs "$T/r4.json" --preds "$T/p4.json" --json --lenient > "$T/o4.json" 2> "$T/err" \
	|| fail "--lenient does not score the rest"
grep -q '"n": 1' "$T/o4.json" || fail "--lenient: not exactly image 3 scored"
exit 0

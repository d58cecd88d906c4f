#!/bin/sh
# vleval score caption: the reference fixture reproduced through the CLI
# (corpus values bit for bit), the COCO input shapes, error messages that
# name file and image id, --lenient, and --ci determinism.
set -u
BIN=${VLEVAL_BIN:-./vleval}
F=${VLEVAL_ROOT:-.}/tests/fixtures/reference/captions
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "score_caption.sh: $*" >&2; exit 1; }

"$BIN" score caption --refs "$F/refs.json" --preds "$F/cands.json" --pretokenized --json \
	--per-sample > "$T/out.json" || fail "fixture run failed"
python3 - "$T/out.json" "$F/expected.json" <<'PY' || fail "fixture numbers differ"
import json, sys
o = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
for k in ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"]:
    assert o[k] == e[k], (k, o[k], e[k])
assert list(o["per_image"]) == list(e["per_image"])
for i, v in e["per_image"].items():
    for k, x in v.items():
        y = o["per_image"][i][k]
        assert abs(x - y) <= 1e-12 * abs(x) or x == y, (i, k, x, y)
PY

# COCO shapes: annotations list for refs, results list for preds
python3 - "$F" "$T" <<'PY'
import json, sys
f, t = sys.argv[1], sys.argv[2]
refs = json.load(open(f + "/refs.json")); cands = json.load(open(f + "/cands.json"))
json.dump({"annotations": [{"image_id": int(i), "caption": c} for i in refs for c in refs[i]]},
          open(t + "/ann.json", "w"))
json.dump([{"image_id": int(i), "caption": cands[i]} for i in refs], open(t + "/res.json", "w"))
PY
"$BIN" score caption --refs "$T/ann.json" --preds "$T/res.json" --pretokenized --json > "$T/coco.json" \
	|| fail "COCO shapes failed"
python3 -c "
import json,sys
a=json.load(open('$T/out.json')); b=json.load(open('$T/coco.json'))
sys.exit(0 if all(a[k]==b[k] for k in ['Bleu_1','Bleu_4','ROUGE_L','CIDEr']) else 1)" \
	|| fail "COCO shapes give other numbers"

# bad input: an id in the preds only, non-string caption, invalid UTF-8;
# image 3 has references but no prediction: left out (as COCOEvalCap), or
# an error with --require-all
printf '{"1": ["a dog"], "2": ["a cat", 5], "3": ["a bird", "a crow"], "4": ["x"]}' > "$T/r.json"
printf '{"1": "a dog", "2": "a cat", "4": "\377", "9": "extra"}' > "$T/p.json"
"$BIN" score caption --refs "$T/r.json" --preds "$T/p.json" --json > /dev/null 2> "$T/err" \
	&& fail "bad input accepted"
grep -q "image '2': reference 2 is not a string" "$T/err" || fail "no message for non-string caption"
grep -q "image '9': not in" "$T/err" || fail "no message for extra prediction"
grep -q "image '4': prediction is not valid UTF-8" "$T/err" || fail "no message for invalid UTF-8"
grep -q "image '3': no prediction" "$T/err" && fail "an image without prediction is an error by default"
"$BIN" score caption --refs "$T/r.json" --preds "$T/p.json" --json --require-all > /dev/null \
	2> "$T/err" && fail "bad input accepted with --require-all"
grep -q "image '3': no prediction" "$T/err" || fail "no message for missing prediction (--require-all)"
"$BIN" score caption --refs "$T/r.json" --preds "$T/p.json" --json --lenient > "$T/len.json" 2>/dev/null \
	|| fail "--lenient failed"
python3 -c "
import json,sys
o=json.load(open('$T/len.json'))
sys.exit(0 if o['n']==1 and len(o['skipped'])==3 and o['unused_images']==1 and o['unused_references']==2 else 1)" \
	|| fail "--lenient did not score 1 image, list 3 problems and 1 unused image"
"$BIN" score caption --refs "$T/r.json" --preds "$T/p.json" --json --lenient --require-all \
	> "$T/len.json" 2>/dev/null || fail "--lenient --require-all failed"
python3 -c "
import json,sys
o=json.load(open('$T/len.json')); sys.exit(0 if o['n']==1 and len(o['skipped'])==4 else 1)" \
	|| fail "--lenient --require-all did not list 4 problems"

# an annotation file with more images than the results (Karpathy test
# results against captions_val2014.json): the result images only, with the
# same numbers as scoring them alone, and the unused references counted
python3 - "$F" "$T" <<'PY'
import json, sys
f, t = sys.argv[1], sys.argv[2]
refs = json.load(open(f + "/refs.json")); cands = json.load(open(f + "/cands.json"))
keep = list(refs)[::3]
json.dump({i: refs[i] for i in keep}, open(t + "/sub_refs.json", "w"))
json.dump({i: cands[i] for i in keep}, open(t + "/sub_cands.json", "w"))
json.dump([{"image_id": int(i), "caption": cands[i]} for i in keep], open(t + "/sub_res.json", "w"))
json.dump({"annotations": [{"image_id": int(i), "caption": c} for i in refs for c in refs[i]]},
          open(t + "/all_ann.json", "w"))

PY
"$BIN" score caption --refs "$T/sub_refs.json" --preds "$T/sub_cands.json" --pretokenized --json \
	> "$T/sub.json" || fail "subset run failed"
"$BIN" score caption --refs "$T/all_ann.json" --preds "$T/sub_res.json" --pretokenized --json \
	> "$T/all.json" 2> "$T/err" || fail "results for part of the annotation file rejected"
grep -q "have no prediction" "$T/err" || fail "no note about the unused references"
python3 - "$T/sub.json" "$T/all.json" <<'PY' || fail "part of the annotations scored differently"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
for k in ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr", "n"]:
    assert a[k] == b[k], (k, a[k], b[k])
assert b["unused_images"] == 200 and b["unused_references"] == 1000 and "unused_images" not in a, b
PY
"$BIN" score caption --refs "$T/all_ann.json" --preds "$T/sub_res.json" --pretokenized --json \
	--require-all > /dev/null 2>&1 && fail "--require-all accepted missing predictions"

# --ci: same seed, same interval
"$BIN" score caption --refs "$F/refs.json" --preds "$F/cands.json" --pretokenized --json --ci \
	--resamples 100 --seed 3 > "$T/ci1.json" || fail "--ci failed"
"$BIN" score caption --refs "$F/refs.json" --preds "$F/cands.json" --pretokenized --json --ci \
	--resamples 100 --seed 3 > "$T/ci2.json" || fail "--ci failed"
cmp -s "$T/ci1.json" "$T/ci2.json" || fail "--ci not deterministic"

# without --pretokenized the tokenizer runs; CoreNLP 3.4.1 leaves this
# already tokenized, lower-case fixture as it is (no Americanization)
"$BIN" score caption --refs "$F/refs.json" --preds "$F/cands.json" --json > "$T/tok.json" \
	|| fail "tokenized run failed"
"$BIN" score caption --refs "$F/refs.json" --preds "$F/cands.json" --pretokenized --json \
	> "$T/pre.json" || fail "pretokenized run failed"
cmp -s "$T/tok.json" "$T/pre.json" || fail "the tokenizer changed an already tokenized fixture"

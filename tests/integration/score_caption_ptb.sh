#!/bin/sh
# vleval score caption on raw captions: the whole COCOEvalCap flow (CoreNLP
# 3.4.1 PTBTokenizer -preserveLines -lowerCase, PUNCTUATIONS removed, then
# Bleu(4), Rouge, Cider) reproduced on tests/fixtures/ptb/raw_captions
# (150 images, 5 raw references and 1 raw candidate each), every number at
# rel 1e-12.
set -u
BIN=${VLEVAL_BIN:-./vleval}
F=${VLEVAL_ROOT:-.}/tests/fixtures/ptb/raw_captions
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "score_caption_ptb.sh: $*" >&2; exit 1; }

"$BIN" score caption --refs "$F/refs.json" --preds "$F/cands.json" --json > "$T/out.json" \
	|| fail "raw caption run failed"
python3 - "$T/out.json" "$F/expected.json" <<'PY' || fail "numbers differ from COCOEvalCap's"
import json, sys
o = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
assert o["n"] == 150, o["n"]
for k in ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"]:
    assert abs(o[k] - e[k]) <= 1e-12 * abs(e[k]), (k, o[k], e[k])
PY
# the tokenizer matters here: pretokenized scoring of the raw strings differs
"$BIN" score caption --refs "$F/refs.json" --preds "$F/cands.json" --pretokenized --json \
	> "$T/pre.json" || fail "pretokenized run failed"
cmp -s "$T/out.json" "$T/pre.json" && fail "tokenizing made no difference"
exit 0

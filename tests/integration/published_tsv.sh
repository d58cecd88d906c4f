#!/bin/sh
# The built-in tasks mme, hallusionbench, mmbench_dev_en, chartqa_test and
# ocrbench on VLMEvalKit's own result files (dataset TSV + "prediction",
# PRED_FORMAT=tsv) through the replay backend: every number VLMEvalKit
# computed on them (tests/fixtures/reference/published/*/expected.json,
# e8e78f05, exact matching) comes out of `vleval run`, per category too.
V=${VLEVAL_BIN:-./vleval}
P=${VLEVAL_ROOT:-.}/tests/fixtures/reference/published
T=$(mktemp -d "${TMPDIR:-/tmp}/vleval-pub.XXXXXX")
trap 'rm -rf "$T"' EXIT
NFAIL=0
fail() { echo "FAIL: $*" >&2; NFAIL=$((NFAIL + 1)); }

mkdir -p "$T/vlmeval"
cp "$P/mme/vlmevalkit/MME.tsv" "$P/hallusionbench/HallusionBench.tsv" "$P/mmbench/MMBench_DEV_EN.tsv" \
	"$P/chartqa/ChartQA_TEST.tsv" "$P/ocrbench/vlmevalkit/OCRBench.tsv" "$T/vlmeval/"
run() { # task predictions
	"$V" run --task "$1" --backend replay --set predictions="$2" --data-dir "$T" --db "$T/db" \
		--quiet --json --resamples 0 >"$T/$1.json" 2>"$T/$1.err" || { fail "$1 run"; cat "$T/$1.err" >&2; }
}
run mme "$P/mme/vlmevalkit/synthetic_MME.tsv"
run hallusionbench "$P/hallusionbench/synthetic_HallusionBench.tsv"
run mmbench_dev_en "$P/mmbench/synthetic_MMBench_DEV_EN.tsv"
run chartqa_test "$P/chartqa/synthetic_ChartQA_TEST.tsv"
run ocrbench "$P/ocrbench/vlmevalkit/synthetic_OCRBench.tsv"

python3 - "$P" "$T" <<'PY' || fail "numbers differ from VLMEvalKit's"
import json, sys
P, T = sys.argv[1], sys.argv[2]
bad = []
def metrics(task):
    run = json.load(open("%s/%s.json" % (T, task)))[0]
    return {(m["name"], m["subset"]): m["value"] for m in run["metrics"]}
def same(task, key, got, want):
    if got is None or abs(got - want) > 1e-12 * abs(want):
        bad.append("%s %s: %r != %r" % (task, key, got, want))

m = metrics("mme")
for k, v in json.load(open(P + "/mme/vlmevalkit/expected.json"))["scores"][0].items():
    same("mme", k, m.get((k, "")), v)

m = metrics("hallusionbench")
for row in json.load(open(P + "/hallusionbench/expected.json"))["scores"]:
    s = row["split"]
    sub = "" if s == "Overall" else ("category=" + s if s in ("VD", "VS") else "l2-category=" + s)
    for k in ("aAcc", "fAcc", "qAcc"):
        same("hallusionbench", (s, k), m.get((k, sub)), row[k])

m = metrics("mmbench_dev_en")
l2 = {"CP": "coarse_perception", "FP-S": "finegrained_perception (instance-level)",
      "FP-C": "finegrained_perception (cross-instance)", "AR": "attribute_reasoning",
      "RR": "relation_reasoning", "LR": "logic_reasoning"}
e = json.load(open(P + "/mmbench/expected.json"))
for k, v in e["report_acc"][0].items():
    if k == "split": continue
    sub = "" if k == "Overall" else ("l2-category=" + l2[k] if k in l2 else "category=" + k)
    same("mmbench", k, m.get(("circular_acc", sub)), v)
if m.get(("groups", "")) != e["n_questions"]: bad.append("mmbench groups")

m = metrics("chartqa_test")
for k, v in json.load(open(P + "/chartqa/expected.json"))["scores"][0].items():
    same("chartqa", k, m.get(("relaxed_acc", "" if k == "Overall" else "split=" + k)), v)

m = metrics("ocrbench")
for k, v in json.load(open(P + "/ocrbench/vlmevalkit/expected.json"))["scores"].items():
    same("ocrbench", k, m.get((k, "")), v)

for b in bad: print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
[ "$NFAIL" -eq 0 ] && echo "ok" || { echo "$NFAIL checks failed"; exit 1; }

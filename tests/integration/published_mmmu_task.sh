#!/bin/sh
# The built-in task mmmu_dev_val through `vleval run` (replay of a
# VLMEvalKit-style result TSV) scores like `vleval score mmmu` on the same
# items: a TSV is built from the published MMMU fixture (official order, so
# the seeded fallback draws happen in the same order), and the run's
# overall and per-subject accuracy, parse failures and random guesses must
# equal the official numbers in tests/fixtures/reference/published/mmmu.
V=${VLEVAL_BIN:-./vleval}
P=${VLEVAL_ROOT:-.}/tests/fixtures/reference/published/mmmu
T=$(mktemp -d "${TMPDIR:-/tmp}/vleval-mmmu-task.XXXXXX")
trap 'rm -rf "$T"' EXIT
NFAIL=0
fail() { echo "FAIL: $*" >&2; NFAIL=$((NFAIL + 1)); }

mkdir -p "$T/vlmeval"
python3 - "$P" "$T" <<'PY'
import csv, json, os, sys
P, T = sys.argv[1], sys.argv[2]
order = ["Accounting", "Agriculture", "Architecture_and_Engineering", "Art", "Art_Theory",
         "Basic_Medical_Science", "Biology", "Chemistry", "Clinical_Medicine", "Computer_Science",
         "Design", "Diagnostics_and_Laboratory_Medicine", "Economics", "Electronics",
         "Energy_and_Power", "Finance", "Geography", "History", "Literature", "Manage",
         "Marketing", "Materials", "Math", "Mechanical_Engineering", "Music", "Pharmacy",
         "Physics", "Psychology", "Public_Health", "Sociology"]
letters = [chr(65 + i) for i in range(9)]
cols = ["index", "question"] + letters + ["answer", "category", "image_path"]
rows = []
for cat in order:
    for it in json.load(open(os.path.join(P, "outputs", cat, "output.json"))):
        r = {c: "" for c in cols}
        r.update(index=it["id"], question="q", category=cat, image_path="x.png")
        if it["question_type"] == "multiple-choice":
            for k, v in it["index2ans"].items():
                r[k] = v
        r["answer"] = it["answer"] if isinstance(it["answer"], str) else repr(it["answer"])
        r["prediction"] = it["response"]
        rows.append(r)
with open(T + "/vlmeval/MMMU_DEV_VAL.tsv", "w", newline="") as f:
    w = csv.DictWriter(f, cols, delimiter="\t", extrasaction="ignore", lineterminator="\n")
    w.writeheader(); w.writerows(rows)
with open(T + "/pred.tsv", "w", newline="") as f:
    w = csv.DictWriter(f, cols + ["prediction"], delimiter="\t", quoting=csv.QUOTE_ALL,
                       lineterminator="\n")
    w.writeheader(); w.writerows(rows)
PY
"$V" run --task mmmu_dev_val --backend replay --set predictions="$T/pred.tsv" --data-dir "$T" \
	--db "$T/db" --quiet --json --resamples 0 >"$T/run.json" 2>"$T/err" || { fail "run"; cat "$T/err" >&2; }
python3 - "$P/expected.json" "$T/run.json" <<'PY' || fail "run differs from the official numbers"
import json, sys
e = json.load(open(sys.argv[1])); run = json.load(open(sys.argv[2]))[0]
m = {(x["name"], x["subset"]): x["value"] for x in run["metrics"]}
bad = []
want = e["unrounded"]["Overall (CAT_SHORT2LONG order, as main_eval_only)"]
if abs(m[("acc", "")] - want) > 1e-12 * want: bad.append(("overall", m[("acc", "")], want))
for cat, r in e["per_category"].items():
    if m.get(("acc", "category=" + cat)) != r["acc"]: bad.append((cat, m.get(("acc", "category=" + cat)), r["acc"]))
if m[("random_guesses", "")] != len(e["random_fallback_draws"]): bad.append("random_guesses")
if m[("parse_failures", "")] != len(e["random_fallback_draws"]): bad.append("parse_failures")
if run["n_done"] != 243: bad.append("n_done %d" % run["n_done"])
for b in bad: print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
# the stored per-sample scores are the corpus pass's (fallback draws in
# dataset order), not those given in completion order
"$V" show last --db "$T/db" --samples --json >"$T/show.json" || fail "show"
python3 - "$P/expected.json" "$T/show.json" <<'PY' || fail "per-sample scores differ from the judged items"
import json, sys
e = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))["samples"]
judge = {k: v["judge"] == "Correct" for k, v in e["per_item"].items()}
bad = [x["id"] for x in s if bool(x["score"]) != judge[x["id"]]]
print(bad[:5], file=sys.stderr) if bad else None
sys.exit(1 if bad else 0)
PY
[ "$NFAIL" -eq 0 ] && echo "ok" || { echo "$NFAIL checks failed"; exit 1; }

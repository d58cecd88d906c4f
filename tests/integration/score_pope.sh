#!/bin/sh
# `vleval score pope`: 30 questions (labels alternating yes/no) answered
# "Yes. ok" unless the question number is a multiple of 3 ("No. ok"):
# TP 10, FP 10, TN 5, FN 5 counted by hand, so acc 0.5, precision 0.5,
# recall 2/3.  Pairing by question_id and by line order; a missing answer
# is an error naming the question, --lenient skips it; --resamples adds
# intervals through the one scoring path and changes nothing else.
. "$(dirname "$0")/helpers.shlib"
make_pope "$T/q.jsonl" 30
awk 'BEGIN { for (i = 1; i <= 30; i++) printf("{\"question_id\": %d, \"answer\": \"%s. ok\"}\n", i, (i % 3) ? "Yes" : "No") }' > "$T/a.jsonl"
awk 'BEGIN { for (i = 1; i <= 30; i++) printf("{\"text\": \"%s\"}\n", (i % 3) ? "yes" : "no") }' > "$T/order.jsonl"
grep -v '"question_id": 7,' "$T/a.jsonl" > "$T/gap.jsonl"

expect_exit 0 "score pope by id" $V score pope --questions "$T/q.jsonl" --answers "$T/a.jsonl" --json
cp "$T/out" "$T/plain.json"
check "counts and rates" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
want = {"acc": 0.5, "precision": 0.5, "recall": 2 / 3, "TP": 10, "FP": 10, "TN": 5, "FN": 5, "n": 30, "skipped": 0}
sys.exit(any(j[k] != v for k, v in want.items()) or "ci" in j)' "$T/plain.json"
expect_exit 0 "score pope by order" $V score pope --questions "$T/q.jsonl" --answers "$T/order.jsonl" --json
check "line order pairs like question_id" python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(a != b)' "$T/plain.json" "$T/out"
expect_exit 2 "a missing answer is an error" $V score pope --questions "$T/q.jsonl" --answers "$T/gap.jsonl"
check "the error names the question" grep -q "question '7' of .* has no answer" "$T/err"
expect_exit 0 "--lenient skips it" $V score pope --questions "$T/q.jsonl" --answers "$T/gap.jsonl" --lenient --json
check "29 scored, 1 skipped" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(j["n"] != 29 or j["skipped"] != 1)' "$T/out"
expect_exit 0 "--resamples" $V score pope --questions "$T/q.jsonl" --answers "$T/a.jsonl" --json --resamples 200 --seed 3
check "intervals around the values, the rest unchanged" python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ci = b.pop("ci")
ok = a == b and ci["resamples"] == 200 and ci["seed"] == 3
for k in ("acc", "precision", "recall", "f1", "yes_ratio"):
    ok = ok and ci[k][0] <= a[k] <= ci[k][1] and ci[k][0] < ci[k][1]
sys.exit(not ok)' "$T/plain.json" "$T/out"
expect_exit 2 "bad --resamples" $V score pope --questions "$T/q.jsonl" --answers "$T/a.jsonl" --resamples -1
finish

#!/bin/sh
# `vleval run --shard I/N` + `vleval merge`: the merged run scores exactly
# like the unsharded run (same rows, metrics, intervals, config), and merge
# refuses missing, repeated, unfinished or mismatched shards.
. "$(dirname "$0")/helpers.shlib"
mkdir -p "$T/data/cap" "$T/tasks"
# a caption task: CIDEr's document frequencies and BLEU's brevity penalty
# are corpus-level, so a merge that scored per shard would differ
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
w = ["red", "blue", "green", "small", "large", "square", "circle", "triangle"]
with open(t + "/data/cap/cap.jsonl", "w") as f:
    for i in range(61):
        caps = ["a %s %s on a white background" % (w[i % 3], w[5 + i % 3]),
                "a %s %s" % (w[3 + i % 2], w[5 + i % 3]), "one %s shape" % w[i % 3],
                "a shape on a white background"]
        f.write(json.dumps({"id": "c%d" % i, "image": "%d.png" % i, "question": "caption",
                            "captions": caps, "meta": {"k": str(i % 2)}}) + "\n")
json.dump({"name": "cap_small", "family": "caption", "version": 1,
           "dataset": {"format": "jsonl", "path": "cap/cap.jsonl", "images": "cap"},
           "prompt": "Caption.", "extract": "none", "metrics": ["caption"],
           "choices": ["a red square", "a blue circle on a white background",
                       "a shape on a white background", "a green triangle"],
           "breakdown": ["k"]}, open(t + "/tasks/cap_small.json", "w"))
PY
export VLEVAL_DATA="$T/data" VLEVAL_TASKS="$T/tasks"
RUN="$V run --task cap_small --backend random --set seed=3 --resamples 200 --quiet"

expect_exit 0 "unsharded run" $RUN --db "$T/full.db"
for i in 0 1 2 3; do
	expect_exit 0 "shard $i/4" $RUN --db "$T/s$i.db" --shard $i/4
done
check "shard 1/4 holds indexes 1 mod 4" \
	[ "$(sq "$T/s1.db" "select group_concat(idx) from (select idx from samples order by idx)")" = "1,5,9,13,17,21,25,29,33,37,41,45,49,53,57" ]
sq "$T/s2.db" "select config from runs" > "$T/conf"
check "shard stored in the config" grep -q '"shard":"2/4"' "$T/conf"

expect_exit 0 "merge" $V merge "$T/m.db" "$T/s2.db" "$T/s0.db" "$T/s3.db" "$T/s1.db"
check "merge names what it did" grep -q "merged 4 shards of task 'cap_small' into run 1" "$T/err"
same() { # desc, query: the same result on the unsharded and the merged log
	a=$(sq "$T/full.db" "$2"); b=$(sq "$T/m.db" "$2")
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "$1 differs: unsharded [$a] merged [$b]"
}
same "metrics with intervals and breakdowns" \
	"select metric, name, subset, value, ci_low, ci_high, n from metrics order by 1, 2, 3"
same "per-sample rows" \
	"select sample_id, idx, prompt, output, extracted, parse_ok, score, error from samples order by idx"
same "config and its hash" "select config, config_hash, task_json, task, task_version, backend from runs"
same "counts" "select n_samples, n_done, n_errors, status from runs"

# refusals, each naming the shard or file at fault
expect_exit 2 "a missing shard" $V merge "$T/x1.db" "$T/s0.db" "$T/s1.db" "$T/s3.db"
check "missing shard named" grep -q "missing: 2/4" "$T/err"
expect_exit 2 "a repeated shard" $V merge "$T/x2.db" "$T/s0.db" "$T/s1.db" "$T/s1.db" "$T/s2.db" "$T/s3.db"
check "repeated shard named" grep -q "shard 1/4 appears twice" "$T/err"
expect_exit 0 "shard 2/4 of another seed" $RUN --db "$T/o2.db" --shard 2/4 --set seed=4
expect_exit 2 "shards of different configs" $V merge "$T/x3.db" "$T/s0.db" "$T/s1.db" "$T/o2.db" "$T/s3.db"
check "the differing key is named" grep -q 'different configs.*in "set"' "$T/err"
expect_exit 0 "a 3-way shard" $RUN --db "$T/t0.db" --shard 0/3
expect_exit 2 "shards split differently" $V merge "$T/x4.db" "$T/t0.db" "$T/s1.db" "$T/s2.db" "$T/s3.db"
check "split named" grep -q "split the samples differently" "$T/err"
cp "$T/s3.db" "$T/i3.db"
sq "$T/i3.db" "update runs set status = 'interrupted'"
expect_exit 2 "an unfinished shard" $V merge "$T/x5.db" "$T/s0.db" "$T/s1.db" "$T/s2.db" "$T/i3.db"
check "how to finish it is said" grep -q "vleval run --resume 1 --db $T/i3.db" "$T/err"
expect_exit 2 "no shards at all" $V merge "$T/x6.db" "$T/full.db"
check "no shards said" grep -q "no shard runs" "$T/err"
expect_exit 2 "output is an input" $V merge "$T/s0.db" "$T/s0.db" "$T/s1.db"
expect_exit 2 "bad --shard" $RUN --db "$T/y.db" --shard 4/4
check "bad --shard said" grep -q "wants I/N" "$T/err"
check "a refused merge leaves no output file" [ ! -e "$T/x1.db" ] && [ ! -e "$T/x3.db" ]
finish

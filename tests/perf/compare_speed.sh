#!/bin/sh
# `vleval compare` of two VQA-like runs at VQAv2-val size (214,354
# questions, 10 answers each, vqa_accuracy) with 1,000 bootstrap and
# permutation resamples; target under 2 s.  The two runs (the seeded random
# baseline, seeds 1 and 2) are made once into tests/perf/out/compare-N/ and
# kept.  Rows, each the median of REPEAT runs (default 3) with that run's
# CPU time and the largest peak RSS:
#   sqlite3 reading the rows compare needs (the baseline: the cost of the
#   bytes), compare with --resamples 0 (loading, joining, scoring both
#   runs), compare with 1,000 resamples.
# Environment: VLEVAL_BIN, N (questions), REPEAT.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
V=${VLEVAL_BIN:-$ROOT/vleval}
N=${N:-214354}
REPEAT=${REPEAT:-3}
OUT=$ROOT/tests/perf/out/compare-$N
[ -x "$V" ] || { echo "compare_speed: $V not built"; exit 2; }
command -v sqlite3 >/dev/null || { echo "compare_speed: sqlite3 not installed"; exit 2; }
mkdir -p "$OUT/data/v" "$OUT/tasks"
export VLEVAL_DATA="$OUT/data" VLEVAL_TASKS="$OUT/tasks"
if [ ! -s "$OUT/done" ]; then
	rm -f "$OUT"/p.db*
	python3 - "$OUT" "$N" <<'PY' || exit 1
import json, random, sys
out, n = sys.argv[1], int(sys.argv[2])
r = random.Random(1)
words = ["yes", "no", "2", "3", "red", "blue", "dog", "cat", "table", "1"]
with open(out + "/data/v/q.jsonl", "w") as f:
    for i in range(n):
        base = r.choice(words)
        ans = [base if r.random() < 0.7 else r.choice(words) for _ in range(10)]
        f.write(json.dumps({"id": str(i), "image": "x.jpg", "question": "What is %d?" % i,
                            "answers": ans}) + "\n")
json.dump({"name": "vqa_perf", "family": "vqa", "version": 1,
           "dataset": {"format": "jsonl", "path": "v/q.jsonl", "images": "v"},
           "prompt": "{question}", "extract": "short", "metrics": ["vqa_accuracy"],
           "choices": words}, open(out + "/tasks/vqa_perf.json", "w"))
PY
	for seed in 1 2; do
		"$V" run --task vqa_perf --backend random --set seed=$seed --db "$OUT/p.db" \
			--resamples 0 --quiet >/dev/null || { echo "compare_speed: run failed"; exit 1; }
	done
	echo ok > "$OUT/done"
fi
# row LABEL CMD...: REPEAT runs, median wall time, its CPU time, max RSS
row() {
	label=$1; shift
	runs=""
	i=0
	while [ $i -lt "$REPEAT" ]; do
		/usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$@" >/dev/null 2>"$OUT/err" ||
			{ echo "compare_speed: '$label' failed"; cat "$OUT/err"; exit 1; }
		runs="$runs$(awk '{ print $1, $2 + $3, $4 }' "$OUT/time")
"
		i=$((i + 1))
	done
	set -- $(printf '%s' "$runs" | sort -n | awk -v n="$REPEAT" '{ w[NR] = $1; c[NR] = $2; if ($3 > r) r = $3 } END { m = int((n + 1) / 2); print w[m], c[m], r }')
	printf '%-46s %6.2f s wall %6.2f s cpu %7.1f MB\n' "$label" "$1" "$2" "$(echo "$3" | awk '{ print $1 / 1024 }')"
	last_wall=$1
	last_cpu=$2
}
echo "compare of two runs of $N VQA samples (median of $REPEAT)"
row "sqlite3: the rows compare reads (baseline)" sqlite3 "$OUT/p.db" \
	"select sample_id, idx, output, extracted, reference, question, error from samples where run_id in (1, 2) order by run_id, idx"
base_wall=$last_wall base_cpu=$last_cpu
row "vleval compare --resamples 0" "$V" compare 1 2 --db "$OUT/p.db" --resamples 0
row "vleval compare (1000 resamples)" "$V" compare 1 2 --db "$OUT/p.db"
awk -v w="$last_wall" -v c="$last_cpu" -v bw="$base_wall" -v bc="$base_cpu" 'BEGIN {
	printf "compare / sqlite3 baseline: %.1fx wall, %.1fx cpu; target < 2 s wall: %s\n",
	       (bw > 0 ? w / bw : 0), (bc > 0 ? c / bc : 0), (w < 2 ? "met" : "missed") }'

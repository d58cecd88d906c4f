#!/bin/sh
# worker_overhead.sh - what the "worker" backend costs per sample.  Sends N
# POPE-like requests (question + image path) through 2 copies of the C echo
# worker (tests/tools/echo_worker.c, so that the harness is what is
# measured), and compares in the same run with the same lines piped straight
# through 2 copies of the same worker with no harness (cat | worker).
# Prints samples/s for each and the ratio harness / baseline.
# Environment: VLEVAL_BUILD (default build), N (default 50000).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${VLEVAL_BUILD:-$ROOT/build}
N=${N:-50000}
BENCH=$BUILD/tests/tools/bench_worker
WORKER=$BUILD/tests/tools/echo_worker
for t in "$BENCH" "$WORKER"; do
	[ -x "$t" ] || { echo "worker_overhead: $t is missing: run make perf" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

now() { date +%s.%N; }

"$BENCH" dump "$N" "$tmp/req.jsonl"
half=$(( (N + 1) / 2 ))
split -l "$half" "$tmp/req.jsonl" "$tmp/part."

# baseline: the same lines through 2 workers, no harness (best of 3)
best=0
for i in 1 2 3; do
	t0=$(now)
	for p in "$tmp"/part.*; do
		"$WORKER" < "$p" > /dev/null &
	done
	wait
	t1=$(now)
	rate=$(echo "$N $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }')
	[ "$rate" -gt "$best" ] && best=$rate
done
echo "baseline (cat requests | 2 workers, no harness): $best samples/s"

run() { # K WINDOW: best of 3 runs, prints the line of the best
	bestline=""; bestrate=0
	for i in 1 2 3; do
		line=$("$BENCH" run "$N" 2 "$1" "$2" "$WORKER")
		rate=$(echo "$line" | sed 's/.*samples_per_s=\([0-9]*\).*/\1/')
		if [ "$rate" -gt "$bestrate" ]; then bestrate=$rate; bestline=$line; fi
	done
	echo "worker backend, 2 workers, max_inflight=$1, $2 in flight: $bestline"
	echo "  ratio to baseline: $(echo "$bestrate $best" | awk '{ printf "%.2f", $1 / $2 }')"
}
run 1 64
run 32 64

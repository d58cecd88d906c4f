#!/bin/sh
# openai_throughput.sh - requests/s of the openai backend (tests/perf/
# openai_bench: body building with per-request base64 of the image, libcurl
# multi, response parsing) against wrk posting the same body to the same
# loopback fake server (tests/tools/fakeserver --bench, answers at once), at
# the same concurrency, in the same run.  Rounds alternate vleval and wrk
# and the best round of each is kept, since the machine is shared.
#
# Environment: BUILD (default build), SECONDS_PER_RUN (2), ROUNDS (3),
# CONCURRENCY (64).  Targets (issue 5): >= 70% of wrk with a 100 KB image,
# >= 5,000 requests/s with a 1 KB image.  Prints figures; exits 0 unless
# something could not run (the targets are reported, not asserted).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SECS=${SECONDS_PER_RUN:-2}
ROUNDS=${ROUNDS:-3}
CONC=${CONCURRENCY:-64}
SERVER=$BUILD/tests/tools/fakeserver
DRIVER=$BUILD/tests/perf/openai_bench
for f in "$SERVER" "$DRIVER"; do
	[ -x "$f" ] || { echo "openai_throughput: $f missing (make perf)"; exit 2; }
done
command -v wrk >/dev/null || { echo "openai_throughput: wrk missing (make perf-deps)"; exit 2; }

NAME=openai_throughput LIFETIME=600
. "$ROOT/tests/perf/fakeserver.shlib"

for size in 100 1; do
	img=$TMP/img$size.jpg
	# a JPEG signature, then incompressible bytes
	{ printf '\377\330\377\340'; head -c $((size * 1024 - 4)) /dev/urandom; } >"$img"
	"$DRIVER" --dump-body "$TMP/body$size.json" --image "$img" || exit 2
	best_v=0; best_w=0; cpu=0
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		line=$("$DRIVER" --url "$URL" --image "$img" --seconds "$SECS" --concurrency "$CONC") ||
			{ echo "openai_throughput: driver failed: $line"; exit 2; }
		v=$(echo "$line" | sed 's/.* rate=\([0-9]*\).*/\1/')
		c=$(echo "$line" | sed 's/.*cpu_us_per_req=\([0-9.]*\).*/\1/')
		w=$(BODY=$TMP/body$size.json wrk -t1 -c"$CONC" -d"${SECS}s" -s "$TMP/post.lua" \
			"$URL/chat/completions" | awk '/Requests\/sec/ { printf "%d", $2 }')
		echo "  round $((r + 1)) ${size} KB image: vleval $v req/s (cpu ${c} us/req), wrk $w req/s"
		[ "$v" -gt "$best_v" ] && { best_v=$v; cpu=$c; }
		[ "${w:-0}" -gt "$best_w" ] && best_w=$w
		r=$((r + 1))
	done
	bytes=$(wc -c <"$TMP/body$size.json")
	ratio=$(awk -v a="$best_v" -v b="$best_w" 'BEGIN { printf "%.0f", b ? 100 * a / b : 0 }')
	echo "openai ${size} KB image (body $bytes bytes, concurrency $CONC): vleval $best_v samples/s, wrk $best_w req/s, ratio ${ratio}%, harness CPU ${cpu} us/sample"
done

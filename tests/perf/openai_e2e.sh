#!/bin/sh
# openai_e2e.sh - samples/s of a whole `vleval run --backend openai` (task
# loading, prompt rendering, per-request image read + base64, libcurl,
# response parsing, extraction and scoring, SQLite rows) against wrk posting
# the same request body to the same loopback fake server (tests/tools/
# fakeserver --bench: answers at once), at the same concurrency, in the same
# run.  A third client, tests/perf/curl_floor, posts the same body through
# libcurl with the backend's transport settings and nothing else: the
# library's own ceiling on this machine, so that the gap to wrk splits into
# what libcurl costs and what the harness adds.  Rounds alternate the three;
# the median of each is reported (the machine is shared, so single rounds
# move a lot).
#
# The task is native JSONL: N samples (default 20,000) all pointing at one
# image file of SIZE KB (the file is read and encoded again for every
# request, as for distinct images; the page cache keeps it in memory, as it
# would a data set that fits there).
#
# Environment: BUILD (default build), N (20000), SIZES ("100 1"), ROUNDS (3),
# CONCURRENCY (64), WRK_SECONDS (3), VLEVAL (default ROOT/vleval), VLEVAL_OLD
# (another vleval binary, e.g. an older commit's, run in every round too
# and compared: `git worktree add /tmp/old REV && make -C /tmp/old vleval`,
# then VLEVAL_OLD=/tmp/old/vleval).  Targets
# (issue 5): >= 70% of wrk with a 100 KB image, >= 5,000 samples/s with a
# 1 KB image.  Prints figures; exits 0 unless something could not run (the
# targets are reported, not asserted).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${N:-20000}
SIZES=${SIZES:-100 1}
ROUNDS=${ROUNDS:-3}
CONC=${CONCURRENCY:-64}
WSECS=${WRK_SECONDS:-3}
V=${VLEVAL:-$ROOT/vleval}
VOLD=${VLEVAL_OLD:-}
SERVER=$BUILD/tests/tools/fakeserver
DRIVER=$BUILD/tests/perf/openai_bench
FLOOR=$BUILD/tests/perf/curl_floor
for f in "$V" "$SERVER" "$DRIVER" "$FLOOR"; do
	[ -x "$f" ] || { echo "openai_e2e: $f missing (make perf)"; exit 2; }
done
for c in wrk /usr/bin/time sqlite3; do
	command -v $c >/dev/null || { echo "openai_e2e: $c missing (make perf-deps)"; exit 2; }
done

NAME=openai_e2e LIFETIME=900
. "$ROOT/tests/perf/fakeserver.shlib"

# the question is openai_bench's prompt, so its --dump-body is the body a
# run sends (same model name, max_tokens, temperature)
Q="Is there a dog in the image? Answer yes or no."
mkdir -p "$TMP/tasks" "$TMP/data"
cat >"$TMP/tasks/e2e.json" <<EOF
{ "name": "e2e", "family": "vqa", "version": 1,
  "dataset": { "format": "jsonl", "path": "e2e.jsonl", "images": "." },
  "prompt": "{question}", "generation": { "max_tokens": 16, "temperature": 0 },
  "extract": "yesno", "metrics": ["exact_match"] }
EOF

# run_vleval BIN: one whole run; sets rate (samples/s) and cpu_us (CPU per sample)
run_vleval() {
	rm -f "$TMP/r.db" "$TMP/r.db-wal" "$TMP/r.db-shm"
	/usr/bin/time -f '%e %U %S' -o "$TMP/time" "$1" run --task e2e --tasks-dir "$TMP/tasks" \
		--data-dir "$TMP/data" --backend openai --base-url "$URL" --model fake-model \
		--concurrency "$CONC" --no-cache --quiet --resamples 0 --db "$TMP/r.db" >"$TMP/out" 2>&1 ||
		{ echo "openai_e2e: $1 run failed:"; cat "$TMP/out"; return 1; }
	got=$(sqlite3 "$TMP/r.db" "select count(*) || ' ' || count(error) from samples")
	[ "$got" = "$N 0" ] || { echo "openai_e2e: $1 logged '$got' (rows errors), wanted '$N 0'"; return 1; }
	read -r wall user sys <"$TMP/time"
	rate=$(awk -v n="$N" -v w="$wall" 'BEGIN { printf "%d", n / w }')
	cpu_us=$(awk -v n="$N" -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", (u + s) / n * 1e6 }')
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for size in $SIZES; do
	img=img$size.jpg
	# a JPEG signature, then incompressible bytes
	{ printf '\377\330\377\340'; head -c $((size * 1024 - 4)) /dev/urandom; } >"$TMP/data/$img"
	awk -v n="$N" -v img="$img" -v q="$Q" 'BEGIN { for (i = 1; i <= n; i++)
		printf("{\"id\": %d, \"image\": \"%s\", \"question\": \"%s\", \"answer\": \"yes\"}\n", i, img, q) }' \
		>"$TMP/data/e2e.jsonl"
	"$DRIVER" --dump-body "$TMP/body.json" --image "$TMP/data/$img" || exit 2
	: >"$TMP/v"; : >"$TMP/w"; : >"$TMP/cpu"; : >"$TMP/c"; : >"$TMP/ccpu"; : >"$TMP/o"; : >"$TMP/ocpu"
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		run_vleval "$V" || exit 2
		v=$rate; cpu=$cpu_us
		own=$("$V" show last --json --db "$TMP/r.db" | python3 -c \
			'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print("%d" % (d.get("throughput") or d["cost"]["throughput"]))' 2>/dev/null || echo "?")
		old=
		if [ -n "$VOLD" ]; then
			run_vleval "$VOLD" || exit 2
			old=", older build $rate samples/s (CPU $cpu_us us/sample)"
			echo "$rate" >>"$TMP/o"; echo "$cpu_us" >>"$TMP/ocpu"
		fi
		line=$("$FLOOR" --url "$URL/chat/completions" --body "$TMP/body.json" --requests "$N" \
			--concurrency "$CONC") || { echo "openai_e2e: curl_floor failed: $line"; exit 2; }
		c=$(echo "$line" | sed 's/.* rate=\([0-9]*\).*/\1/')
		ccpu=$(echo "$line" | sed 's/.*cpu_us_per_req=\([0-9.]*\).*/\1/')
		w=$(BODY=$TMP/body.json wrk -t1 -c"$CONC" -d"${WSECS}s" -s "$TMP/post.lua" \
			"$URL/chat/completions" | awk '/Requests\/sec/ { printf "%d", $2 }')
		echo "  round $r, ${size} KB image: vleval $v samples/s (own figure $own/s, CPU ${cpu} us/sample)$old, libcurl alone $c req/s (CPU ${ccpu} us/req), wrk ${w:-?} req/s"
		echo "$v" >>"$TMP/v"; echo "${w:-0}" >>"$TMP/w"; echo "$cpu" >>"$TMP/cpu"
		echo "$c" >>"$TMP/c"; echo "$ccpu" >>"$TMP/ccpu"
		r=$((r + 1))
	done
	mv=$(median <"$TMP/v"); mw=$(median <"$TMP/w"); mc=$(median <"$TMP/cpu")
	mf=$(median <"$TMP/c"); mfc=$(median <"$TMP/ccpu")
	bytes=$(wc -c <"$TMP/body.json")
	sent=$(sqlite3 "$TMP/r.db" "select bytes_sent from samples limit 1")
	ratio=$(awk -v a="$mv" -v b="$mw" 'BEGIN { printf "%.0f", b ? 100 * a / b : 0 }')
	fratio=$(awk -v a="$mf" -v b="$mw" 'BEGIN { printf "%.0f", b ? 100 * a / b : 0 }')
	vf=$(awk -v a="$mv" -v b="$mf" 'BEGIN { printf "%.0f", b ? 100 * a / b : 0 }')
	echo "openai e2e ${size} KB image ($N samples, body $bytes bytes, $sent sent with headers, concurrency $CONC): vleval $mv samples/s, libcurl alone $mf req/s, wrk $mw req/s; vleval/wrk ${ratio}%, libcurl/wrk ${fratio}%, vleval/libcurl ${vf}%; CPU per request: vleval $mc us, libcurl alone $mfc us (medians of $ROUNDS)"
	if [ -n "$VOLD" ]; then
		mo=$(median <"$TMP/o"); moc=$(median <"$TMP/ocpu")
		echo "  older build $VOLD: $mo samples/s, CPU $moc us/sample; this build $(awk -v a="$mv" -v b="$mo" 'BEGIN { printf "%+.0f", b ? 100 * (a - b) / b : 0 }')% samples/s"
	fi
done

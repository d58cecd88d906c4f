#!/bin/sh
# tsv_load.sh - loads a generated 5,000-row VLMEvalKit TSV with embedded
# ~50 KB images (every 10th row reuses an earlier row's image by index)
# through the vlmeval_tsv loader, with base64 and header validation on,
# and prints wall time and peak RSS next to a baseline measured in the same
# run: `wc -l` over the same file (one sequential read of every byte).
# Environment: BUILD (build folder, default build).
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
DRIVER=$ROOT/$BUILD/tests/perf/load_dataset
[ -x "$DRIVER" ] || { echo "tsv_load: build $DRIVER first (make perf)"; exit 1; }
TMP=$(mktemp -d /tmp/vleval-perf-XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
python3 - "$TMP/bench.tsv" <<'PY'
import base64, os, random, struct, sys, zlib
random.seed(5)
def png_header(w, h):
    ihdr = struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + struct.pack('>I', 13) + b'IHDR' + ihdr +
            struct.pack('>I', zlib.crc32(b'IHDR' + ihdr) & 0xffffffff))
with open(sys.argv[1], 'w', newline='') as f:
    f.write('index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\tl2-category\tsplit\n')
    for i in range(5000):
        if i % 10 == 9:
            img = str(i - 1)
        else:
            img = base64.b64encode(png_header(640, 480) + os.urandom(50 * 1024)).decode()
        q = '"Which option, with a\ttab and ""quotes"", fits?"' if i % 7 == 0 else 'Which option fits?'
        f.write(f'{i}\t{q}\tHint {i}\topt a\topt b\topt c\topt d\t{"ABCD"[i % 4]}\tcat{i % 20}\t{img}\tl2\tdev\n')
PY
SIZE=$(wc -c < "$TMP/bench.tsv")
echo "tsv_load: file $((SIZE / 1024 / 1024)) MiB, 5000 rows"
# warm the page cache so both runs read from memory
cat "$TMP/bench.tsv" > /dev/null
if [ -x /usr/bin/time ]; then
	BASE=$( { /usr/bin/time -f "%e %M" wc -l "$TMP/bench.tsv" > /dev/null; } 2>&1 )
	echo "tsv_load: baseline wc -l: wall ${BASE% *} s, peak RSS ${BASE#* } KiB"
else
	T0=$(date +%s.%N); wc -l "$TMP/bench.tsv" > /dev/null; T1=$(date +%s.%N)
	BASE="$(echo "$T1 - $T0" | bc) 0"
	echo "tsv_load: baseline wc -l: wall ${BASE% *} s"
fi
OUT=$("$DRIVER" "{\"format\":\"vlmeval_tsv\",\"path\":\"$TMP/bench.tsv\"}")
echo "tsv_load: vlmeval_tsv loader: $OUT"
case "$OUT" in *"samples=5000 bad=0"*) ;; *) echo "tsv_load: unexpected result"; exit 1;; esac
WALL=$(echo "$OUT" | sed 's/.*wall_s=\([0-9.]*\).*/\1/')
RSS=$(echo "$OUT" | sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/')
awk -v w="$WALL" -v b="${BASE% *}" -v r="$RSS" -v s="$SIZE" 'BEGIN {
	printf "tsv_load: loader/baseline wall ratio %.1f; %.0f MB/s; peak RSS %.1f MiB = %.2f%% of the file\n",
		(b > 0 ? w / b : 0), s / w / 1e6, r / 1024, 100 * r * 1024 / s }'
